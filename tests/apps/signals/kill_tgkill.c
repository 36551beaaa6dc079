/*
 * kill_tgkill: kill, tgkill and tkill through the raw system calls:
 * signal 0 probes, nonexistent pids and tids (ESRCH), bad signal numbers
 * and ids (EINVAL), a thread id with the wrong thread group; tgkill to
 * another thread runs the handler on that thread.
 */
#include <pthread.h>
#include <signal.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)
#define NOPID 0x3ffffff0L

static volatile long handler_tid;
static volatile long worker_tid;
static volatile int quit;

static void handler(int sig)
{
	(void)sig;
	handler_tid = SYS(SYS_gettid);
}

static void *worker(void *arg)
{
	worker_tid = SYS(SYS_gettid);
	while (!quit)
		sleep_ms(1);
	return arg;
}

int main(void)
{
	long pid = getpid(), tid = SYS(SYS_gettid);
	pthread_t t;

	signal(SIGUSR1, handler);
	SHOW(SYS(SYS_kill, pid, 0));
	SHOW(SYS(SYS_kill, 0L, 0));
	SHOW(SYS(SYS_kill, NOPID, 0));
	SHOW(SYS(SYS_kill, pid, 65));
	SHOW(SYS(SYS_kill, pid, -1));
	SHOW(SYS(SYS_kill, pid, SIGUSR1));
	yes("  handled on the main thread", handler_tid == tid);
	SHOW(SYS(SYS_tgkill, pid, tid, 0));
	SHOW(SYS(SYS_tgkill, pid, NOPID, 0));
	SHOW(SYS(SYS_tgkill, NOPID, tid, 0));
	SHOW(SYS(SYS_tgkill, 0L, tid, 0));
	SHOW(SYS(SYS_tgkill, pid, 0L, 0));
	SHOW(SYS(SYS_tgkill, pid, -5L, 0));
	SHOW(SYS(SYS_tgkill, pid, tid, 65));
	SHOW(SYS(SYS_tkill, tid, 0));
	SHOW(SYS(SYS_tkill, NOPID, 0));
	SHOW(SYS(SYS_tkill, 0L, 0));
	SHOW(SYS(SYS_tkill, tid, 99));

	pthread_create(&t, NULL, worker, NULL);
	WAIT_FOR(worker_tid != 0);
	handler_tid = 0;
	SHOW(SYS(SYS_tgkill, pid, worker_tid, SIGUSR1));
	WAIT_FOR(handler_tid != 0);
	yes("  handled on the worker thread", handler_tid == worker_tid);
	handler_tid = 0;
	SHOW(SYS(SYS_tkill, worker_tid, SIGUSR1));
	WAIT_FOR(handler_tid != 0);
	yes("  handled on the worker thread", handler_tid == worker_tid);
	quit = 1;
	pthread_join(t, NULL);
	return 0;
}

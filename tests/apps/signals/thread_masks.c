/*
 * thread_masks: signal masks are per thread: a new thread inherits its
 * creator's mask; changing it in one thread leaves the other alone; a
 * signal sent to a thread that blocks it is pending for that thread only;
 * a signal sent to the process is pending for all while every thread
 * blocks it, and goes to the thread that does not block it.
 */
#include <pthread.h>
#include <signal.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static volatile long handler_tid, worker_tid;
static volatile int stage, inherited, own_pending, proc_pending;

static void handler(int sig)
{
	(void)sig;
	handler_tid = SYS(SYS_gettid);
}

static void *worker(void *arg)
{
	sigset_t s, u1;

	worker_tid = SYS(SYS_gettid);
	pthread_sigmask(SIG_BLOCK, NULL, &s);
	inherited = sigismember(&s, SIGUSR1) && sigismember(&s, SIGUSR2);
	sigemptyset(&u1);
	sigaddset(&u1, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &u1, NULL);	/* USR2: only this thread takes it */
	stage = 1;
	WAIT_FOR(stage == 2);
	sigpending(&s);
	own_pending = sigismember(&s, SIGUSR1);
	proc_pending = sigismember(&s, SIGTERM);
	stage = 3;
	WAIT_FOR(stage == 4);
	return arg;
}

int main(void)
{
	sigset_t s;
	pthread_t t;

	signal(SIGUSR1, handler);
	signal(SIGUSR2, handler);
	signal(SIGTERM, handler);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGUSR2);
	sigaddset(&s, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	pthread_create(&t, NULL, worker, NULL);
	WAIT_FOR(stage == 1);
	yes("worker inherited the blocked signals", inherited);
	pthread_sigmask(SIG_BLOCK, NULL, &s);
	yes("main still blocks USR2 after the worker unblocked it", sigismember(&s, SIGUSR2));

	SHOW(SYS(SYS_tgkill, getpid(), worker_tid, SIGUSR1));
	SHOW(kill(getpid(), SIGTERM));
	stage = 2;
	WAIT_FOR(stage == 3);
	yes("worker: its USR1 pending", own_pending);
	yes("worker: the process's TERM pending", proc_pending);
	sigpending(&s);
	yes("main: worker's USR1 not pending here", !sigismember(&s, SIGUSR1));
	yes("main: the process's TERM pending here too", sigismember(&s, SIGTERM));

	handler_tid = 0;
	SHOW(kill(getpid(), SIGUSR2));
	WAIT_FOR(handler_tid != 0);
	yes("process-directed USR2 handled by the worker (main blocks it)",
	    handler_tid == worker_tid);
	handler_tid = 0;
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	yes("TERM handled by main once main unblocked it", handler_tid == SYS(SYS_gettid));
	stage = 4;
	pthread_join(t, NULL);
	return 0;
}

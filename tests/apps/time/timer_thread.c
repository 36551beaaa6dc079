/*
 * timer_thread: timers that target threads. SIGEV_THREAD_ID (raw
 * timer_create) sends the signal to the chosen worker thread, even though
 * the main thread does not block it; a tid outside the process is EINVAL.
 * SIGEV_THREAD (built by the libc on top) runs the callback three times
 * in a thread that is not the main thread.
 */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include "check.h"
#include "kabi.h"

#define SYS(...) syscall(__VA_ARGS__)

static volatile long handler_tid, worker_tid, callback_tid;
static volatile int quit, callbacks;

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

static void callback(union sigval v)
{
	callback_tid = SYS(SYS_gettid);
	callbacks += v.sival_int;
}

int main(void)
{
	struct k_sigevent kev = { .signo = SIGUSR1, .notify = K_SIGEV_THREAD_ID };
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD };
	struct itimerspec s = { { 0, 0 }, { 0, 20 * 1000000 } };
	pthread_t t;
	int kid = -1;
	timer_t lt;

	signal(SIGUSR1, handler);
	pthread_create(&t, NULL, worker, NULL);
	WAIT_FOR(worker_tid != 0);
	kev.tid = (int)worker_tid;
	SHOW(SYS(SYS_timer_create, CLOCK_MONOTONIC, &kev, &kid));
	SHOW(SYS(SYS_timer_settime, kid, 0, &s, NULL));
	yes("  signal came", WAIT_FOR(handler_tid != 0));
	yes("  handled on the worker thread", handler_tid == worker_tid);
	SHOW(SYS(SYS_timer_delete, kid));
	kev.tid = 0x3ffffff0;
	SHOW(SYS(SYS_timer_create, CLOCK_MONOTONIC, &kev, &kid));
	quit = 1;
	pthread_join(t, NULL);

	ev.sigev_notify_function = callback;
	ev.sigev_value.sival_int = 1;
	SHOW(timer_create(CLOCK_MONOTONIC, &ev, &lt));
	s.it_interval.tv_nsec = 10 * 1000000;
	SHOW(timer_settime(lt, 0, &s, NULL));
	yes("SIGEV_THREAD callback ran 3 times", WAIT_FOR(callbacks >= 3));
	yes("  in a thread other than main", callback_tid != 0 && callback_tid != SYS(SYS_gettid));
	SHOW(timer_delete(lt));
	return 0;
}

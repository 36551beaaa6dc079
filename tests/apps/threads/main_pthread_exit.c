/*
 * main_pthread_exit: the main thread calls pthread_exit while a worker
 * runs on: the program goes on without it and ends, with status 0, when
 * the last thread returns.
 */
#include <pthread.h>
#include "check.h"

static pthread_t main_thread;

static void *worker(void *arg)
{
	void *r = NULL;

	say("worker: joining the main thread = %s", rcname(pthread_join(main_thread, &r)));
	yes("worker: main's exit value", r == (void *)42);
	sleep_ms(10);
	say("worker: still running after main exited; returning");
	return arg;
}

int main(void)
{
	pthread_t t;

	main_thread = pthread_self();
	pthread_create(&t, NULL, worker, NULL);
	say("main: pthread_exit");
	die_flush();
	pthread_exit((void *)42);
}

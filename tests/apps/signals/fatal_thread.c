/*
 * fatal_thread: a NULL dereference in a thread other than the main one,
 * with no handler, ends the whole program (the main thread is blocked in
 * pthread_join): status 128 + 11 = 139.
 */
#include <pthread.h>
#include "check.h"

static volatile int *volatile nowhere;

static void *crasher(void *arg)
{
	(void)arg;
	sleep_ms(10);
	say("thread reads NULL");
	die_flush();
	return (void *)(long)*nowhere;
}

int main(void)
{
	pthread_t t;

	pthread_create(&t, NULL, crasher, NULL);
	pthread_join(t, NULL);
	say("join returned: cannot happen");
	return 0;
}

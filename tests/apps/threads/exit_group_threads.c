/*
 * exit_group_threads: exit(3) from the main thread while two threads are
 * blocked in read on a pipe and two spin: exit_group ends them all and the
 * program's status is 3. A hang here means the other threads survived.
 */
#include <pthread.h>
#include "check.h"

static int p[2];
static volatile int started;

static void *blocker(void *arg)
{
	char c;

	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	if (read(p[0], &c, 1) >= 0)
		say("read returned: cannot happen");
	return arg;
}

static void *spinner(void *arg)
{
	volatile unsigned long n = 0;

	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	for (;;)
		n++;
	return arg;
}

int main(void)
{
	pthread_t t;

	if (pipe(p) != 0)
		return 1;
	pthread_create(&t, NULL, blocker, NULL);
	pthread_create(&t, NULL, blocker, NULL);
	pthread_create(&t, NULL, spinner, NULL);
	pthread_create(&t, NULL, spinner, NULL);
	yes("four threads started", WAIT_FOR(started == 4));
	sleep_ms(10);
	say("main calls exit(3)");
	exit(3);
}

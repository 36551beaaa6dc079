/*
 * spin_fair: threads that spin without ever making a system call must not
 * starve the others: three spinners run while the main thread sleeps and
 * then stops them; every spinner made progress, and a thread waiting for
 * a flag set by a spinner sees it. On one CPU this needs preemption.
 */
#include <pthread.h>
#include "check.h"

#define N 3

static volatile int stop, flag;
static volatile unsigned long progress[N];

static void *spinner(void *arg)
{
	int id = (int)(long)arg;

	while (!stop) {
		progress[id]++;
		if (id == 0 && progress[id] == 1000)
			flag = 1;
	}
	return NULL;
}

static void *flag_waiter(void *arg)
{
	while (!flag)
		;	/* spins too: must still get to see the flag */
	return arg;
}

int main(void)
{
	pthread_t t[N], w;
	int all = 1;

	pthread_create(&w, NULL, flag_waiter, NULL);
	for (long i = 0; i < N; i++)
		pthread_create(&t[i], NULL, spinner, (void *)i);
	sleep_ms(100);
	say("main woke from its sleep while %d threads spun", N + 1);
	pthread_join(w, NULL);
	say("the flag waiter saw the spinner's flag");
	stop = 1;
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		all &= progress[i] > 0;
	}
	yes("every spinner made progress", all);
	return 0;
}

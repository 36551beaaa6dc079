/*
 * pt_once: eight threads race through pthread_once while the routine is
 * slow: it runs exactly once and every caller returns after it finished;
 * a second once control runs its own routine once more.
 */
#include <pthread.h>
#include "check.h"

#define N 8

static pthread_once_t once = PTHREAD_ONCE_INIT, once2 = PTHREAD_ONCE_INIT;
static volatile int runs, runs2, finished;
static int saw_finished[N];

static void init(void)
{
	runs++;
	sleep_ms(20);
	finished = 1;
}

static void init2(void)
{
	runs2++;
}

static void *racer(void *arg)
{
	int id = (int)(long)arg;

	pthread_once(&once, init);
	saw_finished[id] = finished;
	return NULL;
}

int main(void)
{
	pthread_t t[N];
	int all = 1;

	for (long i = 0; i < N; i++)
		pthread_create(&t[i], NULL, racer, (void *)i);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < N; i++)
		all &= saw_finished[i];
	say("routine ran %d time(s)", runs);
	yes("every caller returned after it finished", all);
	say("pthread_once again = %s, runs %d", rcname(pthread_once(&once, init)), runs);
	pthread_once(&once2, init2);
	pthread_once(&once2, init2);
	say("second control: ran %d time(s)", runs2);
	return 0;
}

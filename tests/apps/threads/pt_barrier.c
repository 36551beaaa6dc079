/*
 * pt_barrier: a barrier of five threads over ten rounds: after each wait
 * every thread sees every arrival of the round, and exactly one thread per
 * round gets PTHREAD_BARRIER_SERIAL_THREAD; a count of 0 is EINVAL.
 */
#include <pthread.h>
#include "check.h"

#define N 5
#define ROUNDS 10

static pthread_barrier_t bar;
static volatile int arrived[ROUNDS][N];
static int complete[N], serial;

static void *worker(void *arg)
{
	int id = (int)(long)arg;

	for (int r = 0; r < ROUNDS; r++) {
		int all = 1;

		arrived[r][id] = 1;
		if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD)
			__atomic_add_fetch(&serial, 1, __ATOMIC_SEQ_CST);
		for (int j = 0; j < N; j++)
			all &= arrived[r][j];
		complete[id] += all;
	}
	return NULL;
}

int main(void)
{
	pthread_t t[N];
	pthread_barrier_t b2;
	int total = 0;

	say("init count 0 = %s", rcname(pthread_barrier_init(&b2, NULL, 0)));
	say("init count %d = %s", N, rcname(pthread_barrier_init(&bar, NULL, N)));
	for (long i = 0; i < N; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < N; i++)
		total += complete[i];
	say("rounds where a thread saw all arrivals: %d of %d", total, N * ROUNDS);
	say("SERIAL_THREAD results: %d (one per round)", serial);
	say("destroy = %s", rcname(pthread_barrier_destroy(&bar)));
	say("single-thread barrier wait is serial: %s",
	    pthread_barrier_init(&b2, NULL, 1) == 0 &&
	    pthread_barrier_wait(&b2) == PTHREAD_BARRIER_SERIAL_THREAD ? "yes" : "no");
	return 0;
}

/*
 * pt_cond: condition variables: a bounded queue with one producer and two
 * consumers passes 2000 items with none lost or doubled; broadcast wakes
 * all five waiters; timedwait with no signal ends with ETIMEDOUT, on the
 * realtime clock and on a monotonic condattr clock.
 */
#include <pthread.h>
#include "check.h"

#define ITEMS 2000
#define QLEN 4
#define WAITERS 5

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t gate = PTHREAD_COND_INITIALIZER;
static int queue[QLEN], head, count, done;
static long long sum[2];
static int got[2], waiting, open_gate, passed;

static void *producer(void *arg)
{
	for (int i = 1; i <= ITEMS; i++) {
		pthread_mutex_lock(&m);
		while (count == QLEN)
			pthread_cond_wait(&not_full, &m);
		queue[(head + count++) % QLEN] = i;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&m);
	}
	pthread_mutex_lock(&m);
	done = 1;
	pthread_cond_broadcast(&not_empty);
	pthread_mutex_unlock(&m);
	return arg;
}

static void *consumer(void *arg)
{
	int id = (int)(long)arg;

	pthread_mutex_lock(&m);
	for (;;) {
		while (count == 0 && !done)
			pthread_cond_wait(&not_empty, &m);
		if (count == 0)
			break;
		sum[id] += queue[head];
		got[id]++;
		head = (head + 1) % QLEN;
		count--;
		pthread_cond_signal(&not_full);
	}
	pthread_mutex_unlock(&m);
	return NULL;
}

static void *gate_waiter(void *arg)
{
	pthread_mutex_lock(&m);
	waiting++;
	while (!open_gate)
		pthread_cond_wait(&gate, &m);
	passed++;
	pthread_mutex_unlock(&m);
	return arg;
}

static int locked_read(int *p)
{
	pthread_mutex_lock(&m);
	int v = *p;
	pthread_mutex_unlock(&m);
	return v;
}

static void timed(clockid_t clk, pthread_cond_t *c, const char *what)
{
	struct timespec ts;
	long long t0 = mono_ns();
	int r;

	clock_gettime(clk, &ts);
	ts.tv_nsec += 20 * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&m);
	do
		r = pthread_cond_timedwait(c, &m, &ts);
	while (r == 0);	/* a spurious wakeup: wait again */
	pthread_mutex_unlock(&m);
	say("timedwait (%s) = %s", what, rcname(r));
	yes("  waited until the deadline", mono_ns() - t0 >= 19 * 1000000LL);
}

int main(void)
{
	pthread_t p, c[2], w[WAITERS];
	pthread_condattr_t ca;
	pthread_cond_t mono;

	pthread_create(&c[0], NULL, consumer, (void *)0L);
	pthread_create(&c[1], NULL, consumer, (void *)1L);
	pthread_create(&p, NULL, producer, NULL);
	pthread_join(p, NULL);
	pthread_join(c[0], NULL);
	pthread_join(c[1], NULL);
	say("items consumed: %d, sum %lld (expected %d)", got[0] + got[1], sum[0] + sum[1],
	    ITEMS * (ITEMS + 1) / 2);

	for (int i = 0; i < WAITERS; i++)
		pthread_create(&w[i], NULL, gate_waiter, NULL);
	yes("all waiters arrived", WAIT_FOR(locked_read(&waiting) == WAITERS));
	pthread_mutex_lock(&m);
	open_gate = 1;
	say("broadcast = %s", rcname(pthread_cond_broadcast(&gate)));
	pthread_mutex_unlock(&m);
	for (int i = 0; i < WAITERS; i++)
		pthread_join(w[i], NULL);
	say("waiters through the gate: %d", passed);

	timed(CLOCK_REALTIME, &gate, "realtime");
	pthread_condattr_init(&ca);
	say("condattr_setclock MONOTONIC = %s", rcname(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC)));
	pthread_cond_init(&mono, &ca);
	timed(CLOCK_MONOTONIC, &mono, "monotonic");
	say("signal with no waiter = %s", rcname(pthread_cond_signal(&mono)));
	say("destroy = %s", rcname(pthread_cond_destroy(&mono)));
	return 0;
}

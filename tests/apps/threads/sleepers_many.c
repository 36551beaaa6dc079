/*
 * sleepers_many: 1,000 threads asleep at once with deadlines, so the
 * scheduler's timer queue holds about a thousand entries: a quarter wait on
 * a condition variable with a far deadline and are woken by a broadcast
 * (their timers are cancelled from the middle of the queue), a quarter
 * nanosleep (many equal deadlines expire together), a quarter time out in
 * FUTEX_WAIT, a quarter sleep three times to absolute deadlines (re-armed).
 * No relative sleep may end before its deadline; every thread is joined.
 */
#include <pthread.h>
#include <stdint.h>
#include "check.h"
#include "kabi.h"

#define N 1000
#define MS 1000000L

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int waiting, go;
static int started, cond_woken, cond_timedout, slept, futex_timedout,
	abs_done, early;
static int never_changes;

static void add(int *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_SEQ_CST);
}

static struct timespec ts_of(long long ns)
{
	return (struct timespec){ ns / 1000000000LL, ns % 1000000000LL };
}

static void cond_waiter(void)
{
	struct timespec dl;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 300; /* far: the broadcast comes first */
	pthread_mutex_lock(&mu);
	waiting++;
	int r = 0;
	while (!go && r == 0)
		r = pthread_cond_timedwait(&cv, &mu, &dl);
	pthread_mutex_unlock(&mu);
	add(r == 0 ? &cond_woken : &cond_timedout);
}

static void sleeper(long i)
{
	long long until = mono_ns() + (1 + i % 16) * MS;
	struct timespec d = ts_of((1 + i % 16) * MS);

	if (nanosleep(&d, NULL) == 0)
		add(&slept);
	if (mono_ns() < until)
		add(&early);
}

static void futex_sleeper(long i)
{
	long long until = mono_ns() + (1 + i % 8) * MS;
	struct timespec d = ts_of((1 + i % 8) * MS);
	long r = syscall(SYS_futex, &never_changes, K_FUTEX_WAIT | K_FUTEX_PRIVATE, 0, &d,
			 NULL, 0);

	if (r == -1 && errno == ETIMEDOUT)
		add(&futex_timedout);
	if (mono_ns() < until)
		add(&early);
}

/*
 * Not checked for waking early: Skiff turns an absolute deadline into a
 * relative one with two clock reads, and a preemption between them makes
 * the sleep end early (linux/time.c, sys_clock_nanosleep).
 */
static void abs_sleeper(long i)
{
	for (int k = 1; k <= 3; k++) {
		struct timespec d = ts_of(mono_ns() + (k + i % 5) * MS);

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d,
				       NULL) == EINTR)
			;
	}
	add(&abs_done);
}

static void *worker(void *arg)
{
	long i = (long)arg;

	add(&started);
	switch (i % 4) {
	case 0: cond_waiter(); break;
	case 1: sleeper(i); break;
	case 2: futex_sleeper(i); break;
	case 3: abs_sleeper(i); break;
	}
	return NULL;
}

int main(void)
{
	static pthread_t t[N];
	pthread_attr_t attr;
	int created = 0;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (long i = 0; i < N; i++)
		created += pthread_create(&t[i], &attr, worker, (void *)i) == 0;
	say("threads created: %d", created);
	/* Every cond waiter is inside pthread_cond_timedwait once it has
	 * counted itself and let go of the mutex. */
	yes("cond waiters all waiting",
	    WAIT_FOR(__atomic_load_n(&waiting, __ATOMIC_SEQ_CST) == N / 4));
	pthread_mutex_lock(&mu);
	go = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	say("threads started: %d", started);
	say("cond waiters woken by the broadcast: %d", cond_woken);
	say("cond waiters timed out: %d", cond_timedout);
	say("nanosleep returned 0: %d", slept);
	say("FUTEX_WAIT timed out: %d", futex_timedout);
	say("absolute sleepers done: %d", abs_done);
	say("relative sleeps that woke early: %d", early);
	return 0;
}

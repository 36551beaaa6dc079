/*
 * pt_mutex: pthread mutexes between threads: four threads incrementing a
 * counter under a normal mutex end with the exact sum; trylock on a held
 * mutex is EBUSY; an error-checking mutex gives EDEADLK on relock and
 * EPERM on unlock by another thread; a recursive mutex counts its locks;
 * timedlock on a mutex another thread holds times out with ETIMEDOUT.
 */
#include <pthread.h>
#include <sched.h>
#include "check.h"

#define NTHREADS 4
#define ROUNDS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t errchk, recur;
static volatile long counter;

static void *adder(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&lock);
		long v = counter;
		if (i % 1000 == 0)
			sched_yield();	/* let the others pile up on the lock */
		counter = v + 1;
		pthread_mutex_unlock(&lock);
	}
	return arg;
}

static void *try_held(void *arg)
{
	(void)arg;
	say("  trylock from another thread = %s", rcname(pthread_mutex_trylock(&lock)));
	say("  errorcheck unlock by non-owner = %s", rcname(pthread_mutex_unlock(&errchk)));
	say("  recursive unlock by non-owner = %s", rcname(pthread_mutex_unlock(&recur)));
	return NULL;
}

static void *timed(void *arg)
{
	struct timespec ts;
	long long t0 = mono_ns();

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 30 * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	say("  timedlock on a held mutex = %s", rcname(pthread_mutex_timedlock(&lock, &ts)));
	yes("  waited until the deadline", mono_ns() - t0 >= 29 * 1000000LL);
	return arg;
}

int main(void)
{
	pthread_t t[NTHREADS];
	pthread_mutexattr_t a;

	for (int i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, adder, NULL);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	say("counter after %d threads x %d locked increments: %ld", NTHREADS, ROUNDS, counter);

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&errchk, &a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&recur, &a);

	say("lock = %s", rcname(pthread_mutex_lock(&lock)));
	say("errorcheck lock = %s", rcname(pthread_mutex_lock(&errchk)));
	say("errorcheck relock = %s", rcname(pthread_mutex_lock(&errchk)));
	say("recursive lock x3 = %s %s %s", rcname(pthread_mutex_lock(&recur)),
	    rcname(pthread_mutex_lock(&recur)), rcname(pthread_mutex_trylock(&recur)));
	pthread_create(&t[0], NULL, try_held, NULL);
	pthread_join(t[0], NULL);
	pthread_create(&t[0], NULL, timed, NULL);
	pthread_join(t[0], NULL);
	say("unlock = %s", rcname(pthread_mutex_unlock(&lock)));
	say("trylock free mutex = %s", rcname(pthread_mutex_trylock(&lock)));
	say("unlock = %s", rcname(pthread_mutex_unlock(&lock)));
	say("errorcheck unlock, unlock again = %s %s", rcname(pthread_mutex_unlock(&errchk)),
	    rcname(pthread_mutex_unlock(&errchk)));
	say("recursive unlock x3, x4 = %s %s %s %s", rcname(pthread_mutex_unlock(&recur)),
	    rcname(pthread_mutex_unlock(&recur)), rcname(pthread_mutex_unlock(&recur)),
	    rcname(pthread_mutex_unlock(&recur)));
	say("destroy = %s %s", rcname(pthread_mutex_destroy(&errchk)),
	    rcname(pthread_mutex_destroy(&recur)));
	return 0;
}

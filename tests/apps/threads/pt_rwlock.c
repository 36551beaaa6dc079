/*
 * pt_rwlock: reader-writer locks: two readers hold the lock at once; a
 * held write lock makes tryrdlock and trywrlock EBUSY in another thread; a
 * held read lock lets tryrdlock in and keeps trywrlock out; timedwrlock
 * against a reader times out; writers and readers hammering a pair of
 * fields never let a reader see them differ.
 */
#include <pthread.h>
#include <sched.h>
#include "check.h"

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static volatile int inside, bad_reads;
static volatile long pair_a, pair_b;
static volatile int stop;

static void *reader_pair(void *arg)
{
	pthread_rwlock_rdlock(&rw);
	__atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST);
	/* both readers must be in together; give up after the bound */
	WAIT_FOR(__atomic_load_n(&inside, __ATOMIC_SEQ_CST) >= 2);
	*(int *)arg = __atomic_load_n(&inside, __ATOMIC_SEQ_CST) >= 2;
	pthread_rwlock_unlock(&rw);
	return NULL;
}

static void *tries(void *arg)
{
	int r = pthread_rwlock_tryrdlock(&rw);

	say("  %s: tryrdlock = %s", (char *)arg, rcname(r));
	if (r == 0)
		pthread_rwlock_unlock(&rw);
	r = pthread_rwlock_trywrlock(&rw);
	say("  %s: trywrlock = %s", (char *)arg, rcname(r));
	if (r == 0)
		pthread_rwlock_unlock(&rw);
	return NULL;
}

static void *timed_writer(void *arg)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20 * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	say("  timedwrlock against a reader = %s", rcname(pthread_rwlock_timedwrlock(&rw, &ts)));
	return arg;
}

static void *writer(void *arg)
{
	for (int i = 0; i < 3000; i++) {
		pthread_rwlock_wrlock(&rw);
		pair_a++;
		if (i % 100 == 0)
			sched_yield();
		pair_b++;
		pthread_rwlock_unlock(&rw);
	}
	return arg;
}

static void *checker(void *arg)
{
	while (!stop) {
		pthread_rwlock_rdlock(&rw);
		if (pair_a != pair_b)
			bad_reads++;
		pthread_rwlock_unlock(&rw);
	}
	return arg;
}

int main(void)
{
	pthread_t t[4];
	int ok[2] = { 0, 0 };

	pthread_create(&t[0], NULL, reader_pair, &ok[0]);
	pthread_create(&t[1], NULL, reader_pair, &ok[1]);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	yes("two readers inside at once", ok[0] && ok[1]);

	say("wrlock = %s", rcname(pthread_rwlock_wrlock(&rw)));
	pthread_create(&t[0], NULL, tries, "write-held");
	pthread_join(t[0], NULL);
	say("unlock = %s", rcname(pthread_rwlock_unlock(&rw)));
	say("rdlock = %s", rcname(pthread_rwlock_rdlock(&rw)));
	pthread_create(&t[0], NULL, tries, "read-held");
	pthread_join(t[0], NULL);
	pthread_create(&t[0], NULL, timed_writer, NULL);
	pthread_join(t[0], NULL);
	say("unlock = %s", rcname(pthread_rwlock_unlock(&rw)));

	pthread_create(&t[0], NULL, writer, NULL);
	pthread_create(&t[1], NULL, writer, NULL);
	pthread_create(&t[2], NULL, checker, NULL);
	pthread_create(&t[3], NULL, checker, NULL);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	stop = 1;
	pthread_join(t[2], NULL);
	pthread_join(t[3], NULL);
	say("after 2 writers: a = %ld, b = %ld, torn reads %d", pair_a, pair_b, bad_reads);
	say("destroy = %s", rcname(pthread_rwlock_destroy(&rw)));
	return 0;
}

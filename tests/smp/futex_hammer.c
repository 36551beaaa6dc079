/*
 * tests/smp/futex_hammer.c: threads on different CPUs hammer futexes: a
 * lock built on FUTEX_WAIT/FUTEX_WAKE (the contended path sleeps in the
 * kernel) guards plain read-modify-writes, and pairs of threads ping-pong
 * a futex word (each waits for the other's value: a lost wake-up hangs,
 * which tests/smp/stress.sh's timeout turns into a failure). Prints what
 * it checked, the same on Linux and in Skiff; exit 1 on a broken count.
 *   futex_hammer [ROUNDS]
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define THREADS 4

static int lockword;		/* 0 free, 1 held, 2 held with waiters */
static volatile long counter, shadow;
static int pingpong[THREADS / 2];
static long rounds = 20000;

static long futex(int *w, int op, int val)
{
	return syscall(SYS_futex, w, op, val, NULL, NULL, 0);
}

static void lock(void)
{
	int c = 0;

	if (__atomic_compare_exchange_n(&lockword, &c, 1, 0, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED))
		return;
	if (c != 2)
		c = __atomic_exchange_n(&lockword, 2, __ATOMIC_ACQUIRE);
	while (c) {
		futex(&lockword, FUTEX_WAIT_PRIVATE, 2);
		c = __atomic_exchange_n(&lockword, 2, __ATOMIC_ACQUIRE);
	}
}

static void unlock(void)
{
	if (__atomic_exchange_n(&lockword, 0, __ATOMIC_RELEASE) == 2)
		futex(&lockword, FUTEX_WAKE_PRIVATE, 1);
}

static void *worker(void *arg)
{
	long id = (long)arg;
	int *pp = &pingpong[id / 2];
	int me = id % 2;

	for (long i = 0; i < rounds; i++) {
		lock();
		long c = counter;
		counter = c + 1;
		shadow++;
		unlock();
		/* Ping-pong: turn 2k is thread 0's, 2k+1 thread 1's. */
		if (i % 16 == 0) {
			int v;
			while ((v = __atomic_load_n(pp, __ATOMIC_ACQUIRE)) % 2 != me)
				futex(pp, FUTEX_WAIT_PRIVATE, v);
			__atomic_store_n(pp, v + 1, __ATOMIC_RELEASE);
			futex(pp, FUTEX_WAKE_PRIVATE, 1);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];
	int bad = 0;

	if (argc > 1)
		rounds = atol(argv[1]);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	bad = counter != THREADS * rounds || shadow != counter;
	printf("futex lock, %d threads x %ld rounds: count %s\n", THREADS,
	       rounds, bad ? "WRONG" : "right");
	for (int i = 0; i < THREADS / 2; i++) {
		long want = 2 * ((rounds + 15) / 16);
		printf("ping-pong pair %d: %s\n", i,
		       pingpong[i] == want ? "every turn taken" : "turns lost");
		bad |= pingpong[i] != want;
	}
	return bad;
}

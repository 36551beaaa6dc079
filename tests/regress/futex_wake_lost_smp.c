/*
 * futex_wake_lost_smp: two threads hand a turn back and forth through one
 * futex word 20000 times, each sleeping until the word says its turn.
 * Reproducer: on two CPUs FUTEX_WAKE did not take the bucket's lock, so a
 * wake that came between the waiter's check of the word and its sleep
 * found no sleeper: both threads slept for ever (a hang within a few
 * hundred turns).
 */
#define FUTEX_WAIT_PRIVATE 128 /* (linux/futex.h: not in musl) */
#define FUTEX_WAKE_PRIVATE (1 | 128)
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "check.h"

#define TURNS 20000

static int word; /* odd: the second thread's turn; even: main's */

static void futex_wait(int v)
{
	syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void futex_wake(void)
{
	syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Waits while the word's parity is not mine, then passes the turn. */
static void take_turn(int mine)
{
	int v;

	while ((v = __atomic_load_n(&word, __ATOMIC_ACQUIRE)) % 2 != mine)
		futex_wait(v);
	__atomic_add_fetch(&word, 1, __ATOMIC_ACQ_REL);
	futex_wake();
}

static void *second(void *arg)
{
	for (int i = 0; i < TURNS; i++)
		take_turn(1);
	return arg;
}

int main(void)
{
	pthread_t t;

	yes("thread started", pthread_create(&t, NULL, second, NULL) == 0);
	for (int i = 0; i < TURNS; i++)
		take_turn(0);
	yes("joined", pthread_join(t, NULL) == 0);
	printf("turns: %d\n", __atomic_load_n(&word, __ATOMIC_ACQUIRE));
	return 0;
}

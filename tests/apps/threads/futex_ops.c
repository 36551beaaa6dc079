/*
 * futex_ops: FUTEX_WAKE, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAKE_OP
 * and the BITSET pair, private and shared, with threads really blocked:
 * waiters block once on A; FUTEX_CMP_REQUEUE A -> B, repeated until it
 * has moved all of them, proves they sleep (no timing involved); then
 * each operation's return value and who it woke are printed.
 */
#include <limits.h>
#include <pthread.h>
#include "check.h"
#include "kabi.h"

#define SYS(...) syscall(__VA_ARGS__)
#define N 3

static int A, B, C, D;
static volatile int finished, result[N];
static unsigned bits[N];
static int priv;

static long futex(int *u, int op, long val, long val2, int *u2, int val3)
{
	return SYS(SYS_futex, u, op | priv, val, val2, u2, val3);
}

/* Prints "what = r" or "what = -1 ENAME" (errno read after the call). */
static void res(const char *what, long r)
{
	if (r < 0)
		say("  %s = %ld %s", what, r, errname(errno));
	else
		say("  %s = %ld", what, r);
}

static void *waiter(void *arg)
{
	int id = (int)(long)arg;

	if (bits[id])
		result[id] = futex(&A, K_FUTEX_WAIT_BITSET, 0, 0, NULL, bits[id]);
	else
		result[id] = futex(&A, K_FUTEX_WAIT, 0, 0, NULL, 0);
	__atomic_add_fetch(&finished, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Moves every waiter of A onto dst, waiting for late ones; true if all n. */
static int gather(int *dst, int n)
{
	long moved = 0;

	for (int i = 0; i < 10000 && moved < n; i++) {
		long r = futex(&A, K_FUTEX_CMP_REQUEUE, 0, INT_MAX, dst, 0);

		if (r > 0)
			moved += r;
		else
			sleep_ms(1);
	}
	return moved == n;
}

/* Waits until at least n waiters returned; how many did. */
static int fin(int n)
{
	WAIT_FOR(__atomic_load_n(&finished, __ATOMIC_SEQ_CST) >= n);
	return __atomic_load_n(&finished, __ATOMIC_SEQ_CST);
}

static void start(pthread_t *t, const unsigned *b)
{
	finished = 0;
	for (long i = 0; i < N; i++) {
		bits[i] = b ? b[i] : 0;
		pthread_create(&t[i], NULL, waiter, (void *)i);
	}
}

static void join(pthread_t *t)
{
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	say("  waiters returned 0: %d", (result[0] == 0) + (result[1] == 0) + (result[2] == 0));
}

static void requeue(void)
{
	pthread_t t[N];

	start(t, NULL);
	yes("  CMP_REQUEUE moved all 3 waiters A -> B", gather(&B, N));
	res("WAKE A (now empty)", futex(&A, K_FUTEX_WAKE, INT_MAX, 0, NULL, 0));
	res("WAKE B, 1", futex(&B, K_FUTEX_WAKE, 1, 0, NULL, 0));
	say("  returned: %d", fin(1));
	res("REQUEUE B -> C, wake 1, move 1", futex(&B, K_FUTEX_REQUEUE, 1, 1, &C, 0));
	say("  returned: %d", fin(2));
	res("CMP_REQUEUE C -> B with a stale value", futex(&C, K_FUTEX_CMP_REQUEUE, 1, 1, &B, 5));
	res("WAKE B", futex(&B, K_FUTEX_WAKE, INT_MAX, 0, NULL, 0));
	res("WAKE C", futex(&C, K_FUTEX_WAKE, INT_MAX, 0, NULL, 0));
	say("  returned: %d", fin(3));
	join(t);
}

static void wake_op(void)
{
	pthread_t t[N];

	start(t, NULL);
	yes("  all 3 waiters moved to B", gather(&B, N));
	D = 5;
	/* D += 3 (old 5); wake 1 on B; old > 4 so wake 1 on D (none) */
	res("WAKE_OP(B, 1, D: ADD 3, if old > 4 wake 1)",
	    futex(&B, K_FUTEX_WAKE_OP, 1, 1, &D, K_FUTEX_OP(K_OP_ADD, 3, K_CMP_GT, 4)));
	say("  D = %d", D);
	say("  returned: %d", fin(1));
	/* move one waiter to D, then wake_op B with D's old value compared */
	res("REQUEUE B -> D, wake 0, move 1", futex(&B, K_FUTEX_REQUEUE, 0, 1, &D, 0));
	res("WAKE_OP(B, 1, D: SET 1, if old == 8 wake 1)",
	    futex(&B, K_FUTEX_WAKE_OP, 1, 1, &D, K_FUTEX_OP(K_OP_SET, 1, K_CMP_EQ, 8)));
	say("  D = %d", D);
	say("  returned: %d", fin(3));
	join(t);
	D = 0x0f;
	futex(&B, K_FUTEX_WAKE_OP, 1, 1, &D, K_FUTEX_OP(K_OP_OR, 0x30, K_CMP_EQ, 0));
	say("  OR 0x30 -> D = %#x", D);
	futex(&B, K_FUTEX_WAKE_OP, 1, 1, &D, K_FUTEX_OP(K_OP_ANDN, 0x03, K_CMP_EQ, 0));
	say("  ANDN 0x03 -> D = %#x", D);
	futex(&B, K_FUTEX_WAKE_OP, 1, 1, &D, K_FUTEX_OP(K_OP_XOR, 0xff, K_CMP_EQ, 0));
	say("  XOR 0xff -> D = %#x", D);
	futex(&B, K_FUTEX_WAKE_OP, 1, 1, &D, K_FUTEX_OP((K_OP_SET | K_OP_ARG_SHIFT), 4, 0, 0));
	say("  SET 1<<4 -> D = %#x", D);
	res("WAKE_OP bad op", futex(&B, K_FUTEX_WAKE_OP, 1, 1, &D, 0x70000000));
}

static void bitset(void)
{
	static const unsigned b[N] = { 1, 2, 6 };
	pthread_t t[N];

	start(t, b);
	yes("  waiters with bitsets 1, 2, 6 moved to B", gather(&B, N));
	res("WAKE_BITSET B, bits 8", futex(&B, K_FUTEX_WAKE_BITSET, INT_MAX, 0, NULL, 8));
	res("WAKE_BITSET B, bits 2", futex(&B, K_FUTEX_WAKE_BITSET, INT_MAX, 0, NULL, 2));
	say("  returned: %d", fin(2));
	res("WAKE_BITSET bits 0", futex(&B, K_FUTEX_WAKE_BITSET, 1, 0, NULL, 0));
	res("WAKE (all bits) B", futex(&B, K_FUTEX_WAKE, INT_MAX, 0, NULL, 0));
	say("  returned: %d", fin(3));
	join(t);
}

int main(void)
{
	for (int p = 0; p < 2; p++) {
		priv = p ? K_FUTEX_PRIVATE : 0;
		say("== %s futexes", p ? "private" : "shared");
		res("WAKE with no waiters", futex(&A, K_FUTEX_WAKE, 1, 0, NULL, 0));
		say("requeue:");
		requeue();
		say("wake_op:");
		wake_op();
		say("bitset:");
		bitset();
	}
	return 0;
}

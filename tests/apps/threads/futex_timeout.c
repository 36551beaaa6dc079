/*
 * futex_timeout: FUTEX_WAIT and FUTEX_WAIT_BITSET timeouts through the raw
 * system call: relative (WAIT), absolute on CLOCK_MONOTONIC (WAIT_BITSET)
 * and on CLOCK_REALTIME (FUTEX_CLOCK_REALTIME), zero and past deadlines,
 * private and shared forms; a wake before the deadline returns 0; a
 * changed value is EAGAIN; bad timespecs, addresses and ops are errors.
 */
#include <pthread.h>
#include <stdint.h>
#include "check.h"
#include "kabi.h"

#define SYS(...) syscall(__VA_ARGS__)
#define MS 1000000L

static int word;
static volatile int flag;

static long futex(void *u, int op, int val, const struct timespec *ts, int val3)
{
	return SYS(SYS_futex, u, op, val, ts, NULL, val3);
}

static struct timespec after(clockid_t clk, long ns)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	ts.tv_nsec += ns;
	while (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static void timed(const char *what, int op, const struct timespec *ts, int val3, long min_ns)
{
	long long t0 = mono_ns();
	long r = futex(&word, op, 0, ts, val3);

	int err = errno;

	if (r < 0)
		say("%s = %ld %s", what, r, errname(err));
	else
		say("%s = %ld", what, r);
	if (min_ns && r < 0 && err == ETIMEDOUT)
		yes("  not before the timeout", mono_ns() - t0 >= min_ns);
}

static void *waker(void *arg)
{
	sleep_ms(20);
	__atomic_store_n(&flag, 1, __ATOMIC_SEQ_CST);
	futex((void *)&flag, K_FUTEX_WAKE | K_FUTEX_PRIVATE, 1, NULL, 0);
	return arg;
}

static void woken(void)
{
	pthread_t t;
	struct timespec ts = { 10, 0 };
	long r = 0;
	int timeouts = 0;

	pthread_create(&t, NULL, waker, NULL);
	while (!__atomic_load_n(&flag, __ATOMIC_SEQ_CST)) {
		r = futex((void *)&flag, K_FUTEX_WAIT | K_FUTEX_PRIVATE, 0, &ts, 0);
		if (r < 0 && errno == ETIMEDOUT)
			timeouts++;
	}
	pthread_join(t, NULL);
	say("wait with a 10 s timeout, woken by another thread: timeouts %d", timeouts);
}

int main(void)
{
	struct timespec rel = { 0, 30 * MS }, zero = { 0, 0 }, bad = { 0, 1000000000L },
			neg = { -1, 0 }, ts;

	timed("FUTEX_WAIT 30 ms", K_FUTEX_WAIT, &rel, 0, 30 * MS);
	timed("FUTEX_WAIT_PRIVATE 30 ms", K_FUTEX_WAIT | K_FUTEX_PRIVATE, &rel, 0, 30 * MS);
	timed("FUTEX_WAIT zero timeout", K_FUTEX_WAIT, &zero, 0, 0);
	timed("FUTEX_WAIT | CLOCK_REALTIME 30 ms", K_FUTEX_WAIT | K_FUTEX_CLOCK_REALTIME, &rel, 0,
	      30 * MS);
	ts = after(CLOCK_MONOTONIC, 30 * MS);
	timed("WAIT_BITSET monotonic deadline +30 ms", K_FUTEX_WAIT_BITSET, &ts, -1, 29 * MS);
	ts = after(CLOCK_MONOTONIC, 30 * MS);
	timed("WAIT_BITSET_PRIVATE monotonic deadline +30 ms", K_FUTEX_WAIT_BITSET | K_FUTEX_PRIVATE,
	      &ts, -1, 29 * MS);
	ts = after(CLOCK_REALTIME, 30 * MS);
	timed("WAIT_BITSET realtime deadline +30 ms", K_FUTEX_WAIT_BITSET | K_FUTEX_CLOCK_REALTIME, &ts,
	      -1, 29 * MS);
	/* 1 ms ago: a VM's monotonic clock may be under a second old. */
	ts = after(CLOCK_MONOTONIC, 0);
	if (ts.tv_nsec >= MS) {
		ts.tv_nsec -= MS;
	} else {
		ts.tv_sec -= 1;
		ts.tv_nsec += 1000000000 - MS;
	}
	timed("WAIT_BITSET deadline in the past", K_FUTEX_WAIT_BITSET, &ts, -1, 0);
	timed("WAIT_BITSET deadline 0", K_FUTEX_WAIT_BITSET, &zero, -1, 0);
	timed("FUTEX_WAIT tv_nsec = 1e9", K_FUTEX_WAIT, &bad, 0, 0);
	timed("FUTEX_WAIT tv_sec = -1", K_FUTEX_WAIT, &neg, 0, 0);
	timed("WAIT_BITSET bitset 0", K_FUTEX_WAIT_BITSET, &rel, 0, 0);
	word = 1;
	timed("FUTEX_WAIT value differs", K_FUTEX_WAIT, &rel, 0, 0);
	timed("FUTEX_WAIT_PRIVATE value differs", K_FUTEX_WAIT | K_FUTEX_PRIVATE, &rel, 0, 0);
	word = 0;
	SHOW(futex(NULL, K_FUTEX_WAIT, 0, &rel, 0));
	SHOW(futex((char *)&word + 1, K_FUTEX_WAIT, 0, &rel, 0));
	SHOW(futex(&word, K_FUTEX_WAIT, 0, (void *)16, 0));
	SHOW(futex(&word, 99, 0, &rel, 0));
	SHOW(futex(&word, K_FUTEX_WAKE, 1, NULL, 0));
	woken();
	return 0;
}

/* SOURCES: linux/sigqueue.c */
/*
 * linux/sigqueue.c: the pending-signal queues. Standard signals coalesce,
 * real-time signals queue in order with their siginfo up to the budget,
 * a timer's signal is pending once, and the next signal is taken as Linux
 * does: the thread's own before the process's, synchronous faults first,
 * then the lowest number.
 */
#include <stdlib.h>
#include "shim.h"
#include "../../linux/sigqueue.h"

static struct linux_siginfo info_val(int code, int value)
{
	struct linux_siginfo i;

	memset(&i, 0, sizeof(i));
	i.code = code;
	i.kill.pid = value; /* a marker to check the order by */
	return i;
}

static int take_marker(struct sigqueue *q, struct sigq_budget *b, int sig)
{
	struct linux_siginfo i;

	sigq_take(q, b, sig, &i);
	assert_int_equal(i.signo, sig);
	return i.kill.pid;
}

static void test_standard_coalesce(void **state)
{
	struct sigqueue q;
	struct sigq_budget b = { 0, 100 };

	sigq_init(&q);
	for (int n = 1; n <= 3; n++) {
		struct linux_siginfo i = info_val(SI_USER, n);
		sigq_add(&q, &b, SIGUSR1, &i);
	}
	assert_int_equal(q.set, sigbit(SIGUSR1));
	assert_int_equal(b.queued, 1);
	assert_int_equal(take_marker(&q, &b, SIGUSR1), 1); /* the first one */
	assert_int_equal(q.set, 0);
	assert_int_equal(b.queued, 0);
	assert_true(list_empty(&q.entries));
}

static void test_rt_queue_in_order(void **state)
{
	struct sigqueue q;
	struct sigq_budget b = { 0, 100 };
	int rt = SIGRT_FIRST + 2;

	sigq_init(&q);
	for (int n = 1; n <= 5; n++) {
		struct linux_siginfo i = info_val(SI_QUEUE, n);
		sigq_add(&q, &b, rt, &i);
	}
	assert_int_equal(b.queued, 5);
	for (int n = 1; n <= 5; n++) {
		assert_true(q.set & sigbit(rt));
		assert_int_equal(take_marker(&q, &b, rt), n);
	}
	assert_int_equal(q.set, 0);
	assert_int_equal(b.queued, 0);
}

static void test_queue_limit(void **state)
{
	struct sigqueue q;
	struct sigq_budget b = { 0, 3 };
	int rt = SIGRT_FIRST + 1;
	struct linux_siginfo i;

	sigq_init(&q);
	for (int n = 1; n <= 5; n++) {
		i = info_val(SI_QUEUE, n);
		sigq_add(&q, &b, rt, &i);
	}
	/* Past the budget the signal stays pending, without its siginfo. */
	assert_int_equal(b.queued, 3);
	for (int n = 1; n <= 3; n++)
		assert_int_equal(take_marker(&q, &b, rt), n);
	assert_int_equal(q.set, 0);
	/* Full budget and nothing queued for this signal: a plain siginfo. */
	b.queued = b.max;
	sigq_add(&q, &b, SIGRT_FIRST, NULL);
	assert_int_equal(q.set, sigbit(SIGRT_FIRST));
	sigq_take(&q, &b, SIGRT_FIRST, &i);
	assert_int_equal(i.signo, SIGRT_FIRST);
	assert_int_equal(i.code, SI_KERNEL);
	assert_int_equal(q.set, 0);
}

static void test_timer_pending_once(void **state)
{
	struct sigqueue q;
	struct sigq_budget b = { 0, 100 };
	struct linux_siginfo i = info_val(SI_TIMER, 0);

	sigq_init(&q);
	i.timer.tid = 7;
	i.timer.overrun = 0;
	sigq_add(&q, &b, SIGRT_FIRST, &i);
	i.timer.overrun = 4;
	sigq_add(&q, &b, SIGRT_FIRST, &i);
	assert_int_equal(b.queued, 1);
	sigq_take(&q, &b, SIGRT_FIRST, &i);
	assert_int_equal(i.code, SI_TIMER);
	assert_int_equal(i.timer.overrun, 4);
	assert_int_equal(q.set, 0);
}

static void test_dequeue_order(void **state)
{
	struct sigqueue own, shared, *from;
	struct sigq_budget b = { 0, 100 };
	struct linux_siginfo i;

	sigq_init(&own);
	sigq_init(&shared);
	sigq_add(&shared, &b, SIGHUP, NULL);
	sigq_add(&own, &b, SIGTERM, NULL);
	sigq_add(&own, &b, SIGUSR1, NULL);
	sigq_add(&own, &b, SIGSEGV, NULL);
	/* The thread's own first; among them the fault, then the lowest. */
	assert_int_equal(sigq_next(&own, &shared, ~0ull, &from), SIGSEGV);
	assert_ptr_equal(from, &own);
	sigq_take(from, &b, SIGSEGV, &i);
	assert_int_equal(sigq_next(&own, &shared, ~0ull, &from), SIGUSR1);
	sigq_take(from, &b, SIGUSR1, &i);
	/* A signal outside the allowed set is skipped. */
	assert_int_equal(sigq_next(&own, &shared, ~sigbit(SIGTERM), &from),
			 SIGHUP);
	assert_ptr_equal(from, &shared);
	assert_int_equal(sigq_next(&own, &shared, ~0ull, &from), SIGTERM);
	sigq_take(from, &b, SIGTERM, &i);
	assert_int_equal(sigq_next(&own, &shared, ~0ull, &from), SIGHUP);
	sigq_take(from, &b, SIGHUP, &i);
	assert_int_equal(sigq_next(&own, &shared, ~0ull, &from), 0);
	assert_int_equal(b.queued, 0);
}

static void test_move_and_discard(void **state)
{
	struct sigqueue own, shared;
	struct sigq_budget b = { 0, 100 };
	int rt = SIGRT_FIRST + 3;

	sigq_init(&own);
	sigq_init(&shared);
	sigq_add(&own, &b, SIGUSR2, NULL);
	sigq_add(&shared, &b, SIGUSR2, NULL); /* coalesces with the thread's */
	sigq_add(&shared, &b, SIGUSR1, NULL);
	for (int n = 1; n <= 2; n++) {
		struct linux_siginfo i = info_val(SI_QUEUE, n);
		sigq_add(&shared, &b, rt, &i);
	}
	sigq_move(&shared, &own, &b, ~sigbit(SIGUSR1));
	assert_int_equal(shared.set, sigbit(SIGUSR1));
	assert_int_equal(own.set, sigbit(SIGUSR2) | sigbit(rt));
	assert_int_equal(b.queued, 4); /* the second SIGUSR2 went away */
	assert_int_equal(take_marker(&own, &b, rt), 1);
	assert_int_equal(take_marker(&own, &b, rt), 2);
	sigq_discard(&own, &b, ~0ull);
	sigq_discard(&shared, &b, sigbit(SIGUSR1));
	assert_int_equal(own.set | shared.set, 0);
	assert_int_equal(b.queued, 0);
	assert_true(list_empty(&own.entries) && list_empty(&shared.entries));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_standard_coalesce),
		cmocka_unit_test(test_rt_queue_in_order),
		cmocka_unit_test(test_queue_limit),
		cmocka_unit_test(test_timer_pending_once),
		cmocka_unit_test(test_dequeue_order),
		cmocka_unit_test(test_move_and_discard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

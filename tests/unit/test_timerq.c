/* SOURCES: lib/rbtree.c sched/timerq.c */
/*
 * sched/timerq.c, the scheduler's timer queue: expiry in deadline order
 * (first added first among equal deadlines), cancel, re-arm, and thousands
 * of timers in random operations checked against a plain array.
 */
#include <stdlib.h>
#include "../../sched/timerq.h"
#include "shim.h"

#define N 2000

struct tmr {
	struct timerq_node node;
	u64 seq; /* when it was last queued: the tie-break among equals */
};

static struct tmr *tmr_of(struct timerq_node *n)
{
	return container_of(n, struct tmr, node);
}

static void test_empty(void **state)
{
	struct timerq q;
	struct tmr a = { 0 };

	timerq_init(&q);
	assert_int_equal(timerq_next(&q), 0);
	assert_null(timerq_pop_expired(&q, ~0ull));
	timerq_del(&q, &a.node); /* not queued: nothing happens */
	assert_false(timerq_queued(&a.node));
	assert_int_equal(q.nr, 0);
}

static void test_expiry_order(void **state)
{
	static const u64 when[] = { 50, 10, 30, 10, 40, 30, 10, 20 };
	static const int order[] = { 1, 3, 6, 7, 2, 5, 4, 0 };
	struct tmr t[ARRAY_SIZE(when)] = { 0 };
	struct timerq q;

	timerq_init(&q);
	for (size_t i = 0; i < ARRAY_SIZE(when); i++)
		timerq_add(&q, &t[i].node, when[i]);
	assert_int_equal(q.nr, ARRAY_SIZE(when));
	assert_int_equal(timerq_next(&q), 10);
	/* Nothing is due before the earliest deadline. */
	assert_null(timerq_pop_expired(&q, 9));
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		struct timerq_node *n = timerq_pop_expired(&q, 1000);
		assert_ptr_equal(n, &t[order[i]].node);
		assert_false(timerq_queued(n));
	}
	assert_null(timerq_pop_expired(&q, 1000));
	assert_int_equal(timerq_next(&q), 0);
	assert_int_equal(q.nr, 0);
}

static void test_pop_stops_at_now(void **state)
{
	struct tmr t[5] = { 0 };
	struct timerq q;
	int popped = 0;

	timerq_init(&q);
	for (int i = 0; i < 5; i++)
		timerq_add(&q, &t[i].node, 100 * (i + 1));
	while (timerq_pop_expired(&q, 300))
		popped++;
	assert_int_equal(popped, 3); /* 100, 200, 300: a deadline of now is due */
	assert_int_equal(timerq_next(&q), 400);
	assert_int_equal(q.nr, 2);
}

static void test_cancel(void **state)
{
	struct tmr t[4] = { 0 };
	struct timerq q;

	timerq_init(&q);
	for (int i = 0; i < 4; i++)
		timerq_add(&q, &t[i].node, 10 * (i + 1));
	timerq_del(&q, &t[0].node); /* the first: the next deadline moves */
	assert_int_equal(timerq_next(&q), 20);
	timerq_del(&q, &t[2].node); /* one in the middle */
	assert_false(timerq_queued(&t[2].node));
	timerq_del(&q, &t[2].node); /* twice: no effect */
	assert_int_equal(q.nr, 2);
	assert_ptr_equal(timerq_pop_expired(&q, 100), &t[1].node);
	assert_ptr_equal(timerq_pop_expired(&q, 100), &t[3].node);
	assert_null(timerq_pop_expired(&q, 100));
}

static void test_rearm(void **state)
{
	struct tmr a = { 0 }, b = { 0 }, c = { 0 };
	struct timerq q;

	timerq_init(&q);
	timerq_add(&q, &a.node, 10);
	timerq_add(&q, &b.node, 20);
	timerq_add(&q, &c.node, 30);
	timerq_add(&q, &a.node, 40); /* later: a goes last, still once */
	assert_int_equal(q.nr, 3);
	assert_int_equal(timerq_next(&q), 20);
	timerq_add(&q, &c.node, 5); /* earlier: c goes first */
	assert_int_equal(timerq_next(&q), 5);
	timerq_add(&q, &b.node, 40); /* equal to a's, re-armed after it */
	assert_ptr_equal(timerq_pop_expired(&q, 100), &c.node);
	assert_ptr_equal(timerq_pop_expired(&q, 100), &a.node);
	assert_ptr_equal(timerq_pop_expired(&q, 100), &b.node);
	assert_int_equal(q.nr, 0);
	/* An expired timer can be armed again. */
	timerq_add(&q, &a.node, 7);
	assert_int_equal(timerq_next(&q), 7);
}

/* The reference: the queued timer that should expire first, or NULL. */
static struct tmr *model_first(struct tmr *t, int n)
{
	struct tmr *best = NULL;

	for (int i = 0; i < n; i++) {
		if (!timerq_queued(&t[i].node))
			continue;
		if (!best || t[i].node.deadline < best->node.deadline ||
		    (t[i].node.deadline == best->node.deadline &&
		     t[i].seq < best->seq))
			best = &t[i];
	}
	return best;
}

/* In-order walk: sorted by (deadline, seq), and as many as nr says. */
static void check_order(const struct timerq *q)
{
	const struct tmr *prev = NULL;
	unsigned long count = 0;

	for (struct rb_node *n = rb_first(&q->tree); n; n = rb_next(n)) {
		const struct tmr *cur = tmr_of(rb_entry(n, struct timerq_node, rb));
		if (prev) {
			assert_true(prev->node.deadline <= cur->node.deadline);
			if (prev->node.deadline == cur->node.deadline)
				assert_true(prev->seq < cur->seq);
		}
		prev = cur;
		count++;
	}
	assert_int_equal(count, q->nr);
}

static void test_random_many(void **state)
{
	struct tmr *t = calloc(N, sizeof(*t));
	struct timerq q;
	u64 seq = 0, now = 0;
	int queued = 0;

	assert_non_null(t);
	srand(7);
	timerq_init(&q);
	for (int step = 0; step < 40 * N; step++) {
		struct tmr *x = &t[rand() % N];
		int op = rand() % 10;

		if (op < 6) { /* arm or re-arm, often onto an equal deadline */
			queued += !timerq_queued(&x->node);
			timerq_add(&q, &x->node, now + 1 + rand() % 64);
			x->seq = ++seq;
		} else if (op < 8) {
			queued -= timerq_queued(&x->node);
			timerq_del(&q, &x->node);
		} else { /* time passes: everything due expires, in order */
			now += rand() % 8;
			struct tmr *f;
			while ((f = model_first(t, N)) && f->node.deadline <= now) {
				assert_ptr_equal(timerq_pop_expired(&q, now), &f->node);
				assert_false(timerq_queued(&f->node));
				queued--;
			}
			assert_null(timerq_pop_expired(&q, now));
		}
		assert_int_equal(q.nr, queued);
		struct tmr *f = model_first(t, N);
		assert_int_equal(timerq_next(&q), f ? f->node.deadline : 0);
		if (step % 997 == 0)
			check_order(&q);
	}
	/* Drain: the queue hands out exactly the model's order. */
	check_order(&q);
	for (struct tmr *f; (f = model_first(t, N));)
		assert_ptr_equal(timerq_pop_expired(&q, ~0ull), &f->node);
	assert_int_equal(q.nr, 0);
	free(t);
}

static void test_thousands_in_order(void **state)
{
	struct tmr *t = calloc(N, sizeof(*t));
	struct timerq q;
	u64 last = 0;

	assert_non_null(t);
	srand(11);
	timerq_init(&q);
	for (int i = 0; i < N; i++)
		timerq_add(&q, &t[i].node, 1 + (u64)rand() % 1000000);
	assert_int_equal(q.nr, N);
	for (int i = 0; i < N; i++) {
		u64 next = timerq_next(&q);
		struct timerq_node *n = timerq_pop_expired(&q, next);
		assert_non_null(n);
		assert_true(next >= last);
		last = next;
	}
	assert_null(timerq_pop_expired(&q, ~0ull));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_expiry_order),
		cmocka_unit_test(test_pop_stops_at_now),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_rearm),
		cmocka_unit_test(test_random_many),
		cmocka_unit_test(test_thousands_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

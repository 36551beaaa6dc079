/* SOURCES: lib/rbtree.c sched/runq.c */
/*
 * sched/runq.c, the run queue: threads come out in vruntime order, first
 * queued first among equals; removal from anywhere; min_vruntime never
 * goes back; the wake-up policy; a simulated CPU shared fairly; thousands
 * of threads in random operations checked against a plain array.
 */
#include <stdlib.h>
#include "../../sched/runq.h"
#include "shim.h"

#define N 2000

static u64 seq_of[N + 16]; /* when thread i was last queued */
static u64 seq;

static void add(struct runq *rq, struct thread *t)
{
	runq_add(rq, t);
	seq_of[t->tid] = ++seq;
}

static struct thread *threads(int n)
{
	struct thread *t = calloc(n, sizeof(*t));

	assert_non_null(t);
	for (int i = 0; i < n; i++)
		t[i].tid = i;
	return t;
}

static void test_empty(void **state)
{
	struct runq rq;

	runq_init(&rq);
	assert_true(runq_empty(&rq));
	assert_null(runq_first(&rq));
	assert_null(runq_last(&rq));
	assert_null(runq_pop(&rq));
	assert_int_equal(rq.min_vruntime, 0);
}

static void test_order_and_fifo(void **state)
{
	static const u64 vr[] = { 500, 100, 300, 100, 400, 300, 100, 200 };
	static const int order[] = { 1, 3, 6, 7, 2, 5, 4, 0 };
	struct thread *t = threads(ARRAY_SIZE(vr));
	struct runq rq;

	runq_init(&rq);
	for (size_t i = 0; i < ARRAY_SIZE(vr); i++) {
		t[i].vruntime = vr[i];
		add(&rq, &t[i]);
		assert_true(t[i].on_runq);
	}
	assert_int_equal(rq.nr, ARRAY_SIZE(vr));
	assert_ptr_equal(runq_first(&rq), &t[1]);
	assert_ptr_equal(runq_last(&rq), &t[0]);
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		struct thread *x = runq_pop(&rq);
		assert_ptr_equal(x, &t[order[i]]);
		assert_false(x->on_runq);
		assert_int_equal(rq.min_vruntime, x->vruntime);
	}
	assert_true(runq_empty(&rq));
	free(t);
}

static void test_remove_anywhere(void **state)
{
	struct thread *t = threads(5);
	struct runq rq;

	runq_init(&rq);
	for (int i = 0; i < 5; i++) {
		t[i].vruntime = 10 * i;
		add(&rq, &t[i]);
	}
	runq_remove(&rq, &t[0]); /* the first */
	assert_ptr_equal(runq_first(&rq), &t[1]);
	runq_remove(&rq, &t[4]); /* the last */
	assert_ptr_equal(runq_last(&rq), &t[3]);
	runq_remove(&rq, &t[2]); /* the middle */
	assert_false(t[2].on_runq);
	assert_int_equal(rq.nr, 2);
	assert_ptr_equal(runq_pop(&rq), &t[1]);
	assert_ptr_equal(runq_pop(&rq), &t[3]);
	/* Removing does not move min_vruntime; only running does. */
	assert_int_equal(rq.min_vruntime, 30);
	free(t);
}

static void test_min_vruntime_never_decreases(void **state)
{
	struct thread *t = threads(2);
	struct runq rq;

	runq_init(&rq);
	t[0].vruntime = 1000;
	add(&rq, &t[0]);
	runq_pop(&rq);
	t[1].vruntime = 10; /* a thread far behind runs next */
	add(&rq, &t[1]);
	runq_pop(&rq);
	assert_int_equal(rq.min_vruntime, 1000);
	free(t);
}

static void test_wake_policy(void **state)
{
	struct runq rq;
	u64 half = RUNQ_SLICE_NS / 2, base = 100 * RUNQ_SLICE_NS;

	runq_init(&rq);
	rq.min_vruntime = base;
	/* A long sleeper comes back half a slice behind, no further. */
	assert_int_equal(runq_wake_vruntime(&rq, 0), base - half);
	assert_int_equal(runq_wake_vruntime(&rq, base - half), base - half);
	/* A short sleeper keeps its own. */
	assert_int_equal(runq_wake_vruntime(&rq, base - 1), base - 1);
	assert_int_equal(runq_wake_vruntime(&rq, base + 7), base + 7);
	/* Early at boot, min_vruntime below half a slice: nothing to clamp. */
	rq.min_vruntime = 5;
	assert_int_equal(runq_wake_vruntime(&rq, 0), 0);
	/* It preempts only a runner clearly ahead. */
	assert_true(runq_wake_preempts(base - half, base));
	assert_false(runq_wake_preempts(base, base));
	assert_false(runq_wake_preempts(base, base + RUNQ_WAKEUP_GRAN_NS));
	assert_true(runq_wake_preempts(base, base + RUNQ_WAKEUP_GRAN_NS + 1));
}

/*
 * The scheduler's loop on one CPU with threads that never sleep: run the
 * first for a slice (each thread uses a different part of it), queue it
 * again. Equal threads take turns in order; nobody falls behind by more
 * than the longest slice.
 */
static void test_simulated_fairness(void **state)
{
	enum { T = 7, ROUNDS = 5000 };
	struct thread *t = threads(T);
	struct runq rq;

	runq_init(&rq);
	for (int i = 0; i < T; i++)
		add(&rq, &t[i]);
	for (int i = 0; i < 3 * T; i++) { /* equal slices: round-robin */
		struct thread *x = runq_pop(&rq);
		assert_int_equal(x->tid, i % T);
		x->vruntime += RUNQ_SLICE_NS;
		add(&rq, x);
	}
	for (int r = 0; r < ROUNDS; r++) {
		struct thread *x = runq_pop(&rq);
		x->vruntime += RUNQ_SLICE_NS / (1 + x->tid % 3);
		add(&rq, x);
		u64 lo = runq_first(&rq)->vruntime, hi = runq_last(&rq)->vruntime;
		assert_true(hi - lo <= RUNQ_SLICE_NS);
	}
	free(t);
}

/* The reference: the queued thread that should run first, or NULL. */
static struct thread *model_first(struct thread *t, int n)
{
	struct thread *best = NULL;

	for (int i = 0; i < n; i++) {
		if (!t[i].on_runq)
			continue;
		if (!best || t[i].vruntime < best->vruntime ||
		    (t[i].vruntime == best->vruntime &&
		     seq_of[i] < seq_of[best->tid]))
			best = &t[i];
	}
	return best;
}

static void check_order(const struct runq *rq)
{
	const struct thread *prev = NULL;
	unsigned long count = 0;

	for (struct rb_node *n = rb_first(&rq->tree); n; n = rb_next(n)) {
		const struct thread *cur = rb_entry(n, struct thread, run_node);
		assert_true(cur->on_runq);
		if (prev) {
			assert_true(prev->vruntime <= cur->vruntime);
			if (prev->vruntime == cur->vruntime)
				assert_true(seq_of[prev->tid] < seq_of[cur->tid]);
		}
		prev = cur;
		count++;
	}
	assert_int_equal(count, rq->nr);
}

static void test_random_many(void **state)
{
	struct thread *t = threads(N);
	struct runq rq;
	unsigned long queued = 0;

	srand(3);
	runq_init(&rq);
	for (int step = 0; step < 30 * N; step++) {
		struct thread *x = &t[rand() % N], *f = model_first(t, N);
		int op = rand() % 10;

		if (op < 5 && !x->on_runq) {
			x->vruntime = rq.min_vruntime + rand() % 32;
			add(&rq, x);
			queued++;
		} else if (op < 7 && x->on_runq) {
			runq_remove(&rq, x);
			queued--;
		} else if (op >= 7) {
			assert_ptr_equal(runq_pop(&rq), f);
			queued -= f != NULL;
		}
		assert_int_equal(rq.nr, queued);
		assert_ptr_equal(runq_first(&rq), model_first(t, N));
		if (step % 991 == 0)
			check_order(&rq);
	}
	check_order(&rq);
	for (struct thread *f; (f = model_first(t, N));)
		assert_ptr_equal(runq_pop(&rq), f);
	assert_true(runq_empty(&rq));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_order_and_fifo),
		cmocka_unit_test(test_remove_anywhere),
		cmocka_unit_test(test_min_vruntime_never_decreases),
		cmocka_unit_test(test_wake_policy),
		cmocka_unit_test(test_simulated_fairness),
		cmocka_unit_test(test_random_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

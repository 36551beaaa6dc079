/*
 * sched/runq.c: the run queue in a red-black tree (see sched/runq.h).
 * Invariants:
 *  1. a thread is in the tree exactly when its on_runq is true;
 *  2. the tree is in vruntime order, equal vruntimes in order of adding;
 *  3. nr counts the threads in the tree;
 *  4. min_vruntime never decreases.
 */
#include <skiff/kernel.h>
#include "runq.h"

static bool runs_before(const struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct thread, run_node)->vruntime <
	       rb_entry(b, struct thread, run_node)->vruntime;
}

void runq_init(struct runq *rq)
{
	rb_init(&rq->tree);
	rq->nr = 0;
	rq->min_vruntime = 0;
}

void runq_add(struct runq *rq, struct thread *t)
{
	if (t->on_runq)
		panic("runq_add: thread %d is already queued", t->tid);
	/* rb_insert goes after equal keys: FIFO among equal vruntimes. */
	rb_insert(&rq->tree, &t->run_node, runs_before);
	t->on_runq = true;
	rq->nr++;
}

void runq_remove(struct runq *rq, struct thread *t)
{
	if (!t->on_runq)
		panic("runq_remove: thread %d is not queued", t->tid);
	rb_remove(&rq->tree, &t->run_node);
	t->on_runq = false;
	rq->nr--;
}

struct thread *runq_first(const struct runq *rq)
{
	struct rb_node *n = rb_first(&rq->tree);

	return n ? rb_entry(n, struct thread, run_node) : NULL;
}

struct thread *runq_last(const struct runq *rq)
{
	struct rb_node *n = rb_last(&rq->tree);

	return n ? rb_entry(n, struct thread, run_node) : NULL;
}

struct thread *runq_pop(struct runq *rq)
{
	struct thread *t = runq_first(rq);

	if (!t)
		return NULL;
	runq_remove(rq, t);
	rq->min_vruntime = MAX(rq->min_vruntime, t->vruntime);
	return t;
}

struct thread *runq_first_on(const struct runq *rq, int cpu)
{
	for (struct rb_node *n = rb_first(&rq->tree); n; n = rb_next(n)) {
		struct thread *t = rb_entry(n, struct thread, run_node);
		if (t->affinity & (1u << cpu))
			return t;
	}
	return NULL;
}

struct thread *runq_pop_on(struct runq *rq, int cpu)
{
	struct thread *t = runq_first_on(rq, cpu);

	if (!t)
		return NULL;
	runq_remove(rq, t);
	rq->min_vruntime = MAX(rq->min_vruntime, t->vruntime);
	return t;
}

u64 runq_wake_vruntime(const struct runq *rq, u64 vruntime)
{
	if (vruntime + RUNQ_SLICE_NS / 2 < rq->min_vruntime)
		return rq->min_vruntime - RUNQ_SLICE_NS / 2;
	return vruntime;
}

bool runq_wake_preempts(u64 woken, u64 running)
{
	return woken + RUNQ_WAKEUP_GRAN_NS < running;
}

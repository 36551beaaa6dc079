/*
 * sched/runq.h: the run queue, the threads waiting for a CPU (private to
 * sched/). Built for the kernel and for host unit tests
 * (tests/unit/test_runq.c).
 *
 * A red-black tree of struct thread (run_node) ordered by vruntime, threads
 * of equal vruntime in the order they were added, so the thread that has
 * used least CPU time is runq_first (O(1)). A queued thread's vruntime
 * must not change: take it out, change it, add it back. No locking: the
 * per-CPU scheduler lock protects the queue (sched/sched.c).
 */
#ifndef SCHED_RUNQ_H
#define SCHED_RUNQ_H

#include <skiff/rbtree.h>
#include "thread.h"

struct runq {
	struct rb_tree tree; /* struct thread.run_node, by vruntime */
	unsigned long nr;    /* queued threads */
};

void runq_init(struct runq *rq);
/* Queues t, which is not queued (t->on_runq false). */
void runq_add(struct runq *rq, struct thread *t);
/* Takes t, which is queued, out of rq. */
void runq_remove(struct runq *rq, struct thread *t);
/* The next thread to run / the last in line, or NULL when rq is empty. */
struct thread *runq_first(const struct runq *rq);
struct thread *runq_last(const struct runq *rq);
/* Takes out and returns runq_first(rq), or NULL. */
struct thread *runq_pop(struct runq *rq);

static inline bool runq_empty(const struct runq *rq)
{
	return rb_empty(&rq->tree);
}

#endif

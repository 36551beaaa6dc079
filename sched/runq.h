/*
 * sched/runq.h: the run queue, the threads waiting for a CPU (private to
 * sched/). Built for the kernel and for host unit tests
 * (tests/unit/test_runq.c).
 *
 * A red-black tree of struct thread (run_node) ordered by vruntime, threads
 * of equal vruntime in the order they were added, so the thread that has
 * used least CPU time is runq_first (O(1)). A queued thread's vruntime
 * must not change: take it out, change it, add it back. The policy around
 * the queue (where new and waking threads start, when a wake-up preempts)
 * is here too, to be tested with it. No locking: the
 * per-CPU scheduler lock protects the queue (sched/sched.c).
 */
#ifndef SCHED_RUNQ_H
#define SCHED_RUNQ_H

#include <skiff/rbtree.h>
#include "thread.h"

/* The policy's constants: a time slice, and how far ahead a waker may be. */
#define RUNQ_SLICE_NS 4000000ull      /* 4 ms */
#define RUNQ_WAKEUP_GRAN_NS 1000000ull /* a waker keeps the CPU unless this far ahead */

struct runq {
	struct rb_tree tree; /* struct thread.run_node, by vruntime */
	unsigned long nr;    /* queued threads */
	u64 min_vruntime;    /* never decreases: the vruntime of the last thread
				popped, or above; new threads start there */
};

void runq_init(struct runq *rq);
/* Queues t, which is not queued (t->on_runq false). */
void runq_add(struct runq *rq, struct thread *t);
/* Takes t, which is queued, out of rq. */
void runq_remove(struct runq *rq, struct thread *t);
/* The next thread to run / the last in line, or NULL when rq is empty. */
struct thread *runq_first(const struct runq *rq);
struct thread *runq_last(const struct runq *rq);
/* Takes out and returns runq_first(rq) (the thread to run), or NULL. */
struct thread *runq_pop(struct runq *rq);
/* The first thread in line whose affinity has bit cpu, or NULL; and the
 * same taken out. */
struct thread *runq_first_on(const struct runq *rq, int cpu);
struct thread *runq_pop_on(struct runq *rq, int cpu);

/*
 * The vruntime a thread waking from a sleep resumes with: its own, but no
 * further behind min_vruntime than half a slice, so a long sleep earns a
 * quick turn and not a long monopoly.
 */
u64 runq_wake_vruntime(const struct runq *rq, u64 vruntime);
/*
 * Whether a thread woken with vruntime woken takes the CPU from a running
 * thread that has used running: only when it has used clearly less.
 */
bool runq_wake_preempts(u64 woken, u64 running);

static inline bool runq_empty(const struct runq *rq)
{
	return rb_empty(&rq->tree);
}

#endif

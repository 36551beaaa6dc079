/*
 * sched/timerq.h: a queue of deadlines, the scheduler's timer structure
 * (private to sched/). Built for the kernel and for host unit tests
 * (tests/unit/test_timerq.c).
 *
 * The owner embeds a struct timerq_node (skiff/sched.h) and queues it with
 * timerq_add; the queue is a red-black tree ordered by deadline, with equal
 * deadlines in the order they were added. Adding and removing are
 * O(log n); the next deadline is O(1) (the tree caches its first node).
 * A node's deadline is 0 exactly while it is not queued. No locking: the
 * per-CPU scheduler lock protects the queues (sched/sched.c).
 */
#ifndef SCHED_TIMERQ_H
#define SCHED_TIMERQ_H

#include <skiff/rbtree.h>
#include <skiff/sched.h>

struct timerq {
	struct rb_tree tree; /* struct timerq_node.rb, by deadline */
	unsigned long nr;    /* queued nodes */
};

void timerq_init(struct timerq *q);
/* Queues n at deadline (> 0), taking it out first if it is queued. */
void timerq_add(struct timerq *q, struct timerq_node *n, u64 deadline);
/* Takes n out of q if it is queued; its deadline becomes 0. */
void timerq_del(struct timerq *q, struct timerq_node *n);

static inline bool timerq_queued(const struct timerq_node *n)
{
	return n->deadline != 0;
}

/* The earliest deadline in q, 0 when q is empty. O(1). */
u64 timerq_next(const struct timerq *q);
/*
 * Takes out and returns the earliest node when its deadline is <= now,
 * else returns NULL: call it in a loop to expire, in deadline order.
 */
struct timerq_node *timerq_pop_expired(struct timerq *q, u64 now);

#endif

/*
 * sched/timerq.c: a queue of deadlines in a red-black tree (see
 * sched/timerq.h). Invariants:
 *  1. a node is in the tree exactly when its deadline is not 0;
 *  2. the tree is in deadline order, equal deadlines in order of adding;
 *  3. nr counts the nodes in the tree.
 */
#include <skiff/kernel.h>
#include "timerq.h"

static bool earlier(const struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct timerq_node, rb)->deadline <
	       rb_entry(b, struct timerq_node, rb)->deadline;
}

void timerq_init(struct timerq *q)
{
	rb_init(&q->tree);
	q->nr = 0;
}

void timerq_add(struct timerq *q, struct timerq_node *n, u64 deadline)
{
	if (!deadline)
		panic("timerq_add: deadline 0 means \"not queued\"");
	timerq_del(q, n);
	n->deadline = deadline;
	/* rb_insert goes after equal keys: FIFO among equal deadlines. */
	rb_insert(&q->tree, &n->rb, earlier);
	q->nr++;
}

void timerq_del(struct timerq *q, struct timerq_node *n)
{
	if (!timerq_queued(n))
		return;
	rb_remove(&q->tree, &n->rb);
	n->deadline = 0;
	q->nr--;
}

u64 timerq_next(const struct timerq *q)
{
	struct rb_node *first = rb_first(&q->tree);

	return first ? rb_entry(first, struct timerq_node, rb)->deadline : 0;
}

struct timerq_node *timerq_pop_expired(struct timerq *q, u64 now)
{
	struct rb_node *first = rb_first(&q->tree);
	struct timerq_node *n;

	if (!first)
		return NULL;
	n = rb_entry(first, struct timerq_node, rb);
	if (n->deadline > now)
		return NULL;
	timerq_del(q, n);
	return n;
}

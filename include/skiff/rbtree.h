/*
 * lib/rbtree.c: an intrusive red-black tree, the kernel's balanced tree.
 * Built for the guest and for host unit tests (lib/).
 *
 * The tree only keeps balance; ordering is the caller's. To insert, walk
 * from t->root to the empty link where the node belongs, then call
 * rb_link(t, n, parent, link) (or rb_insert with a less() function). To
 * find, walk from t->root comparing keys. Every operation is O(log n);
 * rb_first is O(1) (the leftmost node is cached, for queues ordered by
 * time). No locking: the caller's lock protects the tree.
 */
#ifndef SKIFF_RBTREE_H
#define SKIFF_RBTREE_H

#include <skiff/types.h>

struct rb_node {
	struct rb_node *left, *right, *parent;
	bool red;
};

struct rb_tree {
	struct rb_node *root;
	struct rb_node *first; /* the leftmost node, or NULL */
};

#define RB_TREE_INIT { NULL, NULL }
#define rb_entry(p, type, member) container_of(p, type, member)

static inline void rb_init(struct rb_tree *t)
{
	t->root = t->first = NULL;
}

static inline bool rb_empty(const struct rb_tree *t)
{
	return !t->root;
}

/*
 * Links n as the child of parent at *link (&parent->left or ->right, or
 * &t->root when parent is NULL), then rebalances.
 */
void rb_link(struct rb_tree *t, struct rb_node *n, struct rb_node *parent,
	     struct rb_node **link);
/* Inserts n after every node that is not greater (less(n, x) false). */
void rb_insert(struct rb_tree *t, struct rb_node *n,
	       bool (*less)(const struct rb_node *a, const struct rb_node *b));
/* Removes n, which is in t. */
void rb_remove(struct rb_tree *t, struct rb_node *n);

static inline struct rb_node *rb_first(const struct rb_tree *t)
{
	return t->first;
}
struct rb_node *rb_last(const struct rb_tree *t);
/* In-order neighbours, or NULL. */
struct rb_node *rb_next(const struct rb_node *n);
struct rb_node *rb_prev(const struct rb_node *n);

/*
 * The last node whose key is <= the searched key, where cmp(key, node)
 * returns <0, 0 or >0 as key is below, equal to or above node's key; NULL
 * when every node is greater. With an interval key (an address against
 * [start, end)), cmp returns 0 inside the interval and this finds the
 * interval containing the address, or the one before it.
 */
struct rb_node *rb_find_le(const struct rb_tree *t, const void *key,
			   int (*cmp)(const void *key, const struct rb_node *n));

#endif

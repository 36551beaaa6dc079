/* SOURCES: lib/rbtree.c */
/*
 * lib/rbtree.c against a sorted array: random inserts and removals, with
 * the tree's invariants (root black, no red-red, equal black heights,
 * cached first) checked after every step.
 */
#include <stdlib.h>
#include <skiff/rbtree.h>
#include "shim.h"

struct item {
	struct rb_node node;
	int key;
	bool in;
};

static bool item_less(const struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct item, node)->key <
	       rb_entry(b, struct item, node)->key;
}

static int key_cmp(const void *key, const struct rb_node *n)
{
	int k = *(const int *)key, nk = rb_entry(n, struct item, node)->key;
	return k < nk ? -1 : k > nk;
}

/* Black height of the subtree, checking invariants 2 and 3 on the way. */
static int check_node(const struct rb_node *n, const struct rb_node *parent)
{
	if (!n)
		return 1;
	assert_ptr_equal(n->parent, parent);
	if (n->red) {
		assert_false(n->left && n->left->red);
		assert_false(n->right && n->right->red);
	}
	int l = check_node(n->left, n), r = check_node(n->right, n);
	assert_int_equal(l, r);
	return l + !n->red;
}

static void check_tree(const struct rb_tree *t, const int *sorted, int n)
{
	if (t->root)
		assert_false(t->root->red);
	check_node(t->root, NULL);
	int i = 0;
	for (struct rb_node *x = rb_first(t); x; x = rb_next(x), i++) {
		assert_true(i < n);
		assert_int_equal(rb_entry(x, struct item, node)->key, sorted[i]);
	}
	assert_int_equal(i, n);
	i = n;
	for (struct rb_node *x = rb_last(t); x; x = rb_prev(x))
		assert_int_equal(rb_entry(x, struct item, node)->key, sorted[--i]);
	assert_int_equal(i, 0);
}

static int int_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

#define N 2000

static void test_random_ops(void **state)
{
	static struct item items[N];
	static int sorted[N];
	struct rb_tree t = RB_TREE_INIT;
	int n = 0;

	srand(7);
	for (int i = 0; i < N; i++)
		items[i].key = i * 3; /* distinct keys, gaps for misses */
	for (int step = 0; step < 20000; step++) {
		struct item *it = &items[rand() % N];
		if (it->in) {
			rb_remove(&t, &it->node);
		} else {
			rb_insert(&t, &it->node, item_less);
		}
		it->in = !it->in;
		if (step % 97 && step > 100)
			continue;
		n = 0;
		for (int i = 0; i < N; i++)
			if (items[i].in)
				sorted[n++] = items[i].key;
		qsort(sorted, n, sizeof(int), int_cmp);
		check_tree(&t, sorted, n);
	}
}

static void test_find_le(void **state)
{
	static struct item items[100];
	struct rb_tree t = RB_TREE_INIT;

	assert_null(rb_find_le(&t, &(int){ 5 }, key_cmp));
	for (int i = 99; i >= 0; i--) {
		items[i].key = i * 10;
		rb_insert(&t, &items[i].node, item_less);
	}
	assert_ptr_equal(rb_find_le(&t, &(int){ 0 }, key_cmp), &items[0].node);
	assert_ptr_equal(rb_find_le(&t, &(int){ 15 }, key_cmp), &items[1].node);
	assert_ptr_equal(rb_find_le(&t, &(int){ 990 }, key_cmp), &items[99].node);
	assert_ptr_equal(rb_find_le(&t, &(int){ 5000 }, key_cmp), &items[99].node);
	assert_null(rb_find_le(&t, &(int){ -1 }, key_cmp));
}

/* Equal keys keep their insertion order (FIFO among equals). */
static void test_equal_keys_fifo(void **state)
{
	static struct item items[50];
	struct rb_tree t = RB_TREE_INIT;

	for (int i = 0; i < 50; i++) {
		items[i].key = i % 5;
		rb_insert(&t, &items[i].node, item_less);
	}
	int prev_key = -1, prev_idx = -1;
	for (struct rb_node *x = rb_first(&t); x; x = rb_next(x)) {
		struct item *it = rb_entry(x, struct item, node);
		int idx = (int)(it - items);
		if (it->key == prev_key)
			assert_true(idx > prev_idx);
		prev_key = it->key;
		prev_idx = idx;
	}
	/* Draining from the front yields the keys in order. */
	for (int i = 0; i < 50; i++) {
		struct item *it = rb_entry(rb_first(&t), struct item, node);
		assert_int_equal(it->key, i / 10);
		rb_remove(&t, &it->node);
	}
	assert_true(rb_empty(&t));
	assert_null(rb_first(&t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_ops),
		cmocka_unit_test(test_find_le),
		cmocka_unit_test(test_equal_keys_fifo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

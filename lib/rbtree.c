/*
 * lib/rbtree.c: red-black tree balancing (see skiff/rbtree.h). Invariants,
 * checked by tests/unit/test_rbtree.c after every operation:
 *  1. the root is black;
 *  2. a red node has no red child;
 *  3. every path from a node down to a NULL link has as many black nodes;
 *  4. t->first is the leftmost node.
 * Together 2 and 3 bound the height by 2 log2(n + 1).
 */
#include <skiff/rbtree.h>

static bool is_red(const struct rb_node *n)
{
	return n && n->red;
}

/* Puts m where n was under n's parent. */
static void replace_child(struct rb_tree *t, struct rb_node *n,
			  struct rb_node *m)
{
	struct rb_node *p = n->parent;

	if (!p)
		t->root = m;
	else if (p->left == n)
		p->left = m;
	else
		p->right = m;
	if (m)
		m->parent = p;
}

/* n's right child takes n's place; n becomes its left child. */
static void rotate_left(struct rb_tree *t, struct rb_node *n)
{
	struct rb_node *r = n->right;

	n->right = r->left;
	if (r->left)
		r->left->parent = n;
	replace_child(t, n, r);
	r->left = n;
	n->parent = r;
}

static void rotate_right(struct rb_tree *t, struct rb_node *n)
{
	struct rb_node *l = n->left;

	n->left = l->right;
	if (l->right)
		l->right->parent = n;
	replace_child(t, n, l);
	l->right = n;
	n->parent = l;
}

void rb_link(struct rb_tree *t, struct rb_node *n, struct rb_node *parent,
	     struct rb_node **link)
{
	n->left = n->right = NULL;
	n->parent = parent;
	n->red = true;
	*link = n;
	if (!t->first || (parent == t->first && link == &parent->left))
		t->first = n;

	/* A red node under a red parent: recolour or rotate upwards. */
	while (is_red(n->parent)) {
		struct rb_node *p = n->parent, *g = p->parent;
		bool left = g->left == p;
		struct rb_node *u = left ? g->right : g->left;

		if (is_red(u)) {
			p->red = u->red = false;
			g->red = true;
			n = g;
			continue;
		}
		if (n == (left ? p->right : p->left)) {
			if (left)
				rotate_left(t, p);
			else
				rotate_right(t, p);
			n = p;
			p = n->parent;
		}
		p->red = false;
		g->red = true;
		if (left)
			rotate_right(t, g);
		else
			rotate_left(t, g);
	}
	t->root->red = false;
}

void rb_insert(struct rb_tree *t, struct rb_node *n,
	       bool (*less)(const struct rb_node *a, const struct rb_node *b))
{
	struct rb_node **link = &t->root, *parent = NULL;

	while (*link) {
		parent = *link;
		link = less(n, parent) ? &parent->left : &parent->right;
	}
	rb_link(t, n, parent, link);
}

static struct rb_node *leftmost(struct rb_node *n)
{
	while (n && n->left)
		n = n->left;
	return n;
}

struct rb_node *rb_last(const struct rb_tree *t)
{
	struct rb_node *n = t->root;

	while (n && n->right)
		n = n->right;
	return n;
}

struct rb_node *rb_next(const struct rb_node *n)
{
	if (n->right)
		return leftmost(n->right);
	while (n->parent && n->parent->right == n)
		n = n->parent;
	return n->parent;
}

struct rb_node *rb_prev(const struct rb_node *n)
{
	if (n->left) {
		n = n->left;
		while (n->right)
			n = n->right;
		return (struct rb_node *)n;
	}
	while (n->parent && n->parent->left == n)
		n = n->parent;
	return n->parent;
}

/*
 * After removing a black node, x (possibly NULL, under parent p) is one
 * black short on its side: borrow from the sibling or push the deficit up.
 */
static void remove_fixup(struct rb_tree *t, struct rb_node *x,
			 struct rb_node *p)
{
	while (x != t->root && !is_red(x)) {
		bool left = p->left == x;
		struct rb_node *s = left ? p->right : p->left;

		if (is_red(s)) {
			s->red = false;
			p->red = true;
			if (left)
				rotate_left(t, p);
			else
				rotate_right(t, p);
			s = left ? p->right : p->left;
		}
		struct rb_node *near = left ? s->left : s->right;
		struct rb_node *far = left ? s->right : s->left;
		if (!is_red(near) && !is_red(far)) {
			s->red = true;
			x = p;
			p = x->parent;
			continue;
		}
		if (!is_red(far)) {
			near->red = false;
			s->red = true;
			if (left)
				rotate_right(t, s);
			else
				rotate_left(t, s);
			s = left ? p->right : p->left;
			far = left ? s->right : s->left;
		}
		s->red = p->red;
		p->red = false;
		far->red = false;
		if (left)
			rotate_left(t, p);
		else
			rotate_right(t, p);
		x = t->root;
		break;
	}
	if (x)
		x->red = false;
}

void rb_remove(struct rb_tree *t, struct rb_node *n)
{
	struct rb_node *x, *p;
	bool was_red;

	if (t->first == n)
		t->first = rb_next(n);
	if (!n->left || !n->right) {
		x = n->left ? n->left : n->right;
		p = n->parent;
		was_red = n->red;
		replace_child(t, n, x);
	} else {
		/* Two children: n's successor s takes n's place and colour. */
		struct rb_node *s = leftmost(n->right);
		was_red = s->red;
		x = s->right;
		if (s->parent == n) {
			p = s;
		} else {
			p = s->parent;
			replace_child(t, s, x);
			s->right = n->right;
			s->right->parent = s;
		}
		replace_child(t, n, s);
		s->left = n->left;
		s->left->parent = s;
		s->red = n->red;
	}
	if (!was_red && t->root)
		remove_fixup(t, x, p);
	n->left = n->right = n->parent = NULL;
}

struct rb_node *rb_find_le(const struct rb_tree *t, const void *key,
			   int (*cmp)(const void *key, const struct rb_node *n))
{
	struct rb_node *n = t->root, *best = NULL;

	while (n) {
		int c = cmp(key, n);
		if (c == 0)
			return n;
		if (c < 0) {
			n = n->left;
		} else {
			best = n;
			n = n->right;
		}
	}
	return best;
}

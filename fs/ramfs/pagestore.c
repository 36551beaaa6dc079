/*
 * fs/ramfs/pagestore.c: the sparse page store of pagestore.h.
 * Layer: ramfs. Height h reaches indexes below 512^h (h = 0: index 0 only).
 *
 * Every store draws from one budget, as Linux's tmpfs does: the ramfs may
 * hold at most half of the machine's pages (data and tables), so after it
 * refuses more data (ENOSPC) the program's own memory can still be
 * faulted in.
 */
#include <skiff/mm.h>
#include "pagestore.h"

static u64 ps_used;	/* pages held by every store (atomic) */

u64 ps_limit(void)
{
	return page_total_count() / 2;
}

u64 ps_pages_used(void)
{
	return __atomic_load_n(&ps_used, __ATOMIC_RELAXED);
}

/* A zeroed page within the budget, or NULL. */
static void *ps_alloc(void)
{
	void *p = NULL;

	if (__atomic_add_fetch(&ps_used, 1, __ATOMIC_RELAXED) <= ps_limit())
		p = page_alloc(1);
	if (!p)
		__atomic_sub_fetch(&ps_used, 1, __ATOMIC_RELAXED);
	return p;
}

static void ps_free(void *p)
{
	page_free(p, 1);
	__atomic_sub_fetch(&ps_used, 1, __ATOMIC_RELAXED);
}

#define PS_BITS 9
#define PS_FANOUT (1u << PS_BITS)
#define PS_MAX_HEIGHT 6 /* 9 * 6 bits: every page of a 2^63-byte file */

static bool fits(unsigned height, u64 index)
{
	return height >= PS_MAX_HEIGHT || (index >> (PS_BITS * height)) == 0;
}

void *ps_lookup(struct pagestore *ps, u64 index)
{
	void **node = ps->root;

	if (!node || !fits(ps->height, index))
		return NULL;
	for (unsigned h = ps->height; h > 0 && node; h--)
		node = node[(index >> (PS_BITS * (h - 1))) & (PS_FANOUT - 1)];
	return node;
}

/* Adds levels on top until index fits; false on -ENOMEM. */
static bool grow(struct pagestore *ps, u64 index)
{
	while (!fits(ps->height, index)) {
		void **top;

		if (!ps->root) {
			ps->height++;
			continue;
		}
		top = ps_alloc();
		if (!top)
			return false;
		top[0] = ps->root;
		ps->root = top;
		ps->height++;
	}
	return true;
}

void *ps_get(struct pagestore *ps, u64 index)
{
	void **slot = (void **)&ps->root;

	if (!grow(ps, index))
		return NULL;
	for (unsigned h = ps->height;; h--) {
		if (!*slot) {
			*slot = ps_alloc();
			if (!*slot)
				return NULL;
			if (h == 0)
				ps->npages++;
		}
		if (h == 0)
			return *slot;
		slot = &((void **)*slot)[(index >> (PS_BITS * (h - 1))) &
					  (PS_FANOUT - 1)];
	}
}

/*
 * Frees what lies at or after first in the subtree of node, which covers
 * indexes [base, base + 512^h). Returns true when node itself is freed.
 */
static bool trunc_node(struct pagestore *ps, void *node, unsigned h, u64 base,
		       u64 first)
{
	u64 span;

	if (h == 0) {
		if (base < first)
			return false;
		ps_free(node);
		ps->npages--;
		return true;
	}
	span = 1ull << (PS_BITS * (h - 1));
	for (unsigned i = 0; i < PS_FANOUT; i++) {
		void **t = node;
		u64 b = base + i * span;

		if (t[i] && b + span > first &&
		    trunc_node(ps, t[i], h - 1, b, first))
			t[i] = NULL;
	}
	if (base < first)
		return false;
	ps_free(node);
	return true;
}

void ps_truncate(struct pagestore *ps, u64 first)
{
	if (ps->root && trunc_node(ps, ps->root, ps->height, 0, first)) {
		ps->root = NULL;
		ps->height = 0;
	}
}

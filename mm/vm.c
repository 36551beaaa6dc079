/*
 * mm/vm.c: the program's address space (interface in include/skiff/mm.h):
 * areas (struct vma, mm/vm.h) in a red-black tree keyed by address, inside
 * a struct vm_space reached through vm_current(). This file changes areas
 * (mmap, munmap, mprotect, mremap, brk, madvise); mm/fault.c fills pages on
 * fault; mm/vmquery.c answers questions and checks the invariants. Pages go
 * in and out through arch/'s paging API (skiff/paging.h).
 *
 * Invariants (checked by vm_check_locked, mm/vmquery.c, after every change
 * in a SKIFF_DEBUG build and in the host unit test):
 *  1. areas are page-aligned, non-empty, below VM_TASK_END, sorted by start
 *     and never overlap; nareas counts them;
 *  2. no two adjacent areas are compatible (same prot, both anonymous or the
 *     same file at contiguous pgoff with the same shared/may_write): every
 *     change merges what it made compatible;
 *  3. a mapped page in the program's half lies inside an area, with the
 *     area's prot;
 *  4. a mapped page is either the program's own (anonymous, or a private
 *     copy of a file page: no PT_FILE), allocated by vm_fault and freed when
 *     its area (or that part) goes away in the last address space mapping
 *     it (after fork, copy-on-write: PT_COW, counted by mm/page.c's
 *     page_share); or a file's page read in a MAP_PRIVATE area (PT_COW,
 *     one share per mapping, the file the first owner: copied at the first
 *     write, freed by whichever of the file and its mappers lets go last);
 *     or a file's page (PT_FILE, only in a MAP_SHARED file area, where
 *     every page is one), which stays the file's;
 *  5. an area holds a reference to its file for as long as it exists; a
 *     freed file area waits on vs->deferred until vm_put_deferred drops the
 *     reference without the lock (file_put may sleep);
 *  6. brk_start is page-aligned and brk_start <= brk_cur < VM_MMAP_TOP
 *     (or both 0 before exec sets them);
 *  7. every field of the vm_space changes under its lock only;
 *  8. free_top is 0, or no gap between areas in [free_top, VM_MMAP_TOP) is
 *     larger than free_hole (find_free's resume point).
 * An operation that cannot complete (out of memory) changes nothing: the
 * area structures it may need are allocated before it starts.
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/process.h>
#include <skiff/vfs.h>
#include "page.h"
#include "vm.h"

#define PAGE_MASK_LOW (PAGE_SIZE - 1)

struct vm_space *vm_current(void)
{
	return process_current()->vm;
}

/* The tree. */

static int cmp_start(const void *key, const struct rb_node *n)
{
	u64 addr = *(const u64 *)key;
	const struct vma *v = rb_entry(n, struct vma, node);

	return addr < v->start ? -1 : addr == v->start ? 0 : 1;
}

struct vma *vma_find_le(struct vm_space *vs, u64 addr)
{
	return vma_of(rb_find_le(&vs->areas, &addr, cmp_start));
}

struct vma *vma_find(struct vm_space *vs, u64 addr)
{
	struct vma *v = vma_find_le(vs, addr);

	return v && addr < v->end ? v : NULL;
}

struct vma *vma_first_after(struct vm_space *vs, u64 addr)
{
	struct vma *v = vma_find_le(vs, addr);

	if (v && addr < v->end)
		return v;
	return v ? vma_next(v) : vma_of(rb_first(&vs->areas));
}

void vma_insert(struct vm_space *vs, struct vma *n)
{
	struct rb_node **link = &vs->areas.root, *parent = NULL;

	while (*link) {
		parent = *link;
		link = n->start < vma_of(parent)->start ? &parent->left :
							   &parent->right;
	}
	rb_link(&vs->areas, &n->node, parent, link);
	vs->nareas++;
}

static void unlink_area(struct vm_space *vs, struct vma *v)
{
	rb_remove(&vs->areas, &v->node);
	vs->nareas--;
}

/* Frees an area off the tree (its file waits on deferred). Lock held. */
static void free_area(struct vm_space *vs, struct vma *v)
{
	if (v->file)
		list_push_back(&vs->deferred, &v->link);
	else
		kfree(v);
}

/* Takes v off the tree and frees it. Lock held. */
static void remove_area(struct vm_space *vs, struct vma *v)
{
	unlink_area(vs, v);
	free_area(vs, v);
}

/* An area ending at end went away: find_free must look there again. */
static void hole_made(struct vm_space *vs, u64 end)
{
	if (end > vs->free_top)
		vs->free_top = 0;
}

void vm_put_deferred(struct vm_space *vs)
{
	for (;;) {
		spin_lock(&vs->lock);
		struct vma *v = list_empty(&vs->deferred) ? NULL :
			list_entry(vs->deferred.next, struct vma, link);
		if (v)
			list_remove(&v->link);
		spin_unlock(&vs->lock);
		if (!v)
			return;
		file_put(v->file);
		kfree(v);
	}
}

/* Area structures allocated before an operation changes anything. */
#define RESERVE_MAX 7
struct reserve {
	struct vma *n[RESERVE_MAX];
	int count;
};

static int reserve_fill(struct reserve *r, int count)
{
	for (r->count = 0; r->count < count; r->count++) {
		r->n[r->count] = kmalloc(sizeof(struct vma));
		if (!r->n[r->count]) {
			while (r->count)
				kfree(r->n[--r->count]);
			return -ENOMEM;
		}
	}
	return 0;
}

static struct vma *reserve_take(struct reserve *r)
{
	if (!r->count)
		panic("vm: operation used more areas than it reserved");
	return r->n[--r->count];
}

static void reserve_drop(struct reserve *r)
{
	while (r->count)
		kfree(r->n[--r->count]);
}

/* Splitting and merging. */

/* How many new areas splitting at start and end takes (0 to 2). Lock held. */
static int splits_needed(struct vm_space *vs, u64 start, u64 end)
{
	struct vma *v = vma_find(vs, start), *w = vma_find(vs, end);

	return (v && v->start != start) + (w && w->start != end);
}

/* Splits the area at addr if addr falls strictly inside one. Lock held. */
static void split_at(struct vm_space *vs, u64 addr, struct reserve *res)
{
	struct vma *v = vma_find(vs, addr);

	if (!v || v->start == addr)
		return;
	struct vma *n = reserve_take(res);
	*n = *v;
	n->start = addr;
	if (n->file) {
		n->pgoff = v->pgoff + (addr - v->start) / PAGE_SIZE;
		file_get(n->file);
	}
	v->end = addr;
	vma_insert(vs, n);
}

static bool compatible(const struct vma *a, const struct vma *b)
{
	return a->end == b->start && a->prot == b->prot && a->file == b->file &&
	       a->shared == b->shared && a->may_write == b->may_write &&
	       (!a->file ||
		a->pgoff + (a->end - a->start) / PAGE_SIZE == b->pgoff);
}

/* Merges v with its neighbours where compatible; returns the area. */
static struct vma *merge_around(struct vm_space *vs, struct vma *v)
{
	struct vma *p = vma_prev(v), *n;

	if (p && compatible(p, v)) {
		p->end = v->end;
		remove_area(vs, v);
		v = p;
	}
	n = vma_next(v);
	if (n && compatible(v, n)) {
		v->end = n->end;
		remove_area(vs, n);
	}
	return v;
}

/* Merges every area touching [start, end) with its neighbours. */
static void merge_range(struct vm_space *vs, u64 start, u64 end)
{
	struct vma *v = vma_first_after(vs, start ? start - 1 : 0);

	while (v && v->start <= end) {
		v = merge_around(vs, v);
		v = vma_next(v);
	}
}

/* Pages. */

#define FREE_BATCH 64

/* Unmaps the pages of [start, end) and frees them, a batch at a time:
 * no page is freed before every CPU's TLB has dropped it (pt_shootdown:
 * one IPI per batch, not per page). */
static void free_pages(struct vm_space *vs, u64 start, u64 end)
{
	paddr_t pa[FREE_BATCH];
	unsigned flags[FREE_BATCH];
	int n = 0;

	for (u64 va = pt_next_mapped(vs->pt, start, end); va < end;
	     va = pt_next_mapped(vs->pt, va + PAGE_SIZE, end)) {
		pa[n] = pt_unmap_lazy(vs->pt, va, &flags[n]);
		if (++n < FREE_BATCH)
			continue;
		pt_shootdown(vs->pt);
		while (n)
			n--, vm_page_release(pa[n], flags[n]);
	}
	if (!n)
		return;
	pt_shootdown(vs->pt);
	while (n)
		n--, vm_page_release(pa[n], flags[n]);
}

/* Removes [start, end) from the address space; 2 reserved. Lock held. */
static void unmap_locked(struct vm_space *vs, u64 start, u64 end,
			 struct reserve *res)
{
	split_at(vs, start, res);
	split_at(vs, end, res);
	struct vma *v = vma_first_after(vs, start);
	while (v && v->start < end) {
		struct vma *next = vma_next(v);
		free_pages(vs, v->start, v->end);
		hole_made(vs, v->end);
		remove_area(vs, v);
		v = next;
	}
}

static bool range_free(struct vm_space *vs, u64 start, u64 end)
{
	struct vma *v = vma_first_after(vs, start);

	return !v || v->start >= end;
}

/*
 * A free range of len bytes at or above VM_MIN_ADDR ending at or below
 * VM_MMAP_TOP, the highest that fits; 0 if none. Walks down the areas from
 * the top until a gap fits. The walk resumes where the last one ended
 * (vs->free_top) unless a gap skipped above it could hold len (free_hole)
 * or a hole was made above it since (hole_made): so mapping n areas one
 * after the other costs O(n log n), not O(n^2) (invariant 8).
 */
static u64 find_free(struct vm_space *vs, u64 len)
{
	u64 end = VM_MMAP_TOP, skipped = 0, at;

	if (!len || len > VM_MMAP_TOP - VM_MIN_ADDR)
		return 0;
	if (vs->free_top && len > vs->free_hole) {
		end = vs->free_top;
		skipped = vs->free_hole;
	}
	for (struct vma *v = vma_find_le(vs, end - 1);; v = vma_prev(v)) {
		u64 floor = v ? MAX(v->end, VM_MIN_ADDR) : VM_MIN_ADDR;
		if (end >= floor + len) {
			at = end - len;
			break;
		}
		if (end > floor)
			skipped = MAX(skipped, end - floor);
		if (!v)
			return 0;
		end = MIN(end, v->start);
		if (end < VM_MIN_ADDR + len)
			return 0;
	}
	vs->free_top = at;
	vs->free_hole = skipped;
	return at;
}

/* Inserts a copy of tmpl as [start, end), merged; 1 reserved. Lock held. */
static void add_area(struct vm_space *vs, u64 start, u64 end,
		     const struct vma *tmpl, struct reserve *res)
{
	struct vma *n = reserve_take(res);

	*n = *tmpl;
	n->start = start;
	n->end = end;
	if (n->file)
		file_get(n->file);
	else
		n->pgoff = 0;
	vma_insert(vs, n);
	merge_around(vs, n);
}

/* mmap. */

/* Where a non-fixed mapping goes: the hint if free (as Linux), else below
 * VM_MMAP_TOP; 0 if nowhere. */
static u64 place(struct vm_space *vs, u64 hint, u64 len)
{
	if (hint && hint < VM_MIN_ADDR)
		hint = VM_MIN_ADDR;
	if (hint && hint <= VM_TASK_END - len) {
		hint = ALIGN_UP(hint, PAGE_SIZE);
		if (hint <= VM_TASK_END - len && range_free(vs, hint, hint + len))
			return hint;
	}
	return find_free(vs, len);
}

static long map(u64 addr, u64 len, bool fixed, bool noreplace,
		const struct vma *tmpl)
{
	struct vm_space *vs = vm_current();
	struct reserve res;

	if (!len)
		return -EINVAL;
	if (len > VM_TASK_END)
		return -ENOMEM;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (fixed && (addr & PAGE_MASK_LOW))
		return -EINVAL;
	if (fixed && addr > VM_TASK_END - len)
		return -ENOMEM;
	if (reserve_fill(&res, 3))
		return -ENOMEM;

	spin_lock(&vs->lock);
	long r = addr;
	if (fixed && !range_free(vs, addr, addr + len)) {
		if (noreplace)
			r = -EEXIST;
		else
			unmap_locked(vs, addr, addr + len, &res);
	} else if (!fixed) {
		addr = place(vs, addr, len);
		r = addr ? (long)addr : -ENOMEM;
	}
	if (r >= 0)
		add_area(vs, addr, addr + len, tmpl, &res);
	VM_DEBUG_CHECK(vs);
	spin_unlock(&vs->lock);
	reserve_drop(&res);
	vm_put_deferred(vs);
	return r;
}

long vm_map(u64 addr, u64 len, int prot, bool fixed, bool noreplace)
{
	struct vma tmpl = { .prot = prot };

	return map(addr, len, fixed, noreplace, &tmpl);
}

long vm_map_file(u64 addr, u64 len, int prot, bool fixed, bool noreplace,
		 struct file *f, u64 pgoff, bool shared, bool may_write)
{
	struct vma tmpl = { .prot = prot, .file = f, .pgoff = pgoff,
			    .shared = f && shared, .may_write = f && may_write };

	return map(addr, len, fixed, noreplace, &tmpl);
}

/* munmap: as Linux, the range must lie below the top of the program's half. */
int vm_unmap(u64 addr, u64 len)
{
	struct vm_space *vs = vm_current();
	struct reserve res;

	if ((addr & PAGE_MASK_LOW) || addr > VM_TASK_END ||
	    len > VM_TASK_END - addr)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len)
		return -EINVAL;
	/*
	 * Only a split needs a new area: unmapping whole areas (a thread
	 * stack glibc frees) must work when the heap is exhausted, or the
	 * program cannot give memory back (glibc aborts on such a failure).
	 */
	res.count = 0;
	for (;;) {
		spin_lock(&vs->lock);
		int need = splits_needed(vs, addr, addr + len);
		if (need <= res.count)
			break;
		spin_unlock(&vs->lock);
		reserve_drop(&res);
		if (reserve_fill(&res, need))
			return -ENOMEM;
	}
	unmap_locked(vs, addr, addr + len, &res);
	VM_DEBUG_CHECK(vs);
	spin_unlock(&vs->lock);
	reserve_drop(&res);
	vm_put_deferred(vs);
	return 0;
}

/*
 * mprotect's checks: all of [addr, end) mapped, shared files writable.
 * DIVERGENCE: Linux changes the areas it meets before a hole or a refused
 * area and then fails; Skiff checks the whole range first and changes
 * nothing when it fails.
 */
static int protect_check(struct vm_space *vs, u64 addr, u64 end, int prot)
{
	struct vma *v = vma_find(vs, addr);

	for (u64 a = addr; a < end; a = v->end, v = vma_next(v)) {
		if (!v || v->start > a)
			return -ENOMEM;
		if (v->shared && (prot & PROT_WRITE) && !v->may_write)
			return -EACCES;
	}
	return 0;
}

int vm_protect(u64 addr, u64 len, int prot)
{
	struct vm_space *vs = vm_current();
	struct reserve res;

	if (addr & PAGE_MASK_LOW)
		return -EINVAL;
	if (!len)
		return 0;
	len = ALIGN_UP(len, PAGE_SIZE);
	u64 end = addr + len;
	if (end <= addr) /* the length wraps around */
		return -ENOMEM;
	if (reserve_fill(&res, 2))
		return -ENOMEM;
	spin_lock(&vs->lock);
	int r = protect_check(vs, addr, end, prot);
	if (!r) {
		split_at(vs, addr, &res);
		split_at(vs, end, &res);
		for (struct vma *v = vma_find(vs, addr); v && v->start < end;
		     v = vma_next(v)) {
			v->prot = prot;
			for (u64 va = pt_next_mapped(vs->pt, v->start, v->end);
			     va < v->end;
			     va = pt_next_mapped(vs->pt, va + PAGE_SIZE, v->end))
				pt_protect_lazy(vs->pt, va, prot);
		}
		pt_shootdown(vs->pt); /* every CPU sees prot on return */
		merge_range(vs, addr, end);
	}
	VM_DEBUG_CHECK(vs);
	spin_unlock(&vs->lock);
	reserve_drop(&res);
	vm_put_deferred(vs);
	return r;
}

/* madvise: Linux's checks of the range, then maybe drop its pages. */
int vm_advise(u64 addr, u64 len, bool discard)
{
	struct vm_space *vs = vm_current();
	u64 alen = ALIGN_UP(len, PAGE_SIZE);
	u64 end = addr + alen;
	int r = 0;

	if ((addr & PAGE_MASK_LOW) || (len && !alen) || end < addr)
		return -EINVAL;
	if (end == addr)
		return 0;
	spin_lock(&vs->lock);
	struct vma *v = vma_first_after(vs, addr);
	for (u64 a = addr; a < end; a = v->end, v = vma_next(v)) {
		if (!v || v->start >= end) {
			r = -ENOMEM;
			break;
		}
		if (v->start > a)
			r = -ENOMEM; /* a hole: Linux goes on, then says so */
		if (discard)
			free_pages(vs, MAX(a, v->start), MIN(end, v->end));
	}
	VM_DEBUG_CHECK(vs);
	spin_unlock(&vs->lock);
	return r;
}

/* mremap. */

/* Moves the pages of [old, old+len) to new, as prot. Lock held. */
static void move_pages(struct vm_space *vs, u64 old, u64 new, u64 len,
		       int prot)
{
	for (u64 va = pt_next_mapped(vs->pt, old, old + len); va < old + len;
	     va = pt_next_mapped(vs->pt, va + PAGE_SIZE, old + len)) {
		unsigned flags;
		paddr_t pa = pt_unmap_lazy(vs->pt, va, &flags);
		/* The program's own memory moving: its page tables may use
		 * the reserve, as a fault's (mm/page.c). */
		page_urgent_enter();
		int r = pa ? pt_map(vs->pt, new + (va - old), pa,
				    prot | (flags & (PT_FILE | PT_COW))) : 0;
		page_urgent_leave();
		if (r) { /* contents lost: OOM */
			pt_shootdown(vs->pt);
			vm_page_release(pa, flags);
		}
	}
	pt_shootdown(vs->pt); /* the old addresses fault on every CPU */
}

/*
 * Moves [old, old+oldlen), inside one area, to [dst, dst+newlen), free,
 * newlen >= oldlen; the part past oldlen is new memory of the same kind.
 * oldlen 0 maps the same file pages a second time. 3 reserved. Lock held.
 */
static void move_area(struct vm_space *vs, u64 old, u64 oldlen, u64 dst,
		      u64 newlen, struct reserve *res)
{
	struct vma *v = vma_find(vs, old);
	struct vma tmpl = *v;

	if (v->file)
		tmpl.pgoff = v->pgoff + (old - v->start) / PAGE_SIZE;
	v = NULL;
	if (oldlen) {
		/* Off the tree first, so the new area cannot merge with it. */
		split_at(vs, old, res);
		split_at(vs, old + oldlen, res);
		v = vma_find(vs, old);
		unlink_area(vs, v);
		hole_made(vs, v->end);
	}
	add_area(vs, dst, dst + newlen, &tmpl, res);
	move_pages(vs, old, dst, oldlen, tmpl.prot);
	if (v)
		free_area(vs, v);
}

/* Whether [a, a+alen) and [b, b+blen) overlap, without overflow. */
static bool overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return a <= b ? b - a < alen : a - b < blen;
}

/* Unmaps [start, start+len) if that is a valid munmap range; -EINVAL if not. */
static int unmap_checked(struct vm_space *vs, u64 start, u64 len,
			 struct reserve *res)
{
	if (start > VM_TASK_END || len > VM_TASK_END - start)
		return -EINVAL;
	unmap_locked(vs, start, start + len, res);
	return 0;
}

/* The source must be one area from old on, unless it is empty. */
static int source_check(struct vm_space *vs, u64 old, u64 oldlen)
{
	struct vma *v = vma_find(vs, old);

	if (!v)
		return -EFAULT;
	if (!oldlen && !v->shared)
		return -EINVAL; /* Linux only duplicates shared mappings */
	return oldlen > v->end - old ? -EFAULT : 0;
}

/* MREMAP_FIXED, in Linux's order: dst unmapped before the source checked. */
static long remap_to(struct vm_space *vs, u64 old, u64 oldlen, u64 newlen,
		     u64 new, struct reserve *res)
{
	if (newlen > VM_TASK_END || new > VM_TASK_END - newlen)
		return -EINVAL;
	if (overlaps(old, oldlen, new, newlen))
		return -EINVAL;
	unmap_locked(vs, new, new + newlen, res);
	if (oldlen > newlen) {
		int r = unmap_checked(vs, old + newlen, oldlen - newlen, res);
		if (r)
			return r;
		oldlen = newlen;
	}
	int r = source_check(vs, old, oldlen);
	if (r)
		return r;
	move_area(vs, old, oldlen, new, newlen, res);
	return new;
}

/* Without MREMAP_FIXED: shrink, grow in place, or move if allowed. */
static long remap(struct vm_space *vs, u64 old, u64 oldlen, u64 newlen,
		  bool maymove, struct reserve *res)
{
	if (oldlen >= newlen) {
		if (oldlen > newlen &&
		    unmap_checked(vs, old + newlen, oldlen - newlen, res))
			return -EINVAL;
		return old;
	}
	int r = source_check(vs, old, oldlen);
	if (r)
		return r;
	struct vma *v = vma_find(vs, old);
	if (oldlen == v->end - old && newlen <= VM_TASK_END - old &&
	    range_free(vs, v->end, old + newlen)) {
		v->end = old + newlen; /* grow in place */
		merge_around(vs, v);
		return old;
	}
	u64 dst = maymove ? find_free(vs, newlen) : 0;
	if (!dst)
		return -ENOMEM;
	move_area(vs, old, oldlen, dst, newlen, res);
	return dst;
}

long vm_remap(u64 old, u64 oldlen, u64 newlen, bool maymove, bool fixed, u64 new)
{
	struct vm_space *vs = vm_current();
	struct reserve res;
	long r;

	/* Lengths round up to pages and wrap to 0, as Linux's PAGE_ALIGN. */
	oldlen = (oldlen + PAGE_MASK_LOW) & ~PAGE_MASK_LOW;
	newlen = (newlen + PAGE_MASK_LOW) & ~PAGE_MASK_LOW;
	if ((old & PAGE_MASK_LOW) || !newlen || newlen > VM_TASK_END ||
	    (fixed && !maymove) || (fixed && (new & PAGE_MASK_LOW)))
		return -EINVAL;
	if (reserve_fill(&res, RESERVE_MAX))
		return -ENOMEM;
	spin_lock(&vs->lock);
	if (!vma_find(vs, old))
		r = -EFAULT;
	else if (fixed)
		r = remap_to(vs, old, oldlen, newlen, new, &res);
	else
		r = remap(vs, old, oldlen, newlen, maymove, &res);
	VM_DEBUG_CHECK(vs);
	spin_unlock(&vs->lock);
	reserve_drop(&res);
	vm_put_deferred(vs);
	return r;
}

/* brk. */

void vm_set_brk_start(u64 start)
{
	struct vm_space *vs = vm_current();

	spin_lock(&vs->lock);
	vs->brk_start = vs->brk_cur = ALIGN_UP(start, PAGE_SIZE);
	spin_unlock(&vs->lock);
}

/*
 * Moves the break. As Linux, growth needs a free page between the new
 * break and the next area, and the break never reaches the mmap area.
 */
u64 vm_brk(u64 newbrk)
{
	struct vm_space *vs = vm_current();
	struct vma tmpl = { .prot = PROT_READ | PROT_WRITE };
	struct reserve res;

	bool have = !reserve_fill(&res, 3);
	spin_lock(&vs->lock);
	u64 old_end = ALIGN_UP(vs->brk_cur, PAGE_SIZE);
	u64 new_end = ALIGN_UP(newbrk, PAGE_SIZE);
	bool ok = have && newbrk >= vs->brk_start && newbrk < VM_MMAP_TOP;
	if (ok && new_end > old_end) {
		struct vma *next = vma_first_after(vs, old_end);
		ok = !next || next->start >= new_end + PAGE_SIZE;
		if (ok)
			add_area(vs, old_end, new_end, &tmpl, &res);
	} else if (ok && new_end < old_end) {
		unmap_locked(vs, new_end, old_end, &res);
	}
	if (ok)
		vs->brk_cur = newbrk;
	u64 r = vs->brk_cur;
	VM_DEBUG_CHECK(vs);
	spin_unlock(&vs->lock);
	reserve_drop(&res);
	vm_put_deferred(vs);
	return r;
}

/* The end of an address space. */

void vm_space_clear(struct vm_space *vs)
{
	spin_lock(&vs->lock);
	for (struct vma *v; (v = vma_of(rb_first(&vs->areas)));) {
		free_pages(vs, v->start, v->end);
		remove_area(vs, v);
	}
	vs->brk_start = vs->brk_cur = 0;
	vs->free_top = 0;
	spin_unlock(&vs->lock);
	vm_put_deferred(vs);
}

/*
 * mm/fork.c: copying an address space for fork (vm_space_fork, declared
 * in include/skiff/mm.h). The copy has the same areas; each page of the
 * program's own is then mapped in both address spaces read-only and
 * marked PT_COW, its share count (mm/page.c) says how many map it, and
 * the first write in either gets a copy (mm/fault.c, cow_break). Pages of
 * MAP_SHARED file areas are the file's: both map them as they are; a
 * file's page read in a MAP_PRIVATE area is already PT_COW and gets one
 * share more. A program that never forks never comes here.
 */
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "page.h"
#include "vm.h"

/*
 * Maps src's page at va in dst as well. The program's own page becomes
 * copy-on-write in both, or is copied now when it has as many sharers as
 * a count holds. Both locks held (dst's is new and private). 0 or -ENOMEM.
 */
static int fork_page(struct vm_space *src, struct vm_space *dst, u64 va)
{
	unsigned flags;
	paddr_t pa = pt_lookup(src->pt, va, &flags);

	if (flags & PT_FILE)
		return pt_map(dst->pt, va, pa, flags);
	int r = page_share(pa);
	if (r == -EOVERFLOW) {
		u8 *copy = page_alloc_dirty(1);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, phys_to_virt(pa), PAGE_SIZE);
		r = pt_map(dst->pt, va, virt_to_phys(copy), flags & ~PT_COW);
		if (r)
			page_free(copy, 1);
		return r;
	}
	if (r)
		return r;
	r = pt_map(dst->pt, va, pa, flags | PT_COW);
	if (r) {
		page_unshare(pa); /* ours was not the last: src maps it */
		return r;
	}
	if (!(flags & PT_COW)) /* the same entry again: no table allocated */
		pt_map(src->pt, va, pa, flags | PT_COW);
	return 0;
}

/* Copies area v of src, and its pages, into dst. Locks held. */
static int fork_area(struct vm_space *src, struct vm_space *dst,
		     const struct vma *v)
{
	struct vma *n = kmalloc(sizeof(*n));

	if (!n)
		return -ENOMEM;
	*n = *v;
	if (n->file)
		file_get(n->file);
	vma_insert(dst, n);
	for (u64 va = pt_next_mapped(src->pt, v->start, v->end); va < v->end;
	     va = pt_next_mapped(src->pt, va + PAGE_SIZE, v->end)) {
		int r = fork_page(src, dst, va);
		if (r)
			return r;
	}
	return 0;
}

struct vm_space *vm_space_fork(struct vm_space *src)
{
	struct vm_space *dst = vm_space_create();
	int r = 0;

	if (!dst)
		return NULL;
	__atomic_store_n(&vm_forked, true, __ATOMIC_RELAXED);
	spin_lock(&src->lock);
	for (struct vma *v = vma_of(rb_first(&src->areas)); v && !r;
	     v = vma_next(v))
		r = fork_area(src, dst, v);
	dst->brk_start = src->brk_start;
	dst->brk_cur = src->brk_cur;
	dst->free_top = src->free_top;
	dst->free_hole = src->free_hole;
	VM_DEBUG_CHECK(src);
	spin_unlock(&src->lock);
	if (r) {
		vm_space_put(dst); /* drops what it was given */
		return NULL;
	}
	return dst;
}

/*
 * mm/vm.h: mm/'s private view of an address space, shared by mm/vm.c
 * (changes), mm/fault.c (faults) and mm/vmquery.c (queries, invariants).
 * The interface for everyone else is in include/skiff/mm.h.
 */
#ifndef MM_VM_H
#define MM_VM_H

#include <skiff/mm.h>

/* One area: [start, end) mapped alike. */
struct vma {
	u64 start, end;	/* page-aligned, start < end */
	int prot;	/* PROT_* */
	struct file *file; /* backing file (a reference), NULL: anonymous */
	u64 pgoff;	/* file page mapped at start (0 when anonymous) */
	bool shared;	/* MAP_SHARED: the file's own pages are mapped */
	bool may_write;	/* shared: the file was opened for writing */
	struct rb_node node; /* in vm_space.areas, keyed by start */
	struct list link; /* in vm_space.deferred once off the tree */
};

static inline struct vma *vma_of(struct rb_node *n)
{
	return n ? rb_entry(n, struct vma, node) : NULL;
}

static inline struct vma *vma_next(struct vma *v)
{
	return vma_of(rb_next(&v->node));
}

static inline struct vma *vma_prev(struct vma *v)
{
	return vma_of(rb_prev(&v->node));
}

/* Address-space ids for futex keys: 17 bits above a program address. */
#define VM_ID_MASK 0x1ffffu
/* Set by the first fork (mm/fork.c); read by vm_futex_key. */
extern bool vm_forked;

/* Puts area n (not overlapping any) into vs's tree. Lock held. */
void vma_insert(struct vm_space *vs, struct vma *n);
/* The last area starting at or below addr, or NULL. Lock held. */
struct vma *vma_find_le(struct vm_space *vs, u64 addr);
/* The area containing addr, or NULL. Lock held. O(log n); O(1) when
 * addr lies in the area found last (vs->hint). */
struct vma *vma_find(struct vm_space *vs, u64 addr);
/* The lowest area ending above addr, or NULL. Lock held. */
struct vma *vma_first_after(struct vm_space *vs, u64 addr);
/*
 * A program page at pa (flags from pt_unmap) leaves an address space: the
 * page is freed unless a file owns it (PT_FILE) or another address space
 * still maps it (copy-on-write).
 */
void vm_page_release(paddr_t pa, unsigned flags);
/* Drops the files of freed areas (file_put may sleep); lock not held. */
void vm_put_deferred(struct vm_space *vs);
/* Checks the invariants of mm/vm.c with the lock held; panics if broken. */
void vm_check_locked(struct vm_space *vs);

#ifdef SKIFF_DEBUG
#define VM_DEBUG_CHECK(vs) vm_check_locked(vs)
#else
#define VM_DEBUG_CHECK(vs) ((void)(vs))
#endif

#endif

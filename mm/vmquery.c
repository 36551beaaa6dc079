/*
 * mm/vmquery.c: questions about the program's address space (interface in
 * include/skiff/mm.h): is a range mapped (vm_check, behind copy_from_user
 * and copy_to_user), is a page resident, the areas for /proc/self/maps,
 * and the check of mm/vm.c's numbered invariants. Each lookup is a tree
 * search, O(log n) in the number of areas plus the areas it spans.
 */
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "vm.h"

int vm_check(u64 addr, u64 len, int prot)
{
	struct vm_space *vs = vm_current();
	u64 end = addr + len;
	int r = -EFAULT;

	if (end < addr || end > USER_END)
		return -EFAULT;
	if (!len)
		return 0;
	spin_lock(&vs->lock);
	for (struct vma *v = vma_find(vs, addr); v; v = vma_next(v)) {
		if ((v->prot & prot) != prot)
			break;
		if (v->end >= end) {
			r = 0;
			break;
		}
		struct vma *n = vma_next(v);
		if (!n || n->start != v->end)
			break;
	}
	spin_unlock(&vs->lock);
	return r;
}

/*
 * The futex key: (id << 47) | addr for a word of the process's own
 * memory (the first address space has id 0, so a program that never
 * forks keys by address alone), or bit 63 | its physical address for a
 * word in a present page of a MAP_SHARED file that another process may
 * map too. Looked up without the lock: the program half's tables are
 * freed only with the address space, and a racing munmap leaves either
 * entry, both harmless. Only after a fork can a page be another's.
 */
u64 vm_futex_key(u64 addr)
{
	struct vm_space *vs = vm_current();

	if (__atomic_load_n(&vm_forked, __ATOMIC_RELAXED)) {
		unsigned flags;
		paddr_t pa = pt_lookup(vs->pt, ALIGN_DOWN(addr, PAGE_SIZE), &flags);
		if (pa && (flags & PT_FILE))
			return 1ull << 63 | pa | (addr & (PAGE_SIZE - 1));
	}
	return (u64)vs->id << 47 | addr;
}

bool vm_resident(u64 addr)
{
	struct vm_space *vs = vm_current();

	spin_lock(&vs->lock);
	bool r = pt_lookup(vs->pt, ALIGN_DOWN(addr, PAGE_SIZE), NULL) != 0;
	spin_unlock(&vs->lock);
	return r;
}

u64 vm_mapped_end(u64 addr, int prot)
{
	struct vm_space *vs = vm_current();
	u64 a = addr;

	spin_lock(&vs->lock);
	struct vma *v = vma_find(vs, addr);
	while (v && v->start <= a && v->prot && (v->prot & prot) == prot) {
		a = v->end;
		v = vma_next(v);
	}
	spin_unlock(&vs->lock);
	return a;
}

/* The name /proc/self/maps gives v, as Linux names the break and stack. */
static const char *area_name(const struct vm_space *vs, const struct vma *v)
{
	u64 brk_end = ALIGN_UP(vs->brk_cur, PAGE_SIZE);

	if (vs->brk_start && v->start < brk_end && v->end > vs->brk_start)
		return "[heap]";
	if (v->end == VM_STACK_TOP)
		return "[stack]";
	return NULL;
}

/* Copies the areas, with their files referenced. Lock held. */
static size_t snapshot(struct vm_space *vs, struct vm_area_info *out, size_t max)
{
	size_t n = 0;

	for (struct vma *v = vma_of(rb_first(&vs->areas)); v && n < max;
	     v = vma_next(v), n++) {
		struct vm_area_info *a = &out[n];
		*a = (struct vm_area_info){ .start = v->start, .end = v->end,
			.prot = v->prot, .shared = v->shared, .pgoff = v->pgoff,
			.file = v->file ? file_get(v->file) : NULL,
			.name = area_name(vs, v) };
		for (u64 va = pt_next_mapped(vs->pt, v->start, v->end); va < v->end;
		     va = pt_next_mapped(vs->pt, va + PAGE_SIZE, v->end))
			a->resident++;
	}
	return n;
}

int vm_for_each_area(void (*fn)(const struct vm_area_info *a, void *arg),
		     void *arg)
{
	return vm_space_for_each_area(vm_current(), fn, arg);
}

int vm_space_for_each_area(struct vm_space *vs,
			   void (*fn)(const struct vm_area_info *a, void *arg),
			   void *arg)
{
	struct vm_area_info *all;
	size_t n;

	spin_lock(&vs->lock);
	n = vs->nareas;
	all = kmalloc((n ? n : 1) * sizeof(*all));
	if (all)
		n = snapshot(vs, all, n);
	spin_unlock(&vs->lock);
	if (!all)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		fn(&all[i], arg);
	for (size_t i = 0; i < n; i++)
		if (all[i].file)
			file_put(all[i].file);
	kfree(all);
	return 0;
}

/* Invariants 1 and 2: the areas themselves. */
static void check_areas(struct vm_space *vs)
{
	const struct vma *prev = NULL;
	size_t n = 0;

	for (struct vma *v = vma_of(rb_first(&vs->areas)); v;
	     prev = v, v = vma_next(v), n++) {
		if ((v->start | v->end) & (PAGE_SIZE - 1) || v->start >= v->end ||
		    v->end > VM_TASK_END)
			panic("vm invariant 1: bad area %#lx-%#lx", v->start, v->end);
		if (prev && prev->end > v->start)
			panic("vm invariant 1: %#lx-%#lx overlaps %#lx-%#lx",
			      prev->start, prev->end, v->start, v->end);
		if (prev && prev->end == v->start && prev->prot == v->prot &&
		    prev->file == v->file && prev->shared == v->shared &&
		    prev->may_write == v->may_write &&
		    (!v->file || prev->pgoff + (prev->end - prev->start) /
		     PAGE_SIZE == v->pgoff))
			panic("vm invariant 2: %#lx-%#lx and %#lx-%#lx not merged",
			      prev->start, prev->end, v->start, v->end);
		if (v->shared && !v->file)
			panic("vm invariant 4: shared area %#lx without a file",
			      v->start);
	}
	if (n != vs->nareas)
		panic("vm invariant 1: %zu areas, nareas %zu", n, vs->nareas);
}

/* Invariants 3 and 4: every mapped page of the program's half. */
static void check_pages(struct vm_space *vs)
{
	for (u64 va = pt_next_mapped(vs->pt, 0, VM_TASK_END); va < VM_TASK_END;
	     va = pt_next_mapped(vs->pt, va + PAGE_SIZE, VM_TASK_END)) {
		unsigned flags;
		pt_lookup(vs->pt, va, &flags);
		struct vma *v = vma_find(vs, va);
		if (!v)
			panic("vm invariant 3: page %#lx outside every area", va);
		if ((int)(flags & (PROT_READ | PROT_WRITE | PROT_EXEC)) != v->prot)
			panic("vm invariant 3: page %#lx prot %#x, area %#x", va,
			      flags, v->prot);
		if (!!(flags & PT_FILE) != (v->file && v->shared))
			panic("vm invariant 4: page %#lx file flag %#x", va, flags);
		if ((flags & PT_FILE) && (flags & PT_COW))
			panic("vm invariant 4: file page %#lx copy-on-write", va);
	}
}

/* Invariant 8: no gap above free_top larger than free_hole. */
static void check_free_top(struct vm_space *vs)
{
	u64 prev = vs->free_top;

	if (!prev)
		return;
	for (struct vma *v = vma_first_after(vs, prev); prev < VM_MMAP_TOP;
	     v = vma_next(v)) {
		u64 next = v ? MIN(v->start, VM_MMAP_TOP) : VM_MMAP_TOP;
		if (next > prev && next - prev > vs->free_hole)
			panic("vm invariant 8: gap %#lx-%#lx above free_top %#lx "
			      "(largest %#lx)", prev, next, vs->free_top,
			      vs->free_hole);
		if (!v)
			break;
		prev = MAX(prev, v->end);
	}
}

void vm_check_locked(struct vm_space *vs)
{
	check_areas(vs);
	check_free_top(vs);
	check_pages(vs);
	if ((vs->brk_start & (PAGE_SIZE - 1)) || vs->brk_cur < vs->brk_start ||
	    (vs->brk_start && vs->brk_cur >= VM_MMAP_TOP))
		panic("vm invariant 6: brk %#lx-%#lx", vs->brk_start, vs->brk_cur);
}

void vm_check_invariants(struct vm_space *vs)
{
	spin_lock(&vs->lock);
	vm_check_locked(vs);
	spin_unlock(&vs->lock);
}

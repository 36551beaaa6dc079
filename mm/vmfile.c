/*
 * mm/vmfile.c: the file side of the address spaces: a file cut short
 * (truncate) takes its pages past the new end out of every MAP_SHARED
 * mapping of it, so that the next access faults and the fault finds the
 * page past the end (SIGBUS, as Linux) instead of a page the file no
 * longer owns. Layer: mm. Interface: vm_unmap_file_from (skiff/mm.h).
 */
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/process.h>
#include <skiff/vfs.h>
#include "vm.h"

struct cut {
	struct inode *ino;
	u64 first;	/* file page index: this one and those after go */
};

/* Unmaps the cut pages from the MAP_SHARED areas of ino in vs. */
static void cut_space(struct vm_space *vs, const struct cut *c)
{
	spin_lock(&vs->lock);
	for (struct vma *v = vma_first_after(vs, 0); v; v = vma_next(v)) {
		u64 pages = (v->end - v->start) / PAGE_SIZE, start = v->start;

		if (!v->shared || !v->file || v->file->inode != c->ino ||
		    v->pgoff + pages <= c->first)
			continue;
		if (c->first > v->pgoff)
			start += (c->first - v->pgoff) * PAGE_SIZE;
		for (u64 va = pt_next_mapped(vs->pt, start, v->end);
		     va < v->end;
		     va = pt_next_mapped(vs->pt, va + PAGE_SIZE, v->end)) {
			unsigned flags;
			paddr_t pa = pt_unmap(vs->pt, va, &flags);

			vm_page_release(pa, flags); /* PT_FILE: stays the file's */
		}
	}
	spin_unlock(&vs->lock);
}

static bool cut_process(struct process *p, void *arg)
{
	if (p->vm)
		cut_space(p->vm, arg);
	return false;
}

void vm_unmap_file_from(struct inode *ino, u64 first)
{
	struct cut c = { .ino = ino, .first = first };

	process_for_each(cut_process, &c);
}

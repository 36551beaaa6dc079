/*
 * mm/fault.c: page faults in the program's half (vm_fault, declared in
 * include/skiff/mm.h). arch/x86_64/trap.c decodes the CPU's report into a
 * struct fault_info and calls up into vm_fault, which fills the page the
 * area says belongs there: a zeroed page (anonymous), the file's own page
 * (MAP_SHARED, PT_FILE), or for MAP_PRIVATE the file's page shared
 * copy-on-write (PT_COW) or a private copy of it; and a write to a page
 * shared copy-on-write (since a fork, or with the file) gets a copy of its
 * own, or the page itself when nothing else has it any longer. See
 * the invariants of mm/vm.c. Its pages and page tables may use the reserve of
 * mm/page.c; without memory even there the fault is -ENOMEM (SIGBUS).
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "page.h"
#include "vm.h"

/*
 * No page left even in the reserve (mm/page.c): the fault cannot be
 * served. The program gets SIGBUS (vm_fault returns -ENOMEM; arch/x86_64/
 * trap.c), with this line in the kernel log.
 * DIVERGENCE: Linux would run its OOM killer; there is one program here.
 */
static int out_of_memory(u64 addr)
{
	klog("out of memory: no page for address %#lx (%lu MiB total): "
	     "SIGBUS; give the VM more memory (-m)",
	     addr, page_total_count() * PAGE_SIZE >> 20);
	return -ENOMEM;
}

/*
 * A private copy of the file page *page shared by share_page, whose share
 * is dropped: a write to a page not yet mapped. 0 or -ENOMEM.
 */
static int copy_shared(void **page)
{
	u8 *copy = page_alloc_reserved(1, false);

	if (copy)
		memcpy(copy, *page, PAGE_SIZE);
	vm_page_release(virt_to_phys(*page), PT_COW);
	*page = copy;
	return copy ? 0 : -ENOMEM;
}

/*
 * The page a file-backed fault maps, with its flags: the file's own page
 * (MAP_SHARED: PT_FILE); for a read of a MAP_PRIVATE area, the file's
 * page shared copy-on-write when the file offers one (share_page: PT_COW,
 * copied at the first write, cow_break); else, and for a write, a private
 * copy of it, or read from the file (zeros past its end). Called without
 * the VM lock: reading may sleep. 0, -EIO (past the end: SIGBUS), -EFAULT
 * or -ENOMEM.
 */
static int file_page(struct file *f, u64 index, bool shared, bool write,
		     void **out, unsigned *flags)
{
	*flags = shared ? PT_FILE : 0;
	if (shared) {
		if (!f->ops->get_page)
			return -EFAULT;
		int r = f->ops->get_page(f, index, out);
		return r == -ENOMEM ? r : r == -ENXIO ? -EIO : r ? -EFAULT : 0;
	}
	if (f->ops->share_page) {
		int r = f->ops->share_page(f, index, out);
		if (r == 0 && !write)
			*flags = PT_COW;
		if (r == 0 && write)
			r = copy_shared(out);
		if (r != -EAGAIN)
			return r == -ENXIO ? -EIO : r == -ENOMEM ? r
				: r ? -EFAULT : 0;
	}
	/* A page wholly past the end of the file: SIGBUS, as Linux. */
	if (index * PAGE_SIZE >= ALIGN_UP(file_size(f), PAGE_SIZE))
		return -EIO;
	u8 *p = page_alloc_reserved(1, false);
	if (!p)
		return -ENOMEM;
	long n = file_pread(f, p, PAGE_SIZE, index * PAGE_SIZE);
	if (n < 0) {
		page_free(p, 1);
		return -EFAULT;
	}
	memset(p + n, 0, PAGE_SIZE - n);
	*out = p;
	return 0;
}

/* Whether area v allows the access fi describes. */
static bool allowed(const struct vma *v, const struct fault_info *fi)
{
	if (!v || !v->prot)
		return false;
	if (fi->write && !(v->prot & PROT_WRITE))
		return false;
	return !fi->exec || (v->prot & PROT_EXEC);
}

/* Faults of every address space, dead ones too (vm_fault_total). */
static u64 fault_total;

/* Counts a fault; lock held (invariant 7). */
static void account(struct vm_space *vs, u64 t0)
{
	__atomic_fetch_add(&fault_total, 1, __ATOMIC_RELAXED);
	vs->fault_count++;
	vs->fault_cycles += rdtsc() - t0;
}

/*
 * Reads the page of file area v for va (for a write: a private copy at
 * once), dropping the lock meanwhile; on return the lock is held again.
 * 0 with *page and *flags set; 1 when the area changed meanwhile (the
 * program retries the access); or an error, with the lock held.
 */
static int fill_from_file(struct vm_space *vs, struct vma *v, u64 va,
			  bool write, void **page, unsigned *flags)
{
	struct file *f = file_get(v->file);
	u64 index = v->pgoff + (va - v->start) / PAGE_SIZE;
	bool shared = v->shared;

	spin_unlock(&vs->lock);
	int r = file_page(f, index, shared, write, page, flags);
	file_put(f);
	spin_lock(&vs->lock);
	if (r)
		return r == -ENOMEM ? out_of_memory(va) : r;
	v = vma_find(vs, va);
	if (!v || v->file != f || pt_lookup(vs->pt, va, NULL)) {
		vm_page_release(virt_to_phys(*page), *flags);
		return 1;
	}
	return 0;
}

/*
 * A write to the copy-on-write page old at va: the page becomes va's own,
 * a copy unless no other address space maps it any longer. Lock held.
 * 0, or -ENOMEM (no page for the copy, even in the reserve).
 */
static int cow_break(struct vm_space *vs, u64 va, paddr_t old, int prot)
{
	if (!page_is_shared(old))
		return pt_map(vs->pt, va, old, prot); /* the last one: ours */
	u8 *copy = page_alloc_reserved(1, false);
	if (!copy)
		return out_of_memory(va);
	memcpy(copy, phys_to_virt(old), PAGE_SIZE);
	/* Same entry, other page: no page table is allocated. */
	pt_map(vs->pt, va, virt_to_phys(copy), prot);
	vm_page_release(old, 0);
	return 0;
}

int vm_fault(const struct fault_info *fi)
{
	struct vm_space *vs = vm_current();
	u64 va = ALIGN_DOWN(fi->addr, PAGE_SIZE);
	u64 t0 = rdtsc();
	void *page = NULL;
	unsigned flags = 0;
	int r = -EFAULT;

	spin_lock(&vs->lock);
	struct vma *v = vma_find(vs, fi->addr);
	if (!allowed(v, fi))
		goto out;
	/*
	 * Present now: shared copy-on-write; or another thread filled it
	 * between this fault and the lock (the fault is preemptible until
	 * here), or the flags are stale. Mapping a fresh page over it would
	 * lose what that thread wrote.
	 */
	paddr_t old = pt_lookup(vs->pt, va, &flags);
	if (old) {
		r = (flags & PT_COW) && fi->write ? cow_break(vs, va, old, v->prot)
						  : 0;
		if (!r)
			pt_protect(vs->pt, va, v->prot);
		goto out;
	}
	if (v->file) {
		r = fill_from_file(vs, v, va, fi->write, &page, &flags);
		if (r)
			goto out;
		v = vma_find(vs, va);
	} else if (!(page = page_alloc_reserved(1, true))) {
		r = out_of_memory(fi->addr);
		goto out;
	}
	page_urgent_enter(); /* page tables: interrupts are off (the lock) */
	r = pt_map(vs->pt, va, virt_to_phys(page), v->prot | flags);
	page_urgent_leave();
	if (r) {
		vm_page_release(virt_to_phys(page), flags);
		r = out_of_memory(fi->addr);
		goto out;
	}
out:
	account(vs, t0);
	spin_unlock(&vs->lock);
	return r == 1 ? 0 : r;
}

u64 vm_fault_total(void)
{
	return __atomic_load_n(&fault_total, __ATOMIC_RELAXED);
}

void vm_fault_stats(u64 *count, u64 *cycles)
{
	vm_space_fault_stats(vm_current(), count, cycles);
}

void vm_space_fault_stats(struct vm_space *vs, u64 *count, u64 *cycles)
{
	spin_lock(&vs->lock);
	if (count)
		*count = vs->fault_count;
	if (cycles)
		*cycles = vs->fault_cycles;
	spin_unlock(&vs->lock);
}

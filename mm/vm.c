/*
 * mm/vm.c: the program's address space (see vm.h). Invariants:
 *  1. areas are sorted, page-aligned, non-empty and never overlap;
 *  2. a present page-table entry in the low half lies inside an area whose
 *     prot its flags reflect;
 *  3. a present page is either the program's own (anonymous, or a private
 *     copy of a file page), allocated by vm_fault and freed when its area
 *     (or that part) goes away; or a file's page (PTE_FILE, MAP_SHARED),
 *     which stays the file's.
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/sched.h>
#include <skiff/vfs.h>
#include "../arch/x86_64/paging.h"
#include "../arch/x86_64/trap.h"
#include "vm.h"

static struct spinlock lock = SPINLOCK_INIT;
static struct list areas = { &areas, &areas };
static u64 brk_start, brk_cur;
u64 vm_fault_count, vm_fault_cycles; /* for the verbose exit report */

static struct vma *vma_of(struct list *l)
{
	return list_entry(l, struct vma, link);
}

static u64 pte_flags(int prot)
{
	u64 f = PTE_U;

	if (prot & PROT_WRITE)
		f |= PTE_W;
	if (!(prot & PROT_EXEC))
		f |= PTE_NX;
	return f;
}

/* The area containing addr, or NULL. Lock held. */
static struct vma *find(u64 addr)
{
	list_for_each(it, &areas) {
		struct vma *v = vma_of(it);
		if (addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
	}
	return NULL;
}

static bool range_free(u64 start, u64 end)
{
	list_for_each(it, &areas) {
		struct vma *v = vma_of(it);
		if (v->start < end && start < v->end)
			return false;
	}
	return true;
}

static void insert(struct vma *n)
{
	struct list *pos = &areas;

	list_for_each(it, &areas) {
		if (vma_of(it)->start > n->start)
			break;
		pos = it;
	}
	list_insert_after(pos, &n->link);
}

#define PTE_FILE (1ull << 9) /* software bit: the page belongs to a file */

static void free_pages(u64 start, u64 end)
{
	for (u64 va = pt_next_mapped(start, end); va < end;
	     va = pt_next_mapped(va + PAGE_SIZE, end)) {
		bool file = pt_flags(va) & PTE_FILE;
		paddr_t pa = pt_unmap(va);
		if (pa && !file)
			page_free(phys_to_virt(pa), 1);
	}
}

/* Areas of files wait here to drop their file outside the lock. */
static struct list deferred = { &deferred, &deferred };

/* Frees an area that is off the list. Lock held. */
static void vma_free(struct vma *v)
{
	if (v->file)
		list_push_back(&deferred, &v->link);
	else
		kfree(v);
}

/* Drops the file references of freed areas (file_put may sleep). */
static void put_deferred(void)
{
	for (;;) {
		spin_lock(&lock);
		struct vma *v = list_empty(&deferred) ? NULL : vma_of(deferred.next);
		if (v)
			list_remove(&v->link);
		spin_unlock(&lock);
		if (!v)
			return;
		file_put(v->file);
		kfree(v);
	}
}

/* Splits the area at addr if addr falls strictly inside one. Lock held. */
static int split_at(u64 addr)
{
	struct vma *v = find(addr);

	if (!v || v->start == addr)
		return 0;
	struct vma *n = kmalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	*n = *v;
	n->start = addr;
	n->pgoff = v->pgoff + (addr - v->start) / PAGE_SIZE;
	if (n->file)
		file_get(n->file);
	v->end = addr;
	list_insert_after(&v->link, &n->link);
	return 0;
}

/* Removes [start, end) from the address space. Lock held. */
static int unmap_locked(u64 start, u64 end)
{
	if (split_at(start) || split_at(end))
		return -ENOMEM;
	list_for_each_safe(it, tmp, &areas) {
		struct vma *v = vma_of(it);
		if (v->start >= start && v->end <= end) {
			free_pages(v->start, v->end);
			list_remove(&v->link);
			vma_free(v);
		}
	}
	return 0;
}

/* A free range of len bytes below top, highest first; 0 if none. */
static u64 find_free(u64 len, u64 top)
{
	u64 end = top;

	for (struct list *it = areas.prev; it != &areas; it = it->prev) {
		struct vma *v = vma_of(it);
		if (v->start >= end)
			continue;
		if (v->end <= end - len && end - len >= VM_MIN_ADDR)
			return end - len;
		end = MIN(end, v->start);
	}
	return end >= len && end - len >= VM_MIN_ADDR ? end - len : 0;
}

static bool valid_range(u64 addr, u64 len)
{
	return len && !(addr & (PAGE_SIZE - 1)) && addr < USER_END &&
	       len <= USER_END - addr;
}

long vm_map(u64 addr, u64 len, int prot, bool fixed, bool noreplace)
{
	return vm_map_file(addr, len, prot, fixed, noreplace, NULL, 0, false,
			   false);
}

long vm_map_file(u64 addr, u64 len, int prot, bool fixed, bool noreplace,
		 struct file *f, u64 pgoff, bool shared, bool may_write)
{
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len)
		return -ENOMEM;
	if (fixed && !valid_range(addr, len))
		return -EINVAL;
	struct vma *n = kmalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;

	spin_lock(&lock);
	if (fixed) {
		if (!range_free(addr, addr + len)) {
			if (noreplace || unmap_locked(addr, addr + len)) {
				spin_unlock(&lock);
				kfree(n);
				return noreplace ? -EEXIST : -ENOMEM;
			}
		}
	} else {
		addr = ALIGN_DOWN(addr, PAGE_SIZE);
		if (!addr || !valid_range(addr, len) || addr < VM_MIN_ADDR ||
		    !range_free(addr, addr + len))
			addr = find_free(len, VM_MMAP_TOP);
		if (!addr) {
			spin_unlock(&lock);
			kfree(n);
			return -ENOMEM;
		}
	}
	*n = (struct vma){ .start = addr, .end = addr + len, .prot = prot,
			   .file = f ? file_get(f) : NULL, .pgoff = pgoff,
			   .shared = shared, .may_write = may_write };
	insert(n);
	spin_unlock(&lock);
	put_deferred();
	return addr;
}

int vm_unmap(u64 addr, u64 len)
{
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!valid_range(addr, len))
		return -EINVAL;
	spin_lock(&lock);
	int r = unmap_locked(addr, addr + len);
	spin_unlock(&lock);
	put_deferred();
	return r;
}

int vm_protect(u64 addr, u64 len, int prot)
{
	u64 end;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (!len)
		return 0;
	if (!valid_range(addr, len))
		return -ENOMEM;
	end = addr + len;
	spin_lock(&lock);
	/* Linux: -ENOMEM if any part of the range is unmapped. */
	for (u64 a = addr; a < end;) {
		struct vma *v = find(a);
		int err = !v ? -ENOMEM :
			  v->shared && (prot & PROT_WRITE) && !v->may_write ? -EACCES : 0;
		if (err) {
			spin_unlock(&lock);
			return err;
		}
		a = v->end;
	}
	if (split_at(addr) || split_at(end)) {
		spin_unlock(&lock);
		return -ENOMEM;
	}
	list_for_each(it, &areas) {
		struct vma *v = vma_of(it);
		if (v->start >= addr && v->end <= end) {
			v->prot = prot;
			for (u64 va = pt_next_mapped(v->start, v->end); va < v->end;
			     va = pt_next_mapped(va + PAGE_SIZE, v->end))
				pt_protect(va, pte_flags(prot) |
						       (pt_flags(va) & PTE_FILE));
		}
	}
	spin_unlock(&lock);
	return 0;
}

int vm_discard(u64 addr, u64 len)
{
	len = ALIGN_UP(len, PAGE_SIZE);
	if (addr & (PAGE_SIZE - 1) || !valid_range(addr, len ? len : 1))
		return -EINVAL;
	spin_lock(&lock);
	free_pages(addr, addr + len);
	spin_unlock(&lock);
	return 0;
}

/* Moves the pages of [old, old+len) to new. Lock held; new is unmapped. */
static void move_pages(u64 old, u64 new, u64 len)
{
	for (u64 off = 0; off < len; off += PAGE_SIZE) {
		u64 file = pt_flags(old + off) & PTE_FILE;
		paddr_t pa = pt_unmap(old + off);
		if (!pa)
			continue;
		struct vma *v = find(new + off);
		if (pt_map(new + off, pa, pte_flags(v ? v->prot : 0) | file) && !file)
			page_free(phys_to_virt(pa), 1); /* contents lost: OOM */
	}
}

long vm_remap(u64 old, u64 oldlen, u64 newlen, bool maymove, bool fixed, u64 new)
{
	oldlen = ALIGN_UP(oldlen, PAGE_SIZE);
	newlen = ALIGN_UP(newlen, PAGE_SIZE);
	if ((old & (PAGE_SIZE - 1)) || !newlen || (fixed && !maymove) ||
	    (fixed && (new & (PAGE_SIZE - 1))))
		return -EINVAL;
	spin_lock(&lock);
	struct vma *v = find(old);
	if (!v || old + oldlen > v->end || !oldlen) {
		spin_unlock(&lock);
		return -EFAULT;
	}
	int prot = v->prot;
	long r;
	if (!fixed && newlen <= oldlen) {
		r = unmap_locked(old + newlen, old + oldlen) ? -ENOMEM : (long)old;
	} else if (!fixed && v->end == old + oldlen &&
		   range_free(old + oldlen, old + newlen) &&
		   old + newlen <= VM_STACK_TOP) {
		v->end = old + newlen; /* grow in place */
		r = old;
	} else if (!maymove) {
		r = -ENOMEM;
	} else {
		u64 dst = new;
		if (fixed)
			unmap_locked(new, new + newlen);
		else
			dst = find_free(newlen, VM_MMAP_TOP);
		struct vma *n = dst ? kmalloc(sizeof(*n)) : NULL;
		if (!n) {
			r = -ENOMEM;
		} else {
			*n = (struct vma){ .start = dst, .end = dst + newlen,
					   .prot = prot, .file = v->file ?
					   file_get(v->file) : NULL,
					   .pgoff = v->pgoff + (old - v->start) / PAGE_SIZE,
					   .shared = v->shared, .may_write = v->may_write };
			insert(n);
			move_pages(old, dst, MIN(oldlen, newlen));
			unmap_locked(old, old + oldlen);
			r = dst;
		}
	}
	spin_unlock(&lock);
	put_deferred();
	return r;
}

void vm_set_brk_start(u64 start)
{
	brk_start = brk_cur = ALIGN_UP(start, PAGE_SIZE);
}

u64 vm_brk(u64 newbrk)
{
	u64 old_end = ALIGN_UP(brk_cur, PAGE_SIZE);
	u64 new_end = ALIGN_UP(newbrk, PAGE_SIZE);

	if (newbrk < brk_start || newbrk >= VM_MMAP_TOP)
		return brk_cur;
	if (new_end > old_end) {
		spin_lock(&lock);
		bool ok = range_free(old_end, new_end);
		spin_unlock(&lock);
		if (!ok || vm_map(old_end, new_end - old_end,
				  PROT_READ | PROT_WRITE, true, true) < 0)
			return brk_cur;
	} else if (new_end < old_end) {
		vm_unmap(new_end, old_end - new_end);
	}
	brk_cur = newbrk;
	return brk_cur;
}

int vm_check(u64 addr, u64 len, int prot)
{
	u64 end = addr + len;
	int r = 0;

	if (end < addr || end > USER_END)
		return -EFAULT;
	spin_lock(&lock);
	for (u64 a = addr; a < end;) {
		struct vma *v = find(a);
		if (!v || (v->prot & prot) != prot) {
			r = -EFAULT;
			break;
		}
		a = v->end;
	}
	spin_unlock(&lock);
	return r;
}

bool vm_resident(u64 addr)
{
	spin_lock(&lock);
	bool r = pt_lookup(addr) != 0;
	spin_unlock(&lock);
	return r;
}

u64 vm_mapped_end(u64 addr, int prot)
{
	spin_lock(&lock);
	u64 a = addr;
	for (;;) {
		struct vma *v = find(a);
		if (!v || (v->prot & prot) != prot || !v->prot)
			break;
		a = v->end;
	}
	spin_unlock(&lock);
	return a;
}

static void __noreturn out_of_memory(u64 addr)
{
	kernel_error("out of memory: no page for address %#lx (%lu MiB "
		     "total); give the VM more memory (-m)",
		     addr, page_total_count() * PAGE_SIZE >> 20);
}

/*
 * The page a file-backed fault maps: the file's own page (shared), or a
 * private copy read from the file (zeros past its end). Called without the
 * VM lock: reading may sleep. 0, -EFAULT (no such page: SIGBUS territory)
 * or -ENOMEM.
 */
static int file_page(struct file *f, u64 index, bool shared, void **out)
{
	if (shared) {
		if (!f->ops->get_page)
			return -EFAULT;
		int r = f->ops->get_page(f, index, out);
		return r == -ENOMEM ? r : r == -ENXIO ? -EIO : r ? -EFAULT : 0;
	}
	/* A page wholly past the end of the file: SIGBUS, as Linux. */
	if (index * PAGE_SIZE >= ALIGN_UP(file_size(f), PAGE_SIZE))
		return -EIO;
	u8 *p = page_alloc_dirty(1);
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

int vm_fault(u64 addr, u64 error)
{
	u64 va = ALIGN_DOWN(addr, PAGE_SIZE);
	u64 t0 = rdtsc();
	void *page = NULL;
	u64 extra = 0;
	int r = -EFAULT;

	spin_lock(&lock);
	struct vma *v = find(addr);
	if (!v || !v->prot)
		goto out;
	if ((error & 2) && !(v->prot & PROT_WRITE))
		goto out;
	if ((error & 0x10) && !(v->prot & PROT_EXEC))
		goto out;
	/*
	 * Present now: another thread filled it between this fault and the
	 * lock (the fault is preemptible until here), or the flags are stale.
	 * Mapping a fresh page over it would lose what that thread wrote.
	 */
	if (pt_lookup(va)) {
		pt_protect(va, pte_flags(v->prot) | (pt_flags(va) & PTE_FILE));
		r = 0;
		goto out;
	}
	if (v->file) {
		struct file *f = file_get(v->file);
		u64 index = v->pgoff + (va - v->start) / PAGE_SIZE;
		bool shared = v->shared;
		spin_unlock(&lock);
		r = file_page(f, index, shared, &page);
		file_put(f);
		if (r == -ENOMEM)
			out_of_memory(addr);
		if (r)
			return r;
		extra = shared ? PTE_FILE : 0;
		spin_lock(&lock);
		/* The area may have changed while the lock was dropped. */
		v = find(addr);
		if (!v || v->file != f || pt_lookup(va)) {
			if (!shared)
				page_free(page, 1);
			r = 0; /* the program retries the access */
			goto out;
		}
	} else {
		page = page_alloc(1);
		if (!page) {
			spin_unlock(&lock);
			out_of_memory(addr);
		}
	}
	if (pt_map(va, virt_to_phys(page), pte_flags(v->prot) | extra)) {
		if (!extra)
			page_free(page, 1);
		spin_unlock(&lock);
		kernel_error("out of memory for page tables; give the VM "
			     "more memory (-m)");
	}
	r = 0;
out:
	spin_unlock(&lock);
	vm_fault_count++;
	vm_fault_cycles += rdtsc() - t0;
	return r;
}

/* Copies the areas, with their files referenced. Lock held. */
static size_t snapshot(struct vm_area_info *out, size_t max)
{
	size_t n = 0;

	list_for_each(it, &areas) {
		struct vma *v = vma_of(it);
		struct vm_area_info *a = &out[n];

		if (n == max)
			break;
		*a = (struct vm_area_info){ .start = v->start, .end = v->end,
			.prot = v->prot, .shared = v->shared, .pgoff = v->pgoff,
			.file = v->file ? file_get(v->file) : NULL };
		for (u64 va = pt_next_mapped(v->start, v->end); va < v->end;
		     va = pt_next_mapped(va + PAGE_SIZE, v->end))
			a->resident++;
		if (v->start >= brk_start && v->end <= ALIGN_UP(brk_cur, PAGE_SIZE))
			a->name = "[heap]";
		else if (v->end == VM_STACK_TOP)
			a->name = "[stack]";
		n++;
	}
	return n;
}

int vm_for_each_area(void (*fn)(const struct vm_area_info *a, void *arg),
		     void *arg)
{
	struct vm_area_info *all;
	size_t n = 0;

	spin_lock(&lock);
	list_for_each(it, &areas)
		n++;
	all = kmalloc((n ? n : 1) * sizeof(*all));
	if (all)
		n = snapshot(all, n);
	spin_unlock(&lock);
	if (!all)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		fn(&all[i], arg);
	for (size_t i = 0; i < n; i++)
		file_put(all[i].file);
	kfree(all);
	return 0;
}

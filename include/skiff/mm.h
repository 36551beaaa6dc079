/*
 * Memory: the program's address space, the boot of the allocators, and
 * access to program memory from syscalls. mm/. Below it, arch/'s headers,
 * included here so that mm's users see one interface:
 *   skiff/paging.h   the memory layout (PAGE_SIZE, USER_END, the direct
 *                    map), the paging API mm drives, and the decoded page
 *                    fault arch hands up to vm_fault (mm/fault.c)
 *   skiff/alloc.h    the page allocator and the kernel heap, implemented
 *                    by mm/page.c and mm/heap.c, declared at arch's level
 *                    because arch allocates too (page tables, buffers)
 *   skiff/uaccess.h  copies to and from program memory: arch's fault-safe
 *                    copies and mm's checked ones (mm/uaccess.c)
 */
#ifndef SKIFF_MM_H
#define SKIFF_MM_H

#include <skiff/alloc.h>
#include <skiff/paging.h>
#include <skiff/rbtree.h>
#include <skiff/sched.h>
#include <skiff/types.h>
#include <skiff/uaccess.h>

/* A range of RAM, [start, end), from the boot memory map. */
struct mem_range {
	paddr_t start, end;
};
/*
 * Boot (mm/init.c): sets up the page allocator over the ram ranges and
 * builds the final page table; the initrd's pages stay reserved. Once, on
 * the boot CPU, before any allocation.
 */
void mm_init(const struct mem_range *ram, size_t n, paddr_t initrd,
	     u64 initrd_len);

/*
 * Program memory (mm/uaccess.c; user_check, copy_from_user, copy_to_user:
 * skiff/uaccess.h). Copies a NUL-terminated string of at most max bytes
 * (NUL included) into a new kmalloc'd buffer in *out. 0, -EFAULT,
 * -ENAMETOOLONG or -ENOMEM.
 */
int user_strdup(const char *usrc, size_t max, char **out);

/*
 * The program's address space (mm/vm.c, mm/fault.c, mm/vmquery.c): areas
 * of anonymous or file memory, populated lazily on fault. Every call below
 * works on vm_current(), takes its lock, and never sleeps unless it says.
 */
#define VM_STACK_TOP 0x7ffffffff000ul /* as Linux without randomization */
#define VM_TASK_END VM_STACK_TOP      /* Linux's TASK_SIZE: no area above */
#define VM_MMAP_TOP 0x7ffff7fff000ul  /* mmap allocates downwards from here */
#define VM_MIN_ADDR 0x10000ul         /* vm.mmap_min_addr */

struct file;

/* One program's address space. Fields are mm/'s; others use the calls. */
struct vm_space {
	struct spinlock lock;	/* guards every field below but refs */
	struct pgtable *pt;	/* its page table (arch's; set at creation) */
	int refs;		/* users: processes (atomic) */
	u32 id;			/* for futex keys (vm_futex_key); set at creation */
	struct rb_tree areas;	/* struct vma (mm/vm.h) by address */
	size_t nareas;		/* nodes in areas */
	void *hint;		/* the area vma_find found last (mm/vm.c), or NULL */
	u64 brk_start, brk_cur;	/* the program break: start and current */
	u64 free_top;		/* mmap's search resumes below here (0: top) */
	u64 free_hole;		/* the largest gap above free_top */
	u64 fault_count;	/* page faults taken (minflt) */
	u64 fault_cycles;	/* TSC cycles spent in them */
	struct list deferred;	/* freed file areas awaiting file_put */
};

/* The address space of the running thread's process (process_current()->vm);
 * only program threads have one. */
struct vm_space *vm_current(void);
/*
 * A new empty address space with a page table of its own, one reference,
 * or NULL. Nothing uses it until vm_activate loads it.
 */
struct vm_space *vm_space_create(void);
/* One more user of vs (a vfork child, a process sharing it by CLONE_VM). */
void vm_space_get(struct vm_space *vs);
/*
 * Drops a reference; the last unmaps everything, drops the files and
 * frees the page table and vs (may sleep: file_put). If this CPU has vs
 * loaded, the boot root is loaded instead (the caller must not touch
 * program memory after that).
 */
void vm_space_put(struct vm_space *vs);
/* Unmaps everything in vs and frees its areas (may sleep: file_put). */
void vm_space_clear(struct vm_space *vs);
/*
 * A copy-on-write copy of vs (fork): the same areas (file references
 * taken), every page of the program's own mapped read-only in both until
 * one of them writes it (mm/fault.c copies it then), the pages of shared
 * file areas mapped in both. NULL without memory, vs unchanged but for
 * its pages' write protection. May sleep.
 */
struct vm_space *vm_space_fork(struct vm_space *vs);
/* Loads vs's page table on this CPU (the scheduler's switch, exec). */
void vm_activate(struct vm_space *vs);

/*
 * Maps [addr, addr+len) of anonymous zero-filled memory. Without fixed,
 * addr is a hint and a free range is chosen (top-down below VM_MMAP_TOP);
 * with fixed, what was there is unmapped first, unless noreplace, which
 * fails with -EEXIST. Returns the address, -ENOMEM (no room, beyond the
 * top, out of memory) or -EINVAL (misaligned fixed address).
 */
long vm_map(u64 addr, u64 len, int prot, bool fixed, bool noreplace);
/*
 * The same for a file (taking a reference to it) from page pgoff:
 * MAP_PRIVATE pages are the file's shared copy-on-write where it offers
 * them (file_ops.share_page), else copies made on first touch, and always
 * copies once written; MAP_SHARED pages are the file's own
 * (file_ops.get_page), so stores reach the file. May sleep.
 */
long vm_map_file(u64 addr, u64 len, int prot, bool fixed, bool noreplace,
		 struct file *f, u64 pgoff, bool shared, bool may_write);
/* munmap: -EINVAL for a misaligned, empty or out-of-range range. May sleep. */
int vm_unmap(u64 addr, u64 len);
/* mprotect: -ENOMEM over a hole, -EACCES to write a read-only shared file. */
int vm_protect(u64 addr, u64 len, int prot);
/*
 * mremap: -ENOMEM when it cannot grow in place and may not move; -EINVAL
 * for a fixed destination overlapping the source; -EFAULT when the source
 * is not one area. May sleep.
 */
long vm_remap(u64 old, u64 oldlen, u64 newlen, bool maymove, bool fixed, u64 new);
/*
 * madvise(2) on [addr, addr+len): checks the range as Linux does (-EINVAL
 * misaligned or wrapping, -ENOMEM over a hole) and, when discard, frees the
 * pages: the next touch reads zeros (or the file).
 */
int vm_advise(u64 addr, u64 len, bool discard);
/* brk(2): sets the program break; returns the break now in force. */
u64 vm_brk(u64 newbrk);
void vm_set_brk_start(u64 start);
/* vm_check (is a range mapped with a protection?): skiff/paging.h. */
/*
 * The futex key of the word at addr (sched/futex.c): the same for every
 * process that shares the word's memory, different otherwise. The caller
 * has touched the word (its page is present, if it can be).
 */
u64 vm_futex_key(u64 addr);
/* Whether the page at addr is in memory (mincore). */
bool vm_resident(u64 addr);
/* The end of the mapped run containing addr with at least prot, or addr. */
u64 vm_mapped_end(u64 addr, int prot);
/* Page faults taken and TSC cycles spent in them (either pointer may be NULL). */
void vm_fault_stats(u64 *count, u64 *cycles);
/* Page faults of every address space since boot (/metrics). Any context. */
u64 vm_fault_total(void);
/* The same for vs, which the caller holds a reference to (/proc/PID/stat). */
void vm_space_fault_stats(struct vm_space *vs, u64 *count, u64 *cycles);

/* struct fault_info and vm_fault (arch/x86_64/trap.c hands mm a decoded
 * page fault): skiff/paging.h. */

/*
 * File ino was cut short to first pages (truncate): unmaps its pages from
 * first on in every MAP_SHARED mapping of every process, so the next
 * access faults (SIGBUS past the end). Call before the file frees the
 * pages; takes the process table's and each space's lock. mm/vmfile.c.
 */
struct inode;
void vm_unmap_file_from(struct inode *ino, u64 first);

/* An area as vm_for_each_area shows it (/proc/self/maps, status). */
struct vm_area_info {
	u64 start, end;
	int prot;
	bool shared;
	struct file *file;	/* a reference held during the call, or NULL */
	u64 pgoff;
	u64 resident;		/* pages present */
	const char *name;	/* "[heap]", "[stack]", or NULL */
};
/*
 * Calls fn for each area, lowest first. The areas are copied under the VM
 * lock, then fn runs without it (it may sleep). 0 or -ENOMEM.
 */
int vm_for_each_area(void (*fn)(const struct vm_area_info *a, void *arg),
		     void *arg);
/* Page faults of every address space since boot (/metrics). Any context. */
u64 vm_fault_total(void);
/* The same for vs, which the caller holds a reference to (another
 * process's, for /proc/PID/maps). */
int vm_space_for_each_area(struct vm_space *vs,
			   void (*fn)(const struct vm_area_info *a, void *arg),
			   void *arg);
/*
 * Checks the numbered invariants of mm/vm.c on vs; panics naming the one
 * broken. O(areas + mapped pages). A SKIFF_DEBUG build runs it after every
 * change of the areas (not after each fault: that would be quadratic); the
 * host unit test (tests/unit/test_vm.c) after each change and fault.
 */
void vm_check_invariants(struct vm_space *vs);

#endif

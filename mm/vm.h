/*
 * mm/vm.c: the program's address space as a sorted list of areas (VMAs),
 * populated lazily on fault. Used by linux/mm.c, linux/exec.c and
 * mm/uaccess.c. All calls take the VM lock; none sleeps.
 */
#ifndef MM_VM_H
#define MM_VM_H

#include <skiff/lib.h>

#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4

#define VM_STACK_TOP 0x7ffffffff000ul /* as Linux without randomization */
#define VM_MMAP_TOP 0x7ffff7fff000ul  /* mmap allocates downwards from here */
#define VM_MIN_ADDR 0x10000ul          /* vm.mmap_min_addr */

struct file;

struct vma {
	u64 start, end; /* [start, end), page-aligned */
	int prot;       /* PROT_* */
	struct file *file; /* backing file (a reference), NULL: anonymous */
	u64 pgoff;      /* file page mapped at start */
	bool shared;    /* MAP_SHARED: the file's own pages are mapped */
	bool may_write; /* shared: the file was opened for writing */
	struct list link;
};

/*
 * Maps [addr, addr+len) of anonymous zero-filled memory. Without fixed,
 * addr is a hint and a free range is chosen (top-down below VM_MMAP_TOP);
 * with fixed, what was there is unmapped first, unless noreplace, which
 * fails with -EEXIST. Returns the address or -ENOMEM / -EINVAL.
 */
long vm_map(u64 addr, u64 len, int prot, bool fixed, bool noreplace);
/*
 * The same for a file (taking a reference to it) from page pgoff:
 * MAP_PRIVATE pages are copies made on first touch; MAP_SHARED pages are
 * the file's own (file_ops.get_page), so stores reach the file.
 */
long vm_map_file(u64 addr, u64 len, int prot, bool fixed, bool noreplace,
		 struct file *f, u64 pgoff, bool shared, bool may_write);
int vm_unmap(u64 addr, u64 len);
/* mprotect: -ENOMEM over a hole, -EACCES to write a read-only shared file. */
int vm_protect(u64 addr, u64 len, int prot);
/* mremap: -ENOMEM when it cannot grow in place and may not move. */
long vm_remap(u64 old, u64 oldlen, u64 newlen, bool maymove, bool fixed, u64 new);
/* Frees the pages of [addr, addr+len): the next touch reads zeros. */
int vm_discard(u64 addr, u64 len);
/* brk(2): sets the program break; returns the break now in force. */
u64 vm_brk(u64 newbrk);
void vm_set_brk_start(u64 start);
/* 0 when [addr, addr+len) is all mapped with at least prot (0: mapped at all). */
int vm_check(u64 addr, u64 len, int prot);
/* Whether the page at addr is in memory (mincore). */
bool vm_resident(u64 addr);
/* The end of the mapped run containing addr with at least prot, or addr. */
u64 vm_mapped_end(u64 addr, int prot);

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

#endif

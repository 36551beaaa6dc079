/*
 * Memory as the architecture lays it out, and the paging API arch/ gives
 * mm/: page-table roots (one per address space, the kernel half shared by
 * all) and the program's half of a root, one 4 KiB page at a time, in
 * terms of protections (PROT_*), not of a CPU's entry bits. Implemented
 * by arch/x86_64/paging.c. No call sleeps or takes a lock: callers
 * serialize (mm/vm.c's address-space lock).
 *
 * Upward calls (at the end): arch/x86_64/trap.c decodes a page fault into
 * a struct fault_info and hands it to vm_fault; both it and vm_check are
 * declared here and implemented above, by mm/ (mm/fault.c, mm/vmquery.c).
 */
#ifndef SKIFF_PAGING_H
#define SKIFF_PAGING_H

#include <skiff/types.h>

#define PAGE_SIZE 4096ul
#define PAGE_SHIFT 12

/* Kernel virtual layout. */
#define KERNEL_BASE 0xffffffff80000000ul /* kernel image, -mcmodel=kernel */
#define DIRECT_MAP 0xffff800000000000ul  /* all of physical memory */
#define USER_END 0x0000800000000000ul    /* the program owns [0, USER_END) */

/* The direct-map address of physical address p, and back (the kernel
 * image's addresses too). */
static inline void *phys_to_virt(paddr_t p)
{
	return (void *)(p + DIRECT_MAP);
}

static inline paddr_t virt_to_phys(const void *v)
{
	u64 a = (u64)v;
	return a >= KERNEL_BASE ? a - KERNEL_BASE : a - DIRECT_MAP;
}

/* Protections, with mmap(2)'s values. */
#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
/* Kept with a mapping: the page is a file's (MAP_SHARED), not the program's. */
#define PT_FILE 0x100
/* Kept with a mapping: the page is shared copy-on-write, so it is mapped
 * without write access whatever its PROT_* says (mm/fault.c copies it). */
#define PT_COW 0x200

/* Builds the final kernel half (direct map of all RAM). Once, at boot. */
void paging_init(paddr_t max_phys);

/* A page-table root: the program half of one address space, the kernel
 * half shared with every other root. Opaque. */
struct pgtable;
/* A new root with an empty program half; NULL without memory. */
struct pgtable *pt_create(void);
/*
 * Frees the program half's tables (not the pages they map) and the root
 * (the boot root is only emptied). If this CPU has pt loaded, it loads the
 * boot root first; no other CPU may have it loaded.
 */
void pt_destroy(struct pgtable *pt);
/* Loads pt on this CPU (CR3), unless it is loaded already. */
void pt_activate(struct pgtable *pt);
/* The boot root: the kernel half and an empty program half. */
struct pgtable *pt_kernel(void);

/*
 * Maps the page at va (page-aligned, below USER_END) to pa in pt with
 * flags (PROT_* | PT_FILE | PT_COW). PROT_NONE keeps the page mapped but
 * inaccessible. 0, or -ENOMEM when a page table cannot be allocated.
 */
int pt_map(struct pgtable *pt, u64 va, paddr_t pa, unsigned flags);
/* Unmaps va; returns the page it mapped (0: none) and its flags in *flags. */
paddr_t pt_unmap(struct pgtable *pt, u64 va, unsigned *flags);
/* The page mapped at va (0: none) and, when flags, its PROT_* | PT_FILE | PT_COW. */
paddr_t pt_lookup(struct pgtable *pt, u64 va, unsigned *flags);
/* Sets the protection of a mapped page, keeping PT_FILE and PT_COW; no-op if none. */
void pt_protect(struct pgtable *pt, u64 va, int prot);
/*
 * The same without the other CPUs' TLB flush, for a run of pages: the
 * caller holds interrupts off (a spinlock) and calls pt_shootdown(pt)
 * before it frees or reuses any page they mapped, or returns to the
 * program. pt_shootdown: every other CPU that has pt loaded has dropped
 * its TLB entries when it returns (an IPI each, waited for).
 */
paddr_t pt_unmap_lazy(struct pgtable *pt, u64 va, unsigned *flags);
void pt_protect_lazy(struct pgtable *pt, u64 va, int prot);
void pt_shootdown(struct pgtable *pt);
/* The first mapped page in [va, end), or end. Skips empty tables. */
u64 pt_next_mapped(struct pgtable *pt, u64 va, u64 end);

/*
 * Device memory: makes [pa, pa+len) uncached in the direct map (mapping
 * it if it lies past RAM, up to 512 GiB) and returns its address there,
 * for memory-mapped registers (virtio-mmio, PCI BARs, I/O APICs). NULL
 * without memory for a page table or for a range out of reach. Boot only.
 */
void *io_map(paddr_t pa, size_t len);

/* ---- Upward calls: implemented by mm/, called by arch/x86_64/trap.c ---- */

/* A page fault at a program address, decoded by arch/ from the CPU's report. */
struct fault_info {
	u64 addr;	/* the address accessed */
	bool write;	/* a store */
	bool exec;	/* an instruction fetch */
	bool present;	/* the page was mapped: a protection fault */
};
/*
 * Fills a fault at a program address (mm/fault.c; may sleep reading a
 * file). 0 when the access is now possible, -EFAULT when it is not
 * allowed, -EIO when it falls past the end of a mapped file, -ENOMEM
 * when no page is left even in the reserve (both SIGBUS).
 */
int vm_fault(const struct fault_info *fi);
/*
 * 0 when [addr, addr+len) of the running program's address space is all
 * mapped with at least prot (0: mapped at all), else -EFAULT
 * (mm/vmquery.c). trap.c tells SEGV_ACCERR from SEGV_MAPERR with it.
 */
int vm_check(u64 addr, u64 len, int prot);

#endif

/*
 * The paging API arch/ gives mm/: the program's half of the one page table,
 * one 4 KiB page at a time, in terms of protections (PROT_*), not of a
 * CPU's entry bits. Implemented by arch/x86_64/paging.c. No call sleeps or
 * takes a lock: callers serialize (mm/vm.c's address-space lock).
 */
#ifndef SKIFF_PAGING_H
#define SKIFF_PAGING_H

#include <skiff/types.h>

/* Protections, with mmap(2)'s values. */
#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
/* Kept with a mapping: the page is a file's (MAP_SHARED), not the program's. */
#define PT_FILE 0x100

/* Builds the final kernel half (direct map of all RAM). Once, at boot. */
void paging_init(paddr_t max_phys);
/*
 * Maps the page at va (page-aligned, below USER_END) to pa with flags
 * (PROT_* | PT_FILE). PROT_NONE keeps the page mapped but inaccessible.
 * 0, or -ENOMEM when a page table cannot be allocated.
 */
int pt_map(u64 va, paddr_t pa, unsigned flags);
/* Unmaps va; returns the page it mapped (0: none) and its flags in *flags. */
paddr_t pt_unmap(u64 va, unsigned *flags);
/* The page mapped at va (0: none) and, when flags, its PROT_* | PT_FILE. */
paddr_t pt_lookup(u64 va, unsigned *flags);
/* Sets the protection of a mapped page, keeping PT_FILE; no-op if none. */
void pt_protect(u64 va, int prot);
/* The first mapped page in [va, end), or end. Skips empty tables. */
u64 pt_next_mapped(u64 va, u64 end);

#endif

/* arch/x86_64/paging.c: page table entries for the program's half. */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

#include <skiff/types.h>

#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_U 0x4ull
#define PTE_PS 0x80ull
#define PTE_NX (1ull << 63)

void paging_init(paddr_t max_phys);
/* kimage.c: maps the kernel image W^X and the direct map NX (paging_init). */
void kimage_protect(void);
/* Maps one 4 KiB page; -1 when a page table cannot be allocated. */
int pt_map(u64 va, paddr_t pa, u64 flags);
/* Unmaps one page; returns what it mapped, 0 if nothing. */
paddr_t pt_unmap(u64 va);
paddr_t pt_lookup(u64 va);
void pt_protect(u64 va, u64 flags);
/* The flags of va's entry (0 if not present). */
u64 pt_flags(u64 va);
/* The first mapped page address in [va, end), or end. Skips empty tables. */
u64 pt_next_mapped(u64 va, u64 end);

#endif

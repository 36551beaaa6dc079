/*
 * arch/x86_64/paging.c's private page-table entry bits. The paging API
 * other layers use is include/skiff/paging.h, in protections.
 */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

#include <skiff/paging.h>

#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_U 0x4ull
#define PTE_PWT 0x8ull		 /* with PCD and the power-on PAT: uncached */
#define PTE_PCD 0x10ull
#define PTE_PS 0x80ull
#define PTE_FILE (1ull << 9)	 /* software: PT_FILE */
#define PTE_KEPT (1ull << 10)	 /* software: mapped, not present (PROT_NONE) */
#define PTE_COW (1ull << 11)	 /* software: PT_COW, write-protected */
#define PTE_PROT_SHIFT 52	 /* software: the PROT_* asked for, bits 52-54 */
#define PTE_NX (1ull << 63)

/* The TLB shootdown's work on a CPU it reaches (arch/x86_64/smp.c): drops
 * the loaded root's entries, or leaves a root pt_destroy is freeing. */
void pt_flush_ipi(void);

#endif

/*
 * arch/x86_64/paging.c: the one page table. The high half holds the kernel
 * image and the direct map of physical memory (2 MiB pages, built at boot);
 * the low half holds the program's 4 KiB pages, managed by mm/ through the
 * paging API of include/skiff/paging.h (pt_map / pt_unmap / pt_protect, in
 * PROT_* terms). Callers serialize (mm/vm.c's lock).
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include "paging.h"

#define ADDR_MASK 0x000ffffffffff000ull

extern u64 early_pml4[512];

static u64 *table_of(u64 entry)
{
	return phys_to_virt(entry & ADDR_MASK);
}

void paging_init(paddr_t max_phys)
{
	/* Drop the identity map: the low half is the program's. */
	early_pml4[0] = 0;

	/* The early direct map covers 4 GiB; extend it over all RAM. */
	u64 *pdpt = table_of(early_pml4[256]);
	for (paddr_t gb = 4; gb < ALIGN_UP(max_phys, 1ull << 30) >> 30; gb++) {
		u64 *pd = page_alloc(1);
		if (!pd)
			panic("out of memory for the direct map");
		for (int i = 0; i < 512; i++)
			pd[i] = (gb << 30) + ((u64)i << 21) + PTE_P + PTE_W + PTE_PS;
		pdpt[gb] = virt_to_phys(pd) + PTE_P + PTE_W;
	}
	write_cr3(read_cr3());
	kimage_protect();
}

/* The level-1 entry for va, creating tables on the way when create. */
static u64 *walk(u64 va, bool create)
{
	u64 *t = early_pml4;

	for (int shift = 39; shift > 12; shift -= 9) {
		u64 *e = &t[(va >> shift) & 511];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			u64 *n = page_alloc(1);
			if (!n)
				return NULL;
			*e = virt_to_phys(n) + PTE_P + PTE_W + PTE_U;
		}
		t = table_of(*e);
	}
	return &t[(va >> 12) & 511];
}

/*
 * The entry for flags (PROT_* | PT_FILE). x86 cannot refuse reads of a
 * present page, so PROT_NONE is a non-present entry that keeps its page
 * (PTE_KEPT); the PROT_* asked for is kept in ignored bits 52-54 so that
 * pt_lookup reports exactly it.
 */
static u64 pte_of(paddr_t pa, unsigned flags)
{
	unsigned prot = flags & (PROT_READ | PROT_WRITE | PROT_EXEC);
	u64 e = pa | ((u64)prot << PTE_PROT_SHIFT);

	if (flags & PT_FILE)
		e |= PTE_FILE;
	if (!prot)
		return e | PTE_KEPT;
	e |= PTE_P | PTE_U;
	if (prot & PROT_WRITE)
		e |= PTE_W;
	if (!(prot & PROT_EXEC))
		e |= PTE_NX;
	return e;
}

static bool mapped(u64 e)
{
	return e & (PTE_P | PTE_KEPT);
}

static unsigned flags_of(u64 e)
{
	return ((e >> PTE_PROT_SHIFT) & 7) | (e & PTE_FILE ? PT_FILE : 0);
}

int pt_map(u64 va, paddr_t pa, unsigned flags)
{
	u64 *e = walk(va, true);

	if (!e)
		return -ENOMEM;
	*e = pte_of(pa, flags);
	invlpg(va);
	return 0;
}

paddr_t pt_unmap(u64 va, unsigned *flags)
{
	u64 *e = walk(va, false);

	if (flags)
		*flags = 0;
	if (!e || !mapped(*e))
		return 0;
	paddr_t pa = *e & ADDR_MASK;
	if (flags)
		*flags = flags_of(*e);
	*e = 0;
	invlpg(va);
	return pa;
}

paddr_t pt_lookup(u64 va, unsigned *flags)
{
	u64 *e = walk(va, false);

	if (flags)
		*flags = e && mapped(*e) ? flags_of(*e) : 0;
	return e && mapped(*e) ? (*e & ADDR_MASK) : 0;
}

void pt_protect(u64 va, int prot)
{
	u64 *e = walk(va, false);

	if (e && mapped(*e)) {
		*e = pte_of(*e & ADDR_MASK, (unsigned)prot | (*e & PTE_FILE ? PT_FILE : 0));
		invlpg(va);
	}
}

/* The next page-table boundary above va at which nothing is mapped, or 0. */
u64 pt_next_mapped(u64 va, u64 end)
{
	while (va < end) {
		u64 *t = early_pml4;
		int shift;
		for (shift = 39; shift >= 12; shift -= 9) {
			u64 e = t[(va >> shift) & 511];
			if (shift == 12 && mapped(e))
				return va;
			if (!(e & PTE_P))
				break;
			t = table_of(e);
		}
		/* Skip the whole empty table range at this level. */
		va = ALIGN_DOWN(va, 1ull << shift) + (1ull << shift);
	}
	return end;
}

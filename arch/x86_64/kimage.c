/*
 * arch/x86_64/kimage.c: the kernel image mapped W^X. Layer: arch.
 * Interface: kimage_protect(), called once by paging_init() after the
 * direct map covers all RAM and page_alloc() works.
 *
 * boot.S maps the first GiB at KERNEL_BASE and 4 GiB at DIRECT_MAP with
 * 2 MiB pages, all writable and executable, through one shared page
 * directory. Here the KERNEL_BASE half gets a page directory of its own
 * that maps only the image, with 4 KiB pages where sections change
 * permissions (kernel.ld page-aligns them):
 *   text RX, rodata and ksyms R, data and bss RW, all but text NX;
 * and the direct map becomes NX everywhere, its alias of the image as
 * read-only as the image itself (only data and bss stay writable there).
 * CR0.WP (set in boot.S) makes ring 0 honour the read-only bit, so a stray
 * store into kernel code or constant tables faults (a program's becomes its
 * SIGSEGV, see trap.c) instead of corrupting silently. The program runs in
 * ring 0 and could undo all this on purpose: the VM is the boundary.
 *
 * Each change builds the new table completely, then swaps one entry and
 * reloads CR3 (no global pages are used), so no CPU ever sees a half-built
 * mapping: this must also hold on real KVM, where the TLB is not QEMU's.
 */
#include <skiff/arch.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include "paging.h"

#define ADDR_MASK 0x000ffffffffff000ull
#define SLOT (2ull << 20) /* one 2 MiB page directory entry */

extern u64 early_pml4[512];
extern u8 __kernel_start[], __text_end[], __rodata_end[], __data_end[],
	__kernel_end[];

static u64 image_phys(const u8 *sym)
{
	return (u64)sym - KERNEL_BASE;
}

/* The flags of the image page at physical pa (0: not part of the image). */
static u64 image_flags(u64 pa)
{
	if (pa < image_phys(__kernel_start) || pa >= image_phys(__kernel_end))
		return 0;
	if (pa < image_phys(__text_end))
		return PTE_P;
	if (pa < image_phys(__rodata_end))
		return PTE_P | PTE_NX;
	if (pa < image_phys(__data_end))
		return PTE_P | PTE_W | PTE_NX;
	return PTE_P | PTE_NX; /* ksyms */
}

/* In the direct map: as the image, never executable; other RAM is RW. */
static u64 alias_flags(u64 pa)
{
	u64 f = image_flags(pa);

	return f ? f | PTE_NX : PTE_P | PTE_W | PTE_NX;
}

/* A page table for the 2 MiB at physical slot_pa, flags by flags_of. */
static u64 table_for(u64 slot_pa, u64 (*flags_of)(u64))
{
	u64 *pt = page_alloc(1);

	if (!pt)
		panic("out of memory for the kernel image's page tables");
	for (int i = 0; i < 512; i++) {
		u64 pa = slot_pa + (u64)i * PAGE_SIZE;
		u64 f = flags_of(pa);
		pt[i] = f ? pa | f : 0;
	}
	return virt_to_phys(pt) | PTE_P | PTE_W;
}

static u64 *table_of(u64 entry)
{
	return phys_to_virt(entry & ADDR_MASK);
}

/* KERNEL_BASE: a page directory that maps the image and nothing else. */
static void protect_image(void)
{
	u64 *pd = page_alloc(1);

	if (!pd)
		panic("out of memory for the kernel image's page tables");
	u64 end = image_phys(__kernel_end);
	for (u64 slot = 0; slot * SLOT < end; slot++)
		pd[slot] = table_for(slot * SLOT, image_flags);
	u64 *pdpt = table_of(early_pml4[511]);
	pdpt[(KERNEL_BASE >> 30) & 511] = virt_to_phys(pd) | PTE_P | PTE_W;
	write_cr3(read_cr3());
}

/* DIRECT_MAP: NX everywhere; the image's alias split and read-only. */
static void protect_direct_map(void)
{
	u64 *pdpt = table_of(early_pml4[(DIRECT_MAP >> 39) & 511]);
	u64 end = image_phys(__kernel_end);

	for (int gb = 0; gb < 512; gb++) {
		if (!(pdpt[gb] & PTE_P))
			continue;
		u64 *pd = table_of(pdpt[gb]);
		for (int i = 0; i < 512; i++) {
			u64 slot_pa = ((u64)gb << 30) + (u64)i * SLOT;
			if (slot_pa < end)
				pd[i] = table_for(slot_pa, alias_flags);
			else if (pd[i] & PTE_P)
				pd[i] |= PTE_NX;
		}
	}
	write_cr3(read_cr3());
}

void kimage_protect(void)
{
	protect_image();
	protect_direct_map();
}

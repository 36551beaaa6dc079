/*
 * mm/init.c: memory at boot. Reads the PVH memory map, places the page
 * allocator's bitmap after the kernel image, frees every RAM page, reserves
 * the first MiB, the kernel and the initrd, and builds the final page table.
 */
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/paging.h>
#include "../arch/x86_64/pvh.h"
#include "init.h"
#include "page.h"

extern u8 __kernel_start[], __kernel_end[];

void mm_init(const struct pvh_start_info *si, paddr_t initrd, u64 initrd_len)
{
	const struct pvh_memmap_entry *map = phys_to_virt(si->memmap_paddr);
	paddr_t max = 0;

	if (si->version < 1 || !si->memmap_entries)
		panic("PVH start info has no memory map");
	for (u32 i = 0; i < si->memmap_entries; i++)
		if (map[i].type == PVH_MEMMAP_RAM)
			max = MAX(max, map[i].addr + map[i].size);

	/* The bitmap goes right after the kernel image. */
	size_t npages = max >> PAGE_SHIFT;
	paddr_t bitmap = virt_to_phys(__kernel_end);
	paddr_t bitmap_end = ALIGN_UP(bitmap + ALIGN_UP(npages, 64) / 8, PAGE_SIZE);
	if (bitmap_end > (4ull << 30))
		panic("memory map too large");
	page_init(phys_to_virt(bitmap), npages);
	for (u32 i = 0; i < si->memmap_entries; i++)
		if (map[i].type == PVH_MEMMAP_RAM)
			page_add_free(map[i].addr, map[i].addr + map[i].size);
	page_reserve(0, 0x100000);
	page_reserve(virt_to_phys(__kernel_start), bitmap_end);
	if (initrd_len)
		page_reserve(initrd, initrd + initrd_len);
	paging_init(max);

}

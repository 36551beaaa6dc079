/*
 * mm/init.c: memory at boot (mm_init, include/skiff/mm.h). From the RAM
 * ranges of the boot memory map (kernel/main.c reads them from PVH), places
 * the page allocator's bitmap after the kernel image, frees every RAM page,
 * reserves the first MiB, the kernel and the initrd, and builds the final
 * page table through arch's paging_init.
 */
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/paging.h>
#include "page.h"

extern u8 __kernel_start[], __kernel_end[];

void mm_init(const struct mem_range *ram, size_t n, paddr_t initrd,
	     u64 initrd_len)
{
	paddr_t max = 0;

	if (!n)
		panic("the boot memory map has no RAM");
	for (size_t i = 0; i < n; i++)
		max = MAX(max, ram[i].end);

	/* The bitmap goes right after the kernel image. */
	size_t npages = max >> PAGE_SHIFT;
	paddr_t bitmap = virt_to_phys(__kernel_end);
	paddr_t bitmap_end = ALIGN_UP(bitmap + ALIGN_UP(npages, 64) / 8, PAGE_SIZE);
	if (bitmap_end > (4ull << 30))
		panic("memory map too large");
	page_init(phys_to_virt(bitmap), npages);
	for (size_t i = 0; i < n; i++)
		page_add_free(ram[i].start, ram[i].end);
	page_reserve(0, 0x100000);
	page_reserve(virt_to_phys(__kernel_start), bitmap_end);
	if (initrd_len)
		page_reserve(initrd, initrd + initrd_len);
	paging_init(max);
}

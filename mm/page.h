/*
 * Boot-time setup of the page allocator (mm/page.c), called by mm/init.c:
 * page_init with storage for the bitmap, then page_add_free for each RAM
 * range of the memory map, then page_reserve for what is in use.
 */
#ifndef MM_PAGE_H
#define MM_PAGE_H

#include <skiff/types.h>

void page_init(void *bitmap, size_t npages);
void page_add_free(paddr_t start, paddr_t end);
void page_reserve(paddr_t start, paddr_t end);

#endif

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

/*
 * Program pages mapped by more than one address space (copy-on-write
 * after fork; mm/page.c), or a file's page mapped by MAP_PRIVATE areas
 * (the file is the first owner). page_share (skiff/alloc.h) counts one
 * more mapper. page_unshare drops one: true when the caller was the only
 * mapper (nothing changes then; the caller frees the page). page_is_shared:
 * whether another address space, or the file, has it too.
 */
bool page_unshare(paddr_t pa);
bool page_is_shared(paddr_t pa);

#endif

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
 * after fork; mm/page.c). page_share counts one more mapper of the page
 * at pa: 0, -ENOMEM (no memory for the counts) or -EOVERFLOW (too many:
 * the caller copies the page instead). page_unshare drops one: true when
 * the caller was the only mapper, and frees the page. page_is_shared:
 * whether another address space maps it too.
 */
int page_share(paddr_t pa);
bool page_unshare(paddr_t pa);
bool page_is_shared(paddr_t pa);

#endif

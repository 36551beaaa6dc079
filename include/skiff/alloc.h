/*
 * Memory allocation: physical pages and the kernel heap. Implemented by mm/
 * (mm/page.c, mm/heap.c) and declared here, at arch's level, because arch
 * allocates too (page tables in arch/x86_64/paging.c, the XSAVE buffer of
 * a signal frame): an upward call DESIGN.md allows, declared in the lower
 * layer and implemented above. Every layer from arch up may call these;
 * skiff/mm.h includes this header. mm_init (skiff/mm.h) must have run.
 */
#ifndef SKIFF_ALLOC_H
#define SKIFF_ALLOC_H

#include <skiff/types.h>

/*
 * Physical pages (mm/page.c). page_alloc returns the direct-map address of
 * n contiguous zeroed pages, or NULL. Any context; never sleeps.
 */
void *page_alloc(size_t n);
/* The same without zeroing: for pages the caller fills completely. */
void *page_alloc_dirty(size_t n);
/*
 * Frees n pages. A single page that a private file mapping still maps
 * (page_share: a file's page shared copy-on-write) only loses the
 * caller's claim on it: the last mapping to let go frees it.
 */
void page_free(void *p, size_t n);
/*
 * One more mapper of the page at pa beyond its owner (mm/page.c share
 * counts): 0, -ENOMEM (no memory for the counts) or -EOVERFLOW (too many,
 * or not a RAM page: the caller copies the page instead). A filesystem
 * takes one for a MAP_PRIVATE fault (file_ops.share_page) under the lock
 * that its truncate takes, so that the page outlives its removal from the
 * file while mapped.
 */
int page_share(paddr_t pa);
/*
 * The reserve (mm/page.c): page_alloc and page_alloc_dirty fail while
 * only the pages kept back for faults on memory the program already mapped
 * are left, so running out of memory fails the request that asked (ENOMEM,
 * EAGAIN) instead of a later fault. page_alloc_reserved may use them (for
 * a fault's page, zeroed if zero); so may any page_alloc between
 * page_urgent_enter and page_urgent_leave (for the page tables pt_map
 * allocates), which only run with interrupts off (under a spinlock), so
 * that nothing else allocates meanwhile.
 */
void *page_alloc_reserved(size_t n, bool zero);
void page_urgent_enter(void);
void page_urgent_leave(void);
size_t page_free_count(void);
size_t page_total_count(void);
/*
 * Shrinkers (mm/page.c): a cache registers fn, which frees about want
 * pages of what it can drop again (clean cached blocks) and returns how
 * many it freed. page_alloc and kmalloc call them when memory runs out,
 * with interrupts on and no spinlock held, then try once more; fn never
 * sleeps on a lock (it tries its locks). kick (may be NULL) is called in
 * any context, interrupts off included, whenever an allocation leaves
 * less than the reserve free: it must not sleep or allocate, only ask a
 * thread of the cache's to shrink. Register: 0 or -ENOSPC (full).
 * page_shrink runs the shrinkers (false when interrupts are off or none
 * freed).
 */
int page_shrinker_register(size_t (*fn)(size_t want), void (*kick)(void));
bool page_shrink(size_t want);

/* Kernel heap (mm/heap.c). Never sleeps; NULL when memory is exhausted. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void *krealloc(void *p, size_t size);
void kfree(void *p);
/* Pages the heap holds: its size classes' and its large blocks' (/metrics). */
size_t heap_page_count(void);

#endif

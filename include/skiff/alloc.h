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
void page_free(void *p, size_t n);
size_t page_free_count(void);
size_t page_total_count(void);

/* Kernel heap (mm/heap.c). Never sleeps; NULL when memory is exhausted. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void *krealloc(void *p, size_t size);
void kfree(void *p);

#endif

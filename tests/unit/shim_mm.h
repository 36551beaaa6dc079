/*
 * Host fakes for mm/vm.c's unit test (tests/unit/shim_mm.c): arch's paging
 * API over a red-black tree of va -> (page, flags), physical pages from
 * the heap, and files whose page i holds the byte 'A' + i.
 */
#ifndef SKIFF_TEST_SHIM_MM_H
#define SKIFF_TEST_SHIM_MM_H

#include <skiff/mm.h>
#include <skiff/vfs.h>

/* Entries in all fake page tables, and pages allocated and not freed. */
size_t shim_pt_count(void);
long shim_pages_in_use(void);
/* Pages short: 0 no, 1 only the reserve is left (page_alloc_reserved and
 * page_urgent_enter get pages), 2 nothing is left. */
extern int shim_pages_short;
/* The program-visible bytes of the page mapped at va, or NULL. */
u8 *shim_page_at(u64 va);

/* Makes vs the test process's address space (and loads it). */
void shim_set_vm(struct vm_space *vs);
/* page_share fails with -EOVERFLOW past this many sharers (default 0xffff). */
extern int shim_share_limit;

/* A file of size bytes; its page i is filled with 'A' + i. */
struct file *shim_file_new(u64 size);
/*
 * A file whose MAP_PRIVATE pages are shared copy-on-write (share_page, as
 * ramfs's): page index holds 'a' + index; shim_file_drop_page frees one
 * as a truncate would.
 */
struct file *shim_cow_file_new(u64 size);
void shim_file_drop_page(struct file *f, u64 index);
/* Frees a file made by shim_file_new; its reference count must be 1. */
void shim_file_free(struct file *f);

#endif

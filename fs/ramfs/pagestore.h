/*
 * A sparse store of 4 KiB pages indexed by page number: the data of a
 * ramfs file (fs/ramfs/pagestore.c). A radix tree of page-sized tables of
 * 512 pointers, as tall as the highest index needs; a missing page is a
 * hole that reads as zeros. Not locked: the owner (the inode) locks.
 */
#ifndef FS_RAMFS_PAGESTORE_H
#define FS_RAMFS_PAGESTORE_H

#include <skiff/types.h>

struct pagestore {
	void **root;	/* a table, or the only page when height is 0 */
	unsigned height;/* table levels above the pages */
	u64 npages;	/* data pages present */
};

/* The page at index, or NULL for a hole. */
void *ps_lookup(struct pagestore *ps, u64 index);
/* The page at index, allocated (zeroed) when missing; NULL on -ENOMEM. */
void *ps_get(struct pagestore *ps, u64 index);
/* Frees every page at or after first. */
void ps_truncate(struct pagestore *ps, u64 first);
/* The budget of every store together, in pages: half of the machine's
 * (Linux's tmpfs default), and what is in use. */
u64 ps_limit(void);
u64 ps_pages_used(void);

#endif

/*
 * fs/ext2/mmap.c: the pages of MAP_SHARED mappings of ext2 files (the
 * file_ops.get_page of skiff/vfs.h). Layer: fs. fs->lock held, except in
 * ext2_get_page, which takes it (ext2_lock: the fault may come in the
 * middle of this thread's own read or write, which holds it).
 *
 * A mapped page is a page of its own per file page index, in the inode's
 * tree (ei->pages), filled from the file's blocks at the first fault and
 * kept until the inode is evicted (every mapping holds the file, so no
 * page table points at it then). While it exists it is the file's data
 * for those bytes: read and write use it instead of the block cache
 * (ext2_mpage_at), so the mapping and the syscalls always agree. Its
 * bytes go back into the blocks at every sync of the file or the
 * filesystem (fsync, msync, sync, the background writer, exit), where
 * ext2_mpages_writeback copies each block's part that differs and marks
 * it dirty; a hole stays a hole while its part of the page is zeros.
 *
 * DIVERGENCE: a block under a shared mapping is allocated when its bytes
 * are written back, not at the store that changed them, so a full disk
 * shows as ENOSPC from msync or fsync, not as SIGBUS at the store; a
 * truncated file's mapped pages past the new end read zeros rather than
 * giving SIGBUS until remapped.
 */
#include <skiff/alloc.h>
#include <skiff/mm.h>
#include "ext2.h"

struct ext2_mpage {
	struct rb_node node;	/* ei->pages */
	u64 index;
	u8 *page;
};

static struct ext2_mpage *lookup(struct ext2_inode *ei, u64 index,
				 struct rb_node **parent, struct rb_node ***link)
{
	struct rb_node **at = &ei->pages.root, *up = NULL;

	while (*at) {
		struct ext2_mpage *m = rb_entry(*at, struct ext2_mpage, node);

		if (m->index == index)
			return m;
		up = *at;
		at = index < m->index ? &(*at)->left : &(*at)->right;
	}
	if (parent) {
		*parent = up;
		*link = at;
	}
	return NULL;
}

u8 *ext2_mpage_at(struct inode *ino, u64 pos)
{
	struct ext2_mpage *m;

	if (rb_empty(&EI(ino)->pages))
		return NULL;
	m = lookup(EI(ino), pos / PAGE_SIZE, NULL, NULL);
	return m ? m->page + pos % PAGE_SIZE : NULL;
}

/* Fills page with the file's bytes of page index (zeros past the end). */
static int fill(struct ext2_fs *fs, struct inode *ino, u64 index, u8 *page)
{
	u64 first = index * PAGE_SIZE / fs->bsize;
	u32 per = PAGE_SIZE / fs->bsize, blk;
	u8 *p;
	int r;

	for (u32 i = 0; i < per; i++) {
		u8 *to = page + i * fs->bsize;

		if ((first + i) * fs->bsize >= ino->size) {
			memset(to, 0, fs->bsize);
			continue;
		}
		if ((r = ext2_bmap(fs, ino, first + i, false, &blk)))
			return r;
		if (!blk) {
			memset(to, 0, fs->bsize);
			continue;
		}
		if ((r = ext2_bread(fs, blk, &p)))
			return r;
		memcpy(to, p, fs->bsize);
	}
	/* The block past the end of the file holds zeros there. */
	if (ino->size < (index + 1) * PAGE_SIZE && ino->size > index * PAGE_SIZE)
		memset(page + ino->size % PAGE_SIZE, 0,
		       PAGE_SIZE - ino->size % PAGE_SIZE);
	return 0;
}

int ext2_get_page(struct file *f, u64 index, void **out)
{
	struct inode *ino = f->inode;
	struct ext2_fs *fs = EFS(ino->sb);
	struct rb_node *parent, **link;
	struct ext2_mpage *m;
	int r = 0;
	bool took = ext2_lock(fs, &fs->lock); /* a fault inside our op */

	ext2_trim(fs);
	if (index >= (ino->size + PAGE_SIZE - 1) / PAGE_SIZE) {
		r = -ENXIO;
	} else if ((m = lookup(EI(ino), index, &parent, &link))) {
		*out = m->page;
	} else if (!(m = kzalloc(sizeof(*m))) ||
		   !(m->page = page_alloc_dirty(1))) {
		kfree(m);
		r = -ENOMEM;
	} else if ((r = fill(fs, ino, index, m->page))) {
		page_free(m->page, 1);
		kfree(m);
		r = r == -ENOMEM ? r : -EIO;
	} else {
		m->index = index;
		rb_link(&EI(ino)->pages, &m->node, parent, link);
		*out = m->page;
	}
	ext2_unlock(fs, &fs->lock, took);
	return r;
}

static bool all_zero(const u8 *p, u32 n)
{
	for (u32 i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* One block's part of a mapped page back into the block (n bytes). */
static int put_block(struct ext2_fs *fs, struct inode *ino, u64 fblk,
		     const u8 *from, u32 n)
{
	u32 blk;
	u8 *p;
	int r = ext2_bmap(fs, ino, fblk, false, &blk);

	if (r || (!blk && all_zero(from, n)))
		return r;
	if (!blk && (r = ext2_bmap(fs, ino, fblk, true, &blk)))
		return r;
	if ((r = ext2_bread(fs, blk, &p)))
		return r;
	if (memcmp(p, from, n)) {
		memcpy(p, from, n);
		ext2_bdirty_data(fs, blk, (u32)ino->ino);
	}
	return 0;
}

int ext2_mpages_writeback(struct ext2_fs *fs, struct inode *ino)
{
	u32 per = PAGE_SIZE / fs->bsize;
	int err = 0;

	if (fs->ro)
		return 0;
	for (struct rb_node *n = rb_first(&EI(ino)->pages); n; n = rb_next(n)) {
		struct ext2_mpage *m = rb_entry(n, struct ext2_mpage, node);
		u64 first = m->index * PAGE_SIZE / fs->bsize;

		for (u32 i = 0; i < per; i++) {
			u64 at = (first + i) * fs->bsize;
			int r;

			if (at >= ino->size)
				break;
			r = put_block(fs, ino, first + i, m->page + i * fs->bsize,
				      (u32)MIN((u64)fs->bsize, ino->size - at));
			if (r && !err)
				err = r;
		}
	}
	return err;
}

void ext2_mpages_zero(struct inode *ino, u64 from, u64 to)
{
	for (struct rb_node *n = rb_first(&EI(ino)->pages); n; n = rb_next(n)) {
		struct ext2_mpage *m = rb_entry(n, struct ext2_mpage, node);
		u64 start = m->index * PAGE_SIZE, end = start + PAGE_SIZE;
		u64 a = MAX(from, start), b = MIN(to, end);

		if (a < b)
			memset(m->page + (a - start), 0, b - a);
	}
}

void ext2_mpages_free(struct inode *ino)
{
	struct rb_node *n;

	while ((n = rb_first(&EI(ino)->pages))) {
		struct ext2_mpage *m = rb_entry(n, struct ext2_mpage, node);

		rb_remove(&EI(ino)->pages, n);
		page_free(m->page, 1);
		kfree(m);
	}
}

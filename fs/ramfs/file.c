/*
 * fs/ramfs/file.c: ramfs regular files: read, write, truncate over the page
 * store. Layer: filesystem. inode->lock guards the data and the size.
 * A file unpacked from the initrd reads its bytes in place until its first
 * write or truncate, which copies them into pages (copy on write).
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include "ramfs.h"

#define MAX_FILE_SIZE 0x7fffffffffffffffull

static struct ramfs_file *rf(struct inode *ino)
{
	return ino->priv;
}

static void update_blocks(struct inode *ino)
{
	ino->blocks = rf(ino)->ps.npages * (PAGE_SIZE / 512);
}

/* Copies in-place initrd data into pages before a change. */
static int materialize(struct inode *ino)
{
	struct ramfs_file *f = rf(ino);

	if (!f->ext)
		return 0;
	for (u64 off = 0; off < ino->size; off += PAGE_SIZE) {
		void *page = ps_get(&f->ps, off / PAGE_SIZE);

		if (!page) {
			ps_truncate(&f->ps, 0);
			return -ENOSPC;
		}
		memcpy(page, f->ext + off, MIN(PAGE_SIZE, ino->size - off));
	}
	f->ext = NULL;
	update_blocks(ino);
	return 0;
}

void ramfs_set_data(struct inode *ino, const void *data, size_t len)
{
	mutex_lock(&ino->lock);
	ps_truncate(&rf(ino)->ps, 0);
	rf(ino)->ext = data;
	ino->size = len;
	ino->blocks = ALIGN_UP((u64)len, PAGE_SIZE) / 512;
	mutex_unlock(&ino->lock);
}

void ramfs_file_free(struct inode *ino)
{
	if (ino->priv)
		ps_truncate(&rf(ino)->ps, 0);
	kfree(ino->priv);
}

static long ramfs_read(struct file *file, struct iobuf *io, u64 *pos)
{
	struct inode *ino = file->inode;
	struct ramfs_file *f = rf(ino);
	size_t done = 0, n;
	int r = 0;

	mutex_lock(&ino->lock);
	if (*pos < ino->size)
		n = MIN(io->len, ino->size - *pos);
	else
		n = 0;
	while (done < n && r == 0) {
		u64 off = *pos + done;
		size_t in = off % PAGE_SIZE;
		size_t chunk = MIN(n - done, PAGE_SIZE - in);
		const u8 *page = f->ext ? f->ext + off - in
					: ps_lookup(&f->ps, off / PAGE_SIZE);

		if (page)
			r = iobuf_copy_out(io, done, page + in, chunk);
		else
			r = iobuf_zero(io, done, chunk);
		if (r == 0)
			done += chunk;
	}
	mutex_unlock(&ino->lock);
	*pos += done;
	return done ? (long)done : r;
}

static long write_pages(struct inode *ino, struct iobuf *io, u64 pos)
{
	size_t done = 0;
	int r = 0;

	while (done < io->len) {
		u64 off = pos + done;
		size_t in = off % PAGE_SIZE;
		size_t chunk = MIN(io->len - done, PAGE_SIZE - in);
		u8 *page = ps_get(&rf(ino)->ps, off / PAGE_SIZE);

		r = page ? iobuf_copy_in(io, done, page + in, chunk) : -ENOSPC;
		if (r < 0)
			break;
		done += chunk;
	}
	if (done && pos + done > ino->size)
		ino->size = pos + done;
	update_blocks(ino);
	return done ? (long)done : r;
}

static long ramfs_write(struct file *file, struct iobuf *io, u64 *pos)
{
	struct inode *ino = file->inode;
	long r;

	mutex_lock(&ino->lock);
	if (file->flags & O_APPEND)
		*pos = ino->size;
	if (*pos >= MAX_FILE_SIZE) {
		r = io->len ? -EFBIG : 0;
	} else {
		if (io->len > MAX_FILE_SIZE - *pos)
			io->len = MAX_FILE_SIZE - *pos;
		r = materialize(ino);
	}
	if (r == 0 && io->len)
		r = write_pages(ino, io, *pos);
	if (r > 0) {
		*pos += r;
		inode_touch(ino, true);
	}
	mutex_unlock(&ino->lock);
	return r;
}

/* inode->lock held. Zeroes the cut part of the last page when shrinking. */
int ramfs_setsize(struct inode *ino, u64 size)
{
	struct ramfs_file *f = rf(ino);
	int r = materialize(ino);
	void *page;

	if (r < 0)
		return r;
	if ((s64)size < 0)
		return -EFBIG;
	if (size < ino->size) {
		/* Shared mappings lose the pages first: they are freed. */
		vm_unmap_file_from(ino, ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE);
		ps_truncate(&f->ps, ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE);
		page = ps_lookup(&f->ps, size / PAGE_SIZE);
		if (page && size % PAGE_SIZE)
			memset((u8 *)page + size % PAGE_SIZE, 0,
			       PAGE_SIZE - size % PAGE_SIZE);
	}
	ino->size = size;
	update_blocks(ino);
	return 0;
}

static int ramfs_get_page(struct file *file, u64 index, void **page)
{
	struct inode *ino = file->inode;
	int r;

	mutex_lock(&ino->lock);
	r = index < ALIGN_UP(ino->size, PAGE_SIZE) / PAGE_SIZE ? 0 : -ENXIO;
	if (r == 0)
		r = materialize(ino);
	if (r == 0) {
		*page = ps_get(&rf(ino)->ps, index);
		r = *page ? 0 : -ENOMEM;
		update_blocks(ino);
	}
	mutex_unlock(&ino->lock);
	return r;
}

/*
 * The page at index, shared copy-on-write by a MAP_PRIVATE mapping: the
 * initrd's own bytes while the file is unchanged (a whole, page-aligned
 * page), else the store's page. The share is taken under the inode lock,
 * which truncate holds: a page truncated away stays the mapping's. The
 * copy of a read or write of this file into its own mapping faults here
 * with the lock held by this very thread: then it is not taken again.
 */
static int ramfs_share_page(struct file *file, u64 index, void **page)
{
	struct inode *ino = file->inode;
	struct ramfs_file *f = rf(ino);
	void *p = NULL;
	int r = -EAGAIN;

	bool mine = ino->lock.owner == thread_current();

	if (!mine)
		mutex_lock(&ino->lock);
	if (index >= ALIGN_UP(ino->size, PAGE_SIZE) / PAGE_SIZE)
		r = -ENXIO;
	else if (f->ext && (index + 1) * PAGE_SIZE <= ino->size)
		p = (void *)(f->ext + index * PAGE_SIZE);
	else if (!f->ext)
		p = ps_lookup(&f->ps, index); /* NULL: a hole, read as zeros */
	if (p && !((uintptr_t)p & (PAGE_SIZE - 1)) &&
	    !page_share(virt_to_phys(p))) {
		*page = p;
		r = 0;
	}
	if (!mine)
		mutex_unlock(&ino->lock);
	return r;
}

static int ramfs_fsync(struct file *f)
{
	return 0;
}

const struct file_ops ramfs_file_ops = {
	.read = ramfs_read,
	.write = ramfs_write,
	.llseek = generic_llseek,
	.fsync = ramfs_fsync,
	/* No poll op: always ready for poll/select, EPERM for epoll (Linux). */
	.get_page = ramfs_get_page,
	.share_page = ramfs_share_page,
};

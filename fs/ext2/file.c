/*
 * fs/ext2/file.c: ext2 regular files: read, write (holes read as zeros;
 * a write past the end leaves a hole), truncate, fsync. Layer: fs.
 * inode->lock, then fs->lock. The bytes go through the block cache (or
 * a page of a shared mapping, mmap.c); a write reaches the disk at
 * fsync, sync, O_SYNC/O_DSYNC writes, when the cache is full, in the
 * background a few seconds later (writeback.c), or at exit. atime is not
 * updated (as mount -o noatime).
 */
#include <skiff/mm.h>
#include "ext2.h"

static u64 max_size(struct ext2_fs *fs)
{
	u64 m = ext2_max_blocks(fs) * fs->bsize;

	if (fs->s.rev_level == 0)
		return 0x7fffffffull;
	/* i_blocks counts 512-byte units in 32 bits. */
	return MIN(m, (1ull << 41) - 1);
}

/*
 * Writes len bytes of io (from at) at byte in of file block n (disk block
 * blk). The block is read first only when some of its old bytes stay and
 * matter: not when the write covers it whole, nor when it lies wholly
 * past the end of the file (its old bytes are not the file's: zeros).
 */
static int write_block(struct ext2_fs *fs, struct inode *ino, u64 n,
		       u32 blk, struct iobuf *io, size_t at, u32 in, size_t len)
{
	bool whole = in == 0 && len == fs->bsize;
	bool past = n * fs->bsize >= ino->size;
	bool fresh = false;
	u8 *p;
	int r;

	if (whole || past)
		r = ext2_bget(fs, blk, &p, &fresh);
	else
		r = ext2_bread(fs, blk, &p);
	if (r)
		return r;
	if (!whole && (fresh || past)) {
		memset(p, 0, in);
		memset(p + in + len, 0, fs->bsize - in - len);
	}
	r = iobuf_copy_in(io, at, p + in, len);
	if (r && fresh) {
		ext2_bforget(fs, blk); /* its bytes are undefined: not kept */
		return r;
	}
	ext2_bdirty_data(fs, blk, (u32)ino->ino);
	return r;
}

/* Moves len bytes between the file at pos and io (at io offset done). */
static int move(struct ext2_fs *fs, struct inode *ino, u64 pos,
		struct iobuf *io, size_t at, size_t len, bool write)
{
	u64 n = pos / fs->bsize;
	u32 in = pos % fs->bsize, blk;
	u8 *p = ext2_mpage_at(ino, pos);
	int r;

	if (p) /* mapped shared: the page is the data (mmap.c) */
		return write ? iobuf_copy_in(io, at, p, len)
			     : iobuf_copy_out(io, at, p, len);
	if ((r = ext2_bmap(fs, ino, n, write, &blk)))
		return r;
	if (!blk)
		return iobuf_zero(io, at, len);
	if (!write) {
		if ((r = ext2_bread(fs, blk, &p)))
			return r;
		return iobuf_copy_out(io, at, p + in, len);
	}
	return write_block(fs, ino, n, blk, io, at, in, len);
}

/*
 * Read-ahead, before file block n of a read ending at file block last is
 * read and n is not cached: the blocks from n up to the window's end are
 * read in one batch of requests in flight together (ext2_prefetch), not
 * one at a time. The window, per inode: a read that starts where the last
 * one ended (or at block 0) doubles it, from twice the read's blocks up to
 * EXT2_PREFETCH_MAX; any other read empties it, and then only the read's
 * own blocks are fetched. Cached blocks and holes are skipped.
 */
static void read_ahead(struct ext2_fs *fs, struct inode *ino, u64 n,
		       u64 last)
{
	struct ext2_inode *ei = EI(ino);
	u64 end = (ino->size + fs->bsize - 1) / fs->bsize;
	u32 blks[EXT2_PREFETCH_MAX], k = 0, blk;

	if (ext2_mpage_at(ino, n * fs->bsize) ||
	    ext2_bmap(fs, ino, n, false, &blk) || !blk || ext2_cached(fs, blk))
		return;
	end = MIN(end, n + MAX((u64)ei->ra_win, last - n + 1));
	for (u64 b = n; b < end && k < EXT2_PREFETCH_MAX; b++) {
		if (ext2_mpage_at(ino, b * fs->bsize) ||
		    ext2_bmap(fs, ino, b, false, &blk))
			break;
		if (blk && !ext2_cached(fs, blk))
			blks[k++] = blk;
	}
	ext2_prefetch(fs, blks, k);
}

/* The read-ahead window for a read of file blocks [first, last]. */
static void ra_window(struct inode *ino, u64 first, u64 last)
{
	struct ext2_inode *ei = EI(ino);
	u64 want = 2 * (last - first + 1);

	if (first == 0 || first == ei->ra_next)
		ei->ra_win = (u32)MIN(MAX(2 * (u64)ei->ra_win, want),
				      (u64)EXT2_PREFETCH_MAX);
	else
		ei->ra_win = 0;
	ei->ra_next = last + 1;
}

static long do_rw(struct ext2_fs *fs, struct inode *ino, struct iobuf *io,
		  u64 pos, bool write)
{
	size_t done = 0;
	int r = 0;

	while (done < io->len) {
		u64 off = pos + done;
		size_t chunk = MIN(io->len - done,
				   fs->bsize - off % fs->bsize);

		ext2_trim(fs); /* no cached pointer is held between blocks */
		if (!write && !fs->nested)
			read_ahead(fs, ino, off / fs->bsize,
				   (pos + io->len - 1) / fs->bsize);
		if ((r = move(fs, ino, off, io, done, chunk, write)))
			break;
		done += chunk;
	}
	if (write && done && pos + done > ino->size)
		ino->size = pos + done;
	return done ? (long)done : r;
}

static long ext2_read(struct file *f, struct iobuf *io, u64 *pos)
{
	struct inode *ino = f->inode;
	struct ext2_fs *fs = EFS(ino->sb);
	long r = 0;
	/* A fault inside one of our own ops may read (MAP_PRIVATE). */
	bool took_ino = ext2_lock(fs, &ino->lock);
	bool took_fs = ext2_lock(fs, &fs->lock);

	ext2_trim(fs);
	if (*pos < ino->size) {
		if (io->len > ino->size - *pos)
			io->len = ino->size - *pos;
		if (io->len)
			ra_window(ino, *pos / fs->bsize,
				  (*pos + io->len - 1) / fs->bsize);
		r = do_rw(fs, ino, io, *pos, false);
	}
	ext2_unlock(fs, &fs->lock, took_fs);
	ext2_unlock(fs, &ino->lock, took_ino);
	if (r > 0)
		*pos += r;
	return r;
}

static long ext2_write(struct file *f, struct iobuf *io, u64 *pos)
{
	struct inode *ino = f->inode;
	struct ext2_fs *fs = EFS(ino->sb);
	long r = 0;

	if (fs->ro)
		return -EROFS;
	mutex_lock(&ino->lock);
	mutex_lock(&fs->lock);
	ext2_trim(fs);
	if (f->flags & O_APPEND)
		*pos = ino->size;
	if (*pos > ino->size) /* the gap a write past the end leaves: zeros */
		ext2_mpages_zero(ino, ino->size, *pos);
	if (*pos >= max_size(fs)) {
		r = io->len ? -EFBIG : 0;
	} else if (io->len) {
		if (io->len > max_size(fs) - *pos)
			io->len = max_size(fs) - *pos;
		r = do_rw(fs, ino, io, *pos, true);
	}
	if (r > 0) {
		inode_touch(ino, true);
		ext2_iwrite(fs, ino);
		if ((f->flags & O_DSYNC) && ext2_sync_file(fs, ino))
			r = -EIO;
	}
	mutex_unlock(&fs->lock);
	mutex_unlock(&ino->lock);
	if (r > 0)
		*pos += r;
	return r;
}

/* Zeroes the file's bytes from size to the end of its block. */
static int zero_tail(struct ext2_fs *fs, struct inode *ino, u64 size)
{
	u32 in = size % fs->bsize, blk;
	u8 *p;
	int r;

	if (!in)
		return 0;
	if ((r = ext2_bmap(fs, ino, size / fs->bsize, false, &blk)) || !blk)
		return r;
	if ((r = ext2_bread(fs, blk, &p)))
		return r;
	memset(p + in, 0, fs->bsize - in);
	ext2_bdirty_data(fs, blk, (u32)ino->ino);
	return 0;
}

int ext2_setsize(struct inode *ino, u64 size)
{
	struct ext2_fs *fs = EFS(ino->sb);
	int r = 0;

	if (fs->ro)
		return -EROFS;
	if (size > max_size(fs))
		return -EFBIG;
	mutex_lock(&fs->lock);
	ext2_trim(fs);
	if (size < ino->size) {
		r = ext2_trunc_blocks(fs, ino,
				      (size + fs->bsize - 1) / fs->bsize);
		if (!r)
			r = zero_tail(fs, ino, size);
		ext2_mpages_zero(ino, size, ino->size);
		/* Shared mappings fault again past the end: SIGBUS there. */
		vm_unmap_file_from(ino, (size + PAGE_SIZE - 1) / PAGE_SIZE);
	} else {
		/* Bytes stored through a mapping past the old end are not the
		 * file's: the grown part reads zeros, as on Linux. */
		ext2_mpages_zero(ino, ino->size, size);
	}
	if (!r) {
		ino->size = size;
		inode_touch(ino, true);
	}
	ext2_iwrite(fs, ino);
	mutex_unlock(&fs->lock);
	return r;
}

int ext2_fsync(struct file *f)
{
	struct ext2_fs *fs = EFS(f->inode->sb);
	int r;

	mutex_lock(&fs->lock);
	r = ext2_sync_file(fs, f->inode);
	mutex_unlock(&fs->lock);
	return r;
}

const struct file_ops ext2_file_ops = {
	.read = ext2_read,
	.write = ext2_write,
	.llseek = generic_llseek,
	.fsync = ext2_fsync,
	.get_page = ext2_get_page,
	.fallocate = ext2_fallocate,
};

/*
 * fs/ext2/file.c: ext2 regular files: read, write (holes read as zeros;
 * a write past the end leaves a hole), truncate, fsync. Layer: fs.
 * inode->lock, then fs->lock. The bytes go through the block cache (or
 * a page of a shared mapping, mmap.c); a write reaches the disk at
 * fsync, sync, O_SYNC/O_DSYNC writes, when the cache is full, in the
 * background a few seconds later (writeback.c), or at exit. atime is not
 * updated (as mount -o noatime).
 */
#include "ext2.h"

static u64 max_size(struct ext2_fs *fs)
{
	u64 m = ext2_max_blocks(fs) * fs->bsize;

	if (fs->s.rev_level == 0)
		return 0x7fffffffull;
	/* i_blocks counts 512-byte units in 32 bits. */
	return MIN(m, (1ull << 41) - 1);
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
	if ((r = ext2_bread(fs, blk, &p)))
		return r;
	if (!write)
		return iobuf_copy_out(io, at, p + in, len);
	r = iobuf_copy_in(io, at, p + in, len);
	ext2_bdirty_data(fs, blk, (u32)ino->ino);
	return r;
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
		if ((r = move(fs, ino, off, io, done, chunk, write)))
			break;
		done += chunk;
	}
	if (write && done && pos + done > ino->size)
		ino->size = pos + done;
	return done ? (long)done : r;
}

/*
 * Before a read from file block `first` on that misses the cache: the
 * blocks of the read, and when the access looks sequential (the block
 * before is cached, or it is the first) the ones after it up to
 * EXT2_PREFETCH_MAX, are read in one batch instead of one at a time.
 */
static void read_ahead(struct ext2_fs *fs, struct inode *ino, u64 pos,
		       size_t len)
{
	u64 first = pos / fs->bsize, last = (pos + len - 1) / fs->bsize;
	u64 end = (ino->size + fs->bsize - 1) / fs->bsize;
	u32 blks[EXT2_PREFETCH_MAX], n = 0, blk, prev = 0;

	if (ext2_mpage_at(ino, pos) || ext2_bmap(fs, ino, first, false, &blk) ||
	    !blk || ext2_cached(fs, blk))
		return;
	if ((first && ext2_bmap(fs, ino, first - 1, false, &prev)) ||
	    (first && (!prev || !ext2_cached(fs, prev))))
		end = MIN(end, last + 1); /* random access: no more than asked */
	for (u64 b = first; b < end && n < EXT2_PREFETCH_MAX; b++) {
		if (ext2_bmap(fs, ino, b, false, &blk))
			break;
		blks[n++] = blk;
	}
	ext2_prefetch(fs, blks, n);
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
		if (!fs->nested && io->len)
			read_ahead(fs, ino, *pos, io->len);
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

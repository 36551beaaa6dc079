/*
 * fs/ext2/falloc.c: fallocate(2) on ext2 files (file_ops.fallocate).
 * Layer: fs. inode->lock, then fs->lock.
 *
 * Mode 0 and FALLOC_FL_KEEP_SIZE allocate every hole's block in the
 * range (ext2 has no unwritten extents, so each new block is zeroed on
 * the disk as it is written), and mode 0 extends the size. KEEP_SIZE
 * allocates nothing past the end of the file: a block-mapped ext2 file
 * with blocks past i_size is what e2fsck calls a wrong size.
 * FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE frees the whole blocks of the
 * range (discarded on devices that can) and zeroes the partial ones at
 * its ends. Other modes (ZERO_RANGE, COLLAPSE_RANGE, INSERT_RANGE) are
 * -EOPNOTSUPP.
 * DIVERGENCE: Linux's ext2 driver has no fallocate at all (EOPNOTSUPP);
 * ext4's has these modes and more.
 */
#include "ext2.h"

#define FALLOC_FL_KEEP_SIZE 1
#define FALLOC_FL_PUNCH_HOLE 2

/* Allocates the holes of file blocks [first, last]. */
static int alloc_range(struct ext2_fs *fs, struct inode *ino, u64 first,
		       u64 last)
{
	u32 blk;
	int r = 0;

	for (u64 n = first; n <= last && !r; n++) {
		ext2_trim(fs); /* no cached pointer is held between blocks */
		r = ext2_bmap(fs, ino, n, true, &blk);
	}
	return r;
}

/* Zeroes the file's bytes [from, to) inside one block, if it has one. */
static int zero_in_block(struct ext2_fs *fs, struct inode *ino, u64 from,
			 u64 to)
{
	u32 blk;
	u8 *p;
	int r = ext2_bmap(fs, ino, from / fs->bsize, false, &blk);

	if (r || !blk)
		return r;
	if ((r = ext2_bread(fs, blk, &p)))
		return r;
	memset(p + from % fs->bsize, 0, to - from);
	ext2_bdirty_data(fs, blk, (u32)ino->ino);
	return 0;
}

static int punch(struct ext2_fs *fs, struct inode *ino, u64 off, u64 end)
{
	u64 first = (off + fs->bsize - 1) / fs->bsize, last = end / fs->bsize;
	int r = 0;

	end = MIN(end, ino->size);
	if (off >= end)
		return 0;
	ext2_mpages_zero(ino, off, end);
	if (first > last) /* inside one block */
		return zero_in_block(fs, ino, off, end);
	if (off % fs->bsize)
		r = zero_in_block(fs, ino, off, first * fs->bsize);
	if (!r && end % fs->bsize && end / fs->bsize >= first)
		r = zero_in_block(fs, ino, last * fs->bsize, end);
	if (!r && first < last)
		r = ext2_punch_blocks(fs, ino, first, last);
	return r;
}

int ext2_fallocate(struct file *f, int mode, u64 off, u64 len)
{
	struct inode *ino = f->inode;
	struct ext2_fs *fs = EFS(ino->sb);
	u64 end = off + len;
	int r;

	if (mode != 0 && mode != FALLOC_FL_KEEP_SIZE &&
	    mode != (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if (fs->ro)
		return -EROFS;
	if (end < off || (!(mode & FALLOC_FL_PUNCH_HOLE) &&
			  end > ext2_max_blocks(fs) * fs->bsize))
		return -EFBIG;
	mutex_lock(&ino->lock);
	mutex_lock(&fs->lock);
	ext2_trim(fs);
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		r = punch(fs, ino, off, end);
	} else {
		if ((mode & FALLOC_FL_KEEP_SIZE) && end > ino->size)
			end = ino->size; /* no block past i_size (see above) */
		r = off < end ? alloc_range(fs, ino, off / fs->bsize,
					    (end - 1) / fs->bsize) : 0;
		if (!r && !(mode & FALLOC_FL_KEEP_SIZE) && end > ino->size)
			ino->size = end;
	}
	inode_touch(ino, !r && (mode & FALLOC_FL_PUNCH_HOLE));
	ext2_iwrite(fs, ino);
	mutex_unlock(&fs->lock);
	mutex_unlock(&ino->lock);
	return r;
}

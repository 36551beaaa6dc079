/*
 * fs/ext2/bmap.c: a file's block map: 12 direct blocks in the inode, then
 * an indirect, a double-indirect and a triple-indirect block. Layer: fs.
 * fs->lock held. Every pointer is checked (ext2_block_ok) before it is
 * followed or freed; a bad one is -EUCLEAN. ino->blocks counts, in
 * 512-byte units, the data and indirect blocks.
 */
#include "ext2.h"

u64 ext2_max_blocks(struct ext2_fs *fs)
{
	u64 a = fs->apb;

	return EXT2_NDIR + a + a * a + a * a * a;
}

/* The path to file block n: the index in i_block, then in each indirect
 * block; returns the depth (1..4) or 0 past the end. */
static int path_of(struct ext2_fs *fs, u64 n, u32 idx[4])
{
	u64 a = fs->apb;

	if (n < EXT2_NDIR) {
		idx[0] = n;
		return 1;
	}
	n -= EXT2_NDIR;
	if (n < a) {
		idx[0] = EXT2_IND;
		idx[1] = n;
		return 2;
	}
	n -= a;
	if (n < a * a) {
		idx[0] = EXT2_DIND;
		idx[1] = n / a;
		idx[2] = n % a;
		return 3;
	}
	n -= a * a;
	if (n < a * a * a) {
		idx[0] = EXT2_TIND;
		idx[1] = n / (a * a);
		idx[2] = n / a % a;
		idx[3] = n % a;
		return 4;
	}
	return 0;
}

static u32 goal_of(struct ext2_fs *fs, struct inode *ino)
{
	u32 g = (ino->ino - 1) / fs->s.inodes_per_group;

	return fs->s.first_data_block + g * fs->s.blocks_per_group;
}

/* Fills the empty pointer *ptr (in block holder, 0: the inode) with a new
 * zeroed block. */
static int grow(struct ext2_fs *fs, struct inode *ino, u32 *ptr, u32 holder)
{
	u32 blk;
	u8 *p;
	int r;

	if ((r = ext2_balloc(fs, goal_of(fs, ino), &blk)))
		return r;
	if ((r = ext2_bzero(fs, blk, &p))) {
		ext2_bfree(fs, blk);
		return r;
	}
	*ptr = blk;
	ino->blocks += fs->bsize / 512;
	if (holder)
		ext2_bdirty(fs, holder);
	return 0;
}

int ext2_bmap(struct ext2_fs *fs, struct inode *ino, u64 n, bool alloc,
	      u32 *out)
{
	u32 idx[4], holder = 0, *ptr;
	int depth = path_of(fs, n, idx), r;

	if (!depth)
		return -EFBIG;
	ptr = &EI(ino)->block[idx[0]];
	for (int level = 0;; level++) {
		if (!*ptr && !alloc) {
			*out = 0;
			return 0;
		}
		if (!*ptr && (r = grow(fs, ino, ptr, holder)))
			return r;
		if (!ext2_block_ok(fs, *ptr))
			return ext2_corrupt(fs, "bad block pointer", *ptr);
		if (level == depth - 1)
			break;
		u8 *table;

		holder = *ptr;
		if ((r = ext2_bread(fs, holder, &table)))
			return r;
		ptr = (u32 *)table + idx[level + 1];
	}
	*out = *ptr;
	return 0;
}

static int free_one(struct ext2_fs *fs, struct inode *ino, u32 blk)
{
	int r = ext2_bfree(fs, blk);

	if (!r && ino->blocks >= fs->bsize / 512)
		ino->blocks -= fs->bsize / 512;
	return r;
}

/* Frees the tree under blk (level 0: a data block). */
static int free_whole(struct ext2_fs *fs, struct inode *ino, u32 blk,
		      int level)
{
	u32 *t;
	int r;

	if (!ext2_block_ok(fs, blk))
		return ext2_corrupt(fs, "bad block pointer", blk);
	if (level > 0) {
		if ((r = ext2_bread(fs, blk, (u8 **)&t)))
			return r;
		for (u32 i = 0; i < fs->apb; i++) {
			u32 child = t[i];

			if (!child)
				continue;
			if ((r = free_whole(fs, ino, child, level - 1)))
				return r;
			/* t may be gone (bfree forgets only freed blocks, but
			 * be safe): read it again. */
			if ((r = ext2_bread(fs, blk, (u8 **)&t)))
				return r;
		}
	}
	return free_one(fs, ino, blk);
}

/* Frees, in the tree of level under blk, the file blocks from `from`
 * (relative to the tree's first) on; the tree's block itself stays. */
static int free_from(struct ext2_fs *fs, struct inode *ino, u32 blk,
		     int level, u64 from)
{
	u64 span = 1;
	u32 *t;
	int r;

	for (int i = 1; i < level; i++)
		span *= fs->apb;
	if (!ext2_block_ok(fs, blk))
		return ext2_corrupt(fs, "bad block pointer", blk);
	for (u32 i = 0; i < fs->apb; i++) {
		u64 base = i * span;

		if ((r = ext2_bread(fs, blk, (u8 **)&t)))
			return r;
		if (!t[i] || from >= base + span)
			continue;
		if (from <= base) {
			u32 child = t[i];

			t[i] = 0;
			ext2_bdirty(fs, blk);
			r = free_whole(fs, ino, child, level - 1);
		} else {
			r = free_from(fs, ino, t[i], level - 1, from - base);
		}
		if (r)
			return r;
	}
	return 0;
}

int ext2_trunc_blocks(struct ext2_fs *fs, struct inode *ino, u64 from)
{
	u32 *b = EI(ino)->block;
	u64 a = fs->apb, base = EXT2_NDIR, span = a;
	int r;

	for (u64 i = from; i < EXT2_NDIR; i++) {
		if (!b[i])
			continue;
		u32 blk = b[i];

		b[i] = 0;
		if ((r = free_whole(fs, ino, blk, 0)))
			return r;
	}
	for (int level = 1; level <= 3; level++, base += span, span *= a) {
		u32 root = b[EXT2_IND + level - 1];

		if (!root || from >= base + span)
			continue;
		if (from <= base) {
			b[EXT2_IND + level - 1] = 0;
			r = free_whole(fs, ino, root, level);
		} else {
			r = free_from(fs, ino, root, level, from - base);
		}
		if (r)
			return r;
	}
	return 0;
}

/*
 * The pointer to file block n (in the inode or in an indirect block,
 * *holder then, else 0) in *ptr; NULL when the path to it is a hole, and
 * *skip then says how many blocks from n on that hole covers.
 */
static int leaf_of(struct ext2_fs *fs, struct inode *ino, u64 n, u32 **ptr,
		   u32 *holder, u64 *skip)
{
	u32 idx[4];
	int depth = path_of(fs, n, idx), r;
	u32 *p;

	if (!depth)
		return -EFBIG;
	p = &EI(ino)->block[idx[0]];
	*holder = 0;
	for (int level = 0; level < depth - 1; level++) {
		u64 span = 1;
		u8 *table;

		for (int k = level + 1; k < depth; k++)
			span *= fs->apb;
		if (!*p) {
			/* The hole reaches the end of this pointer's span. */
			u64 in = 0;

			for (int k = level + 1; k < depth; k++)
				in = in * fs->apb + idx[k];
			*ptr = NULL;
			*skip = span - in;
			return 0;
		}
		if (!ext2_block_ok(fs, *p))
			return ext2_corrupt(fs, "bad block pointer", *p);
		*holder = *p;
		if ((r = ext2_bread(fs, *holder, &table)))
			return r;
		p = (u32 *)table + idx[level + 1];
	}
	*ptr = p;
	*skip = 1;
	return 0;
}

int ext2_punch_blocks(struct ext2_fs *fs, struct inode *ino, u64 from,
		      u64 to)
{
	u64 max = ext2_max_blocks(fs), skip = 1;
	u32 *ptr = NULL, holder, blk;
	int r;

	for (u64 n = from; n < to && n < max; n += skip) {
		if ((r = leaf_of(fs, ino, n, &ptr, &holder, &skip)))
			return r;
		if (!ptr || !*ptr)
			continue;
		blk = *ptr;
		if (!ext2_block_ok(fs, blk))
			return ext2_corrupt(fs, "bad block pointer", blk);
		*ptr = 0;
		if (holder)
			ext2_bdirty(fs, holder);
		if ((r = free_one(fs, ino, blk)))
			return r;
	}
	return 0;
}

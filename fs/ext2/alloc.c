/*
 * fs/ext2/alloc.c: allocating and freeing blocks and inodes in the
 * groups' bitmaps, with the free counts of the groups and the superblock
 * kept in step. Layer: fs. fs->lock held.
 *
 * A block the bitmap calls free but that holds metadata (a superblock or
 * descriptor copy of group 0, a bitmap, an inode table) is a corrupt
 * bitmap: -EUCLEAN, never handed out, so a damaged image cannot make us
 * write over its own tables.
 */
#include <skiff/kernel.h>
#include "ext2.h"

static u32 itable_blocks(struct ext2_fs *fs)
{
	return (fs->s.inodes_per_group * fs->isize + fs->bsize - 1) / fs->bsize;
}

bool ext2_block_ok(struct ext2_fs *fs, u32 blk)
{
	u32 itb = itable_blocks(fs);

	if (blk <= fs->s.first_data_block + fs->gd_blocks ||
	    blk >= fs->s.blocks_count)
		return false;
	for (u32 g = 0; g < fs->ngroups; g++) {
		struct ext2_gd *d = &fs->gd[g];

		if (blk == d->block_bitmap || blk == d->inode_bitmap ||
		    (blk >= d->inode_table && blk - d->inode_table < itb))
			return false;
	}
	return true;
}

static bool test_bit(const u8 *map, u32 i)
{
	return map[i / 8] & (1u << (i % 8));
}

/* The first clear bit in [from, n) of map, or n. */
static u32 find_clear(const u8 *map, u32 from, u32 n)
{
	for (u32 i = from; i < n; i++) {
		if (i % 8 == 0 && map[i / 8] == 0xff && i + 8 <= n) {
			i += 7;
			continue;
		}
		if (!test_bit(map, i))
			return i;
	}
	return n;
}

static u32 group_blocks(struct ext2_fs *fs, u32 g)
{
	u32 start = fs->s.first_data_block + g * fs->s.blocks_per_group;

	return MIN(fs->s.blocks_per_group, fs->s.blocks_count - start);
}

/* Takes a free block of group g at or after bit from: 0 or -ENOSPC. */
static int alloc_in(struct ext2_fs *fs, u32 g, u32 from, u32 *out)
{
	struct ext2_gd *d = &fs->gd[g];
	u32 n = group_blocks(fs, g), i, blk;
	u8 *map;
	int r;

	if (!d->free_blocks_count)
		return -ENOSPC;
	if ((r = ext2_bread(fs, d->block_bitmap, &map)))
		return r;
	i = find_clear(map, from, n);
	if (i == n && from)
		i = find_clear(map, 0, from);
	if (i >= n)
		return ext2_corrupt(fs, "group free count but full bitmap", g);
	blk = fs->s.first_data_block + g * fs->s.blocks_per_group + i;
	if (!ext2_block_ok(fs, blk))
		return ext2_corrupt(fs, "bitmap frees a metadata block", blk);
	map[i / 8] |= 1u << (i % 8);
	ext2_bdirty(fs, d->block_bitmap);
	d->free_blocks_count--;
	if (fs->s.free_blocks_count)
		fs->s.free_blocks_count--;
	fs->gd_dirty = fs->sb_dirty = true;
	ext2_discard_claim(fs, blk);
	*out = blk;
	return 0;
}

int ext2_balloc(struct ext2_fs *fs, u32 goal, u32 *out)
{
	u32 g0 = 0, from = 0;
	int r;

	if (goal > fs->s.first_data_block && goal < fs->s.blocks_count) {
		g0 = (goal - fs->s.first_data_block) / fs->s.blocks_per_group;
		from = (goal - fs->s.first_data_block) % fs->s.blocks_per_group;
	}
	for (u32 k = 0; k < fs->ngroups; k++) {
		u32 g = (g0 + k) % fs->ngroups;

		r = alloc_in(fs, g, k ? 0 : from, out);
		if (r != -ENOSPC)
			return r;
	}
	return -ENOSPC;
}

int ext2_bfree(struct ext2_fs *fs, u32 blk)
{
	u32 g, i;
	u8 *map;
	int r;

	if (!ext2_block_ok(fs, blk))
		return ext2_corrupt(fs, "freeing a bad block number", blk);
	g = (blk - fs->s.first_data_block) / fs->s.blocks_per_group;
	i = (blk - fs->s.first_data_block) % fs->s.blocks_per_group;
	if ((r = ext2_bread(fs, fs->gd[g].block_bitmap, &map)))
		return r;
	if (!test_bit(map, i))
		return ext2_corrupt(fs, "freeing a free block", blk);
	map[i / 8] &= ~(1u << (i % 8));
	ext2_bdirty(fs, fs->gd[g].block_bitmap);
	ext2_bforget(fs, blk);
	ext2_discard_note(fs, blk);
	fs->gd[g].free_blocks_count++;
	fs->s.free_blocks_count++;
	fs->gd_dirty = fs->sb_dirty = true;
	return 0;
}

/* The group for a new inode: a directory goes to the group with the most
 * free inodes, a file next to its directory. */
static u32 pick_group(struct ext2_fs *fs, u32 dir_ino, bool dir)
{
	u32 best = 0;

	if (!dir && dir_ino)
		return (dir_ino - 1) / fs->s.inodes_per_group % fs->ngroups;
	for (u32 g = 1; g < fs->ngroups; g++)
		if (fs->gd[g].free_inodes_count > fs->gd[best].free_inodes_count)
			best = g;
	return best;
}

static int ialloc_in(struct ext2_fs *fs, u32 g, bool dir, u32 *out)
{
	struct ext2_gd *d = &fs->gd[g];
	u32 ipg = fs->s.inodes_per_group, i = 0;
	u8 *map;
	int r;

	if (!d->free_inodes_count)
		return -ENOSPC;
	if ((r = ext2_bread(fs, d->inode_bitmap, &map)))
		return r;
	if (g == 0)
		i = MIN(fs->s.first_ino - 1, ipg);
	i = find_clear(map, i, ipg);
	if (i >= ipg)
		return ext2_corrupt(fs, "group inode count but full bitmap", g);
	map[i / 8] |= 1u << (i % 8);
	ext2_bdirty(fs, d->inode_bitmap);
	d->free_inodes_count--;
	if (dir)
		d->used_dirs_count++;
	if (fs->s.free_inodes_count)
		fs->s.free_inodes_count--;
	fs->gd_dirty = fs->sb_dirty = true;
	*out = g * ipg + i + 1;
	return 0;
}

int ext2_ialloc(struct ext2_fs *fs, u32 dir_ino, bool dir, u32 *out)
{
	u32 g0 = pick_group(fs, dir_ino, dir);
	int r;

	for (u32 k = 0; k < fs->ngroups; k++) {
		r = ialloc_in(fs, (g0 + k) % fs->ngroups, dir, out);
		if (r != -ENOSPC)
			return r;
	}
	return -ENOSPC;
}

int ext2_ifree(struct ext2_fs *fs, u32 ino, bool dir)
{
	u32 g = (ino - 1) / fs->s.inodes_per_group;
	u32 i = (ino - 1) % fs->s.inodes_per_group;
	u8 *map;
	int r;

	if (ino < fs->s.first_ino || ino > fs->s.inodes_count)
		return ext2_corrupt(fs, "freeing a bad inode number", ino);
	if ((r = ext2_bread(fs, fs->gd[g].inode_bitmap, &map)))
		return r;
	if (!test_bit(map, i))
		return ext2_corrupt(fs, "freeing a free inode", ino);
	map[i / 8] &= ~(1u << (i % 8));
	ext2_bdirty(fs, fs->gd[g].inode_bitmap);
	fs->gd[g].free_inodes_count++;
	if (dir && fs->gd[g].used_dirs_count)
		fs->gd[g].used_dirs_count--;
	fs->s.free_inodes_count++;
	fs->gd_dirty = fs->sb_dirty = true;
	return 0;
}

/*
 * fs/ext2/inode.c: ext2 inodes in memory: reading one from the inode
 * table (checked), writing it back, making a new one, and freeing it when
 * its last link and last reference are gone. Layer: fs. fs->lock held,
 * except ext2_evict, which takes it.
 *
 * One struct inode per on-disk inode while referenced (fs->ihash), so
 * hard links share it. The VFS changes a struct inode's fields itself
 * (chmod, utimes): every live inode is written back at each sync, and
 * each at its eviction. An inode unlinked while open is freed at its
 * eviction, or at exit (ext2_write_all with at_exit) if still open.
 */
#include <skiff/alloc.h>
#include <skiff/kernel.h>
#include <skiff/time.h>
#include "ext2.h"

static struct list *bucket(struct ext2_fs *fs, u32 n)
{
	return &fs->ihash[n % ARRAY_SIZE(fs->ihash)];
}

/* Where inode n lives: its block and the offset in it. */
static int locate(struct ext2_fs *fs, u32 n, u32 *blk, u32 *off)
{
	u32 g, idx;
	u64 byte;

	if (n < 1 || n > fs->s.inodes_count)
		return ext2_corrupt(fs, "inode number out of range", n);
	g = (n - 1) / fs->s.inodes_per_group;
	idx = (n - 1) % fs->s.inodes_per_group;
	byte = (u64)idx * fs->isize;
	*blk = fs->gd[g].inode_table + (u32)(byte / fs->bsize);
	*off = byte % fs->bsize;
	return 0;
}

static int read_dinode(struct ext2_fs *fs, u32 n, struct ext2_dinode **d,
		       u32 *blk)
{
	u32 off = 0;
	u8 *p;
	int r;

	if ((r = locate(fs, n, blk, &off)) || (r = ext2_bread(fs, *blk, &p)))
		return r;
	*d = (struct ext2_dinode *)(p + off);
	return 0;
}

/* Whether d (of fs's inode size) has the times' nanosecond words. */
static bool has_extra_times(struct ext2_fs *fs, struct ext2_dinode *d)
{
	return fs->isize >= 128 + EXTRA_TIMES_ISIZE &&
	       d->extra_isize >= EXTRA_TIMES_ISIZE &&
	       d->extra_isize <= fs->isize - 128;
}

static void to_time(struct vfs_time *t, u32 s)
{
	t->sec = s;
	t->nsec = 0;
}

void ext2_set_ops(struct inode *ino)
{
	ino->blksize = EFS(ino->sb)->bsize;
	if (S_ISDIR(ino->mode)) {
		ino->iops = &ext2_dir_iops;
		ino->fops = &ext2_dir_fops;
	} else if (S_ISREG(ino->mode)) {
		ino->iops = &ext2_file_iops;
		ino->fops = &ext2_file_ops;
	} else if (S_ISLNK(ino->mode)) {
		ino->iops = &ext2_link_iops;
	}
}

/* A device node's number: old encoding in block[0], new in block[1]. */
static u64 decode_rdev(const u32 b[15])
{
	if (b[0])
		return MKDEV((b[0] >> 8) & 0xff, b[0] & 0xff);
	return MKDEV((b[1] & 0xfff00) >> 8, (b[1] & 0xff) | ((b[1] >> 12) & 0xfff00));
}

static int fill(struct ext2_fs *fs, struct inode *ino, struct ext2_dinode *d)
{
	struct ext2_inode *ei = EI(ino);
	u32 type = d->mode & S_IFMT;

	if (type != S_IFREG && type != S_IFDIR && type != S_IFLNK &&
	    type != S_IFCHR && type != S_IFBLK && type != S_IFIFO &&
	    type != S_IFSOCK)
		return ext2_corrupt(fs, "bad inode mode", ino->ino);
	if (type == S_IFDIR && (d->size % fs->bsize || !d->size))
		return ext2_corrupt(fs, "bad directory size", ino->ino);
	ino->mode = d->mode;
	ino->nlink = d->links_count;
	ino->uid = d->uid | (u32)d->uid_high << 16;
	ino->gid = d->gid | (u32)d->gid_high << 16;
	ino->size = d->size;
	if (type == S_IFREG)
		ino->size |= (u64)d->size_high << 32;
	ino->blocks = d->blocks;
	to_time(&ino->atime, d->atime);
	to_time(&ino->mtime, d->mtime);
	to_time(&ino->ctime, d->ctime);
	if (has_extra_times(fs, d)) {
		ino->atime.nsec = (d->atime_extra >> 2) % 1000000000u;
		ino->mtime.nsec = (d->mtime_extra >> 2) % 1000000000u;
		ino->ctime.nsec = (d->ctime_extra >> 2) % 1000000000u;
	}
	memcpy(ei->block, d->block, sizeof(ei->block));
	ei->flags = d->flags;
	ei->file_acl = d->file_acl;
	ei->generation = d->generation;
	if (type == S_IFCHR || type == S_IFBLK)
		ino->rdev = decode_rdev(ei->block);
	if (type == S_IFLNK && ino->size >= PATH_MAX)
		return ext2_corrupt(fs, "symlink too long", ino->ino);
	/* Past the block map's reach: a damaged size (reading its holes
	 * would take hours). */
	if (ino->size > ext2_max_blocks(fs) * fs->bsize)
		return ext2_corrupt(fs, "size past the largest file", ino->ino);
	return 0;
}

static struct inode *find_live(struct ext2_fs *fs, u32 n)
{
	list_for_each(it, bucket(fs, n)) {
		struct ext2_inode *ei = list_entry(it, struct ext2_inode, hash);
		struct inode *ino = ei->self;
		u32 ref = __atomic_load_n(&ino->ref, __ATOMIC_ACQUIRE);

		if (ino->ino != n)
			continue;
		/* A reference only while it has one: at 0 it is being
		 * evicted (evict waits for fs->lock to unhash it). */
		while (ref && !__atomic_compare_exchange_n(&ino->ref, &ref,
				ref + 1, false, __ATOMIC_ACQ_REL,
				__ATOMIC_ACQUIRE))
			;
		if (ref)
			return ino;
	}
	return NULL;
}

static struct inode *alloc_inode(struct ext2_fs *fs, u32 n, u32 mode)
{
	struct inode *ino = inode_new(fs->sb, mode);

	if (!ino)
		return NULL;
	if (!(ino->priv = kzalloc(sizeof(struct ext2_inode)))) {
		kfree(ino);
		return NULL;
	}
	ino->ino = n;
	EI(ino)->self = ino;
	return ino;
}

int ext2_iget(struct ext2_fs *fs, u32 n, struct inode **out)
{
	struct ext2_dinode *d;
	struct inode *ino;
	u32 blk;
	int r;

	if (n != EXT2_ROOT_INO && n < fs->s.first_ino)
		return ext2_corrupt(fs, "entry names a reserved inode", n);
	if ((*out = find_live(fs, n)))
		return 0;
	if ((r = read_dinode(fs, n, &d, &blk)))
		return r;
	if (!d->links_count || !d->mode)
		return ext2_corrupt(fs, "entry names a free inode", n);
	if (!(ino = alloc_inode(fs, n, d->mode)))
		return -ENOMEM;
	if ((r = fill(fs, ino, d))) {
		kfree(ino->priv);
		kfree(ino);
		return r;
	}
	ext2_set_ops(ino);
	list_push_back(bucket(fs, n), &EI(ino)->hash);
	*out = ino;
	return 0;
}

int ext2_iwrite(struct ext2_fs *fs, struct inode *ino)
{
	struct ext2_inode *ei = EI(ino);
	struct ext2_dinode *disk, copy, *d = &copy;
	size_t n = MIN((size_t)fs->isize, sizeof(copy));
	u32 blk;
	int r;

	if (fs->ro || ei->freed)
		return 0;
	if ((r = read_dinode(fs, ino->ino, &disk, &blk)))
		return r;
	/* Changed in a copy: an unchanged inode dirties no block (so a sync
	 * writes nothing, and wakes no background writer, for it). */
	memcpy(d, disk, n);
	d->mode = ino->mode;
	d->uid = ino->uid & 0xffff;
	d->uid_high = ino->uid >> 16;
	d->gid = ino->gid & 0xffff;
	d->gid_high = ino->gid >> 16;
	d->size = (u32)ino->size;
	if (S_ISREG(ino->mode)) {
		d->size_high = ino->size >> 32;
		if (ino->size > 0x7fffffffull &&
		    !(fs->s.feature_ro_compat & RO_COMPAT_LARGE_FILE)) {
			fs->s.feature_ro_compat |= RO_COMPAT_LARGE_FILE;
			fs->sb_dirty = true;
		}
	}
	d->atime = ino->atime.sec;
	d->mtime = ino->mtime.sec;
	d->ctime = ino->ctime.sec;
	if (has_extra_times(fs, d)) {
		/* The epoch bits (low two) stay 0: times from 1901 to 2038. */
		d->atime_extra = (u32)ino->atime.nsec << 2;
		d->mtime_extra = (u32)ino->mtime.nsec << 2;
		d->ctime_extra = (u32)ino->ctime.nsec << 2;
	}
	d->dtime = ei->dtime;
	d->links_count = ino->nlink;
	d->blocks = ino->blocks;
	d->flags = ei->flags;
	d->file_acl = ei->file_acl;
	d->generation = ei->generation;
	memcpy(d->block, ei->block, sizeof(d->block)); /* devices: rdev */
	if (memcmp(disk, d, n)) {
		memcpy(disk, d, n);
		ext2_bdirty(fs, blk);
	}
	return 0;
}

int ext2_inew(struct ext2_fs *fs, struct inode *dir, u32 mode,
	      struct inode **out)
{
	static u32 generation;
	struct ext2_dinode *d;
	struct inode *ino;
	u32 n, blk;
	int r;

	if ((r = ext2_ialloc(fs, dir->ino, S_ISDIR(mode), &n)))
		return r;
	if ((r = read_dinode(fs, n, &d, &blk)))
		return r;
	if (!(ino = alloc_inode(fs, n, mode))) {
		ext2_ifree(fs, n, S_ISDIR(mode));
		return -ENOMEM;
	}
	memset(d, 0, fs->isize);
	if (fs->isize >= 160)
		d->extra_isize = 32;
	ext2_bdirty(fs, blk);
	ino->blocks = 0;
	EI(ino)->generation = ++generation;
	ext2_set_ops(ino);
	list_push_back(bucket(fs, n), &EI(ino)->hash);
	*out = ino;
	return ext2_iwrite(fs, ino);
}

/* Drops the inode's extended-attribute block reference. */
static int free_xattr(struct ext2_fs *fs, struct ext2_inode *ei)
{
	u32 *h;
	int r;

	if (!ei->file_acl)
		return 0;
	if ((r = ext2_bread(fs, ei->file_acl, (u8 **)&h)))
		return r;
	if (h[0] != 0xEA020000 || h[1] == 0)
		return ext2_corrupt(fs, "bad xattr block", ei->file_acl);
	if (--h[1] == 0)
		r = ext2_bfree(fs, ei->file_acl);
	else
		ext2_bdirty(fs, ei->file_acl);
	ei->file_acl = 0;
	return r;
}

/* The inode has no link left: its blocks and itself go back. */
int ext2_ifree_inode(struct ext2_fs *fs, struct inode *ino)
{
	struct ext2_inode *ei = EI(ino);
	int r = 0;

	if (ei->freed || fs->ro)
		return 0;
	if (!S_ISLNK(ino->mode) || ino->blocks)
		r = ext2_trunc_blocks(fs, ino, 0);
	if (!r)
		r = free_xattr(fs, ei);
	ino->size = 0;
	ino->blocks = 0;
	ino->nlink = 0;
	memset(ei->block, 0, sizeof(ei->block));
	ei->dtime = time_realtime_ns() / 1000000000ull;
	if (!r)
		r = ext2_iwrite(fs, ino);
	if (!r)
		r = ext2_ifree(fs, ino->ino, S_ISDIR(ino->mode));
	ei->freed = true;
	return r;
}

void ext2_evict(struct inode *ino)
{
	struct ext2_fs *fs = EFS(ino->sb);

	mutex_lock(&fs->lock);
	if (EI(ino)->hash.next)
		list_remove(&EI(ino)->hash);
	if (ino->nlink == 0) {
		ext2_ifree_inode(fs, ino);
	} else {
		ext2_mpages_writeback(fs, ino);
		ext2_iwrite(fs, ino);
	}
	ext2_mpages_free(ino);
	mutex_unlock(&fs->lock);
	kfree(ino->priv);
}

int ext2_write_all(struct ext2_fs *fs, bool at_exit)
{
	int r = 0;

	for (unsigned b = 0; b < ARRAY_SIZE(fs->ihash); b++) {
		list_for_each(it, &fs->ihash[b]) {
			struct ext2_inode *ei =
				list_entry(it, struct ext2_inode, hash);
			int e = 0;

			if (at_exit && ei->self->nlink == 0)
				e = ext2_ifree_inode(fs, ei->self);
			else if ((e = ext2_mpages_writeback(fs, ei->self)))
				ext2_iwrite(fs, ei->self);
			else
				e = ext2_iwrite(fs, ei->self);

			if (!r)
				r = e;
		}
	}
	return r;
}

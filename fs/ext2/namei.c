/*
 * fs/ext2/namei.c: the directory and link ops of ext2 (struct inode_ops):
 * lookup, create (files, directories, nodes, fifos), symlink (fast ones in
 * the inode, slow ones in a block), link, unlink, rmdir, rename, readlink.
 * Layer: fs. Each takes fs->lock (vfs_ns_lock is held by the VFS). A new
 * inode that cannot be linked is freed again before the error returns.
 */
#include "ext2.h"

static int begin(struct ext2_fs *fs)
{
	if (fs->ro)
		return -EROFS;
	mutex_lock(&fs->lock);
	ext2_trim(fs);
	return 0;
}

static int ext2_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct ext2_fs *fs = EFS(dir->sb);
	u32 n;
	int r;

	mutex_lock(&fs->lock);
	ext2_trim(fs);
	r = ext2_dir_find(fs, dir, name, &n);
	if (!r)
		r = ext2_iget(fs, n, out);
	mutex_unlock(&fs->lock);
	return r;
}

/* Undoes ext2_inew after a failure (fs->lock held); the caller puts it
 * after unlocking. */
static void undo_new(struct ext2_fs *fs, struct inode *ino)
{
	ino->nlink = 0;
	ext2_ifree_inode(fs, ino);
}

static void encode_rdev(struct inode *ino)
{
	u32 ma = DEV_MAJOR(ino->rdev), mi = DEV_MINOR(ino->rdev);

	if (ma < 256 && mi < 256)
		EI(ino)->block[0] = ma << 8 | mi;
	else
		EI(ino)->block[1] = (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
}

/* fs->lock held: a new inode of mode in dir, named name. */
static int make(struct ext2_fs *fs, struct inode *dir, const char *name,
		u32 mode, struct inode **out)
{
	struct inode *ino;
	int r;

	if (S_ISDIR(mode) && dir->nlink >= EXT2_LINK_MAX)
		return -EMLINK;
	if ((r = ext2_inew(fs, dir, mode, &ino)))
		return r;
	if (S_ISDIR(mode)) {
		ino->nlink = 2;
		r = ext2_dir_init(fs, ino, dir->ino);
	}
	if (!r)
		r = ext2_iwrite(fs, ino);
	if (!r)
		r = ext2_dir_add(fs, dir, name, ino->ino, mode);
	if (r) {
		undo_new(fs, ino);
		*out = ino; /* the caller puts it */
		return r;
	}
	if (S_ISDIR(mode)) {
		dir->nlink++;
		ext2_iwrite(fs, dir);
	}
	*out = ino;
	return 0;
}

static int ext2_create(struct inode *dir, const char *name, u32 mode,
		       u64 rdev, struct inode **out)
{
	struct ext2_fs *fs = EFS(dir->sb);
	struct inode *ino = NULL;
	int r;

	if (!name[0])
		return -EOPNOTSUPP; /* O_TMPFILE: no nameless inodes on ext2 */
	if ((r = begin(fs)))
		return r;
	r = make(fs, dir, name, mode, &ino);
	if (!r && (S_ISCHR(mode) || S_ISBLK(mode))) {
		ino->rdev = rdev;
		encode_rdev(ino);
		ext2_iwrite(fs, ino);
	}
	mutex_unlock(&fs->lock);
	if (r && ino)
		inode_put(ino);
	else if (!r)
		*out = ino;
	return r;
}

static int write_target(struct ext2_fs *fs, struct inode *ino,
			const char *target, size_t len)
{
	u32 blk;
	u8 *p;
	int r;

	ino->size = len;
	if (len < EXT2_FAST_LINK) {
		memcpy(EI(ino)->block, target, len);
		return ext2_iwrite(fs, ino);
	}
	if ((r = ext2_bmap(fs, ino, 0, true, &blk)) ||
	    (r = ext2_bread(fs, blk, &p)))
		return r;
	memcpy(p, target, len);
	ext2_bdirty(fs, blk);
	return ext2_iwrite(fs, ino);
}

static int ext2_symlink(struct inode *dir, const char *name,
			const char *target, struct inode **out)
{
	struct ext2_fs *fs = EFS(dir->sb);
	size_t len = strlen(target);
	struct inode *ino = NULL;
	int r;

	if (len >= fs->bsize || len >= PATH_MAX)
		return -ENAMETOOLONG;
	if ((r = begin(fs)))
		return r;
	if (!(r = ext2_inew(fs, dir, S_IFLNK | 0777, &ino))) {
		r = write_target(fs, ino, target, len);
		if (!r)
			r = ext2_dir_add(fs, dir, name, ino->ino, ino->mode);
		if (r)
			undo_new(fs, ino);
	}
	mutex_unlock(&fs->lock);
	if (r && ino)
		inode_put(ino);
	else if (!r)
		*out = ino;
	return r;
}

static long ext2_readlink(struct inode *ino, char *buf, size_t size)
{
	struct ext2_fs *fs = EFS(ino->sb);
	u64 meta = EI(ino)->file_acl ? fs->bsize / 512 : 0;
	size_t len = ino->size;
	u32 blk;
	u8 *p;
	long r = len;

	mutex_lock(&fs->lock);
	if (ino->blocks <= meta && len < EXT2_FAST_LINK) {
		memcpy(buf, EI(ino)->block, MIN(len, size));
	} else if (len > fs->bsize) {
		r = ext2_corrupt(fs, "symlink too long", ino->ino);
	} else if (!(r = ext2_bmap(fs, ino, 0, false, &blk)) && blk &&
		   !(r = ext2_bread(fs, blk, &p))) {
		memcpy(buf, p, MIN(len, size));
		r = len;
	} else if (!r) {
		r = ext2_corrupt(fs, "symlink without a block", ino->ino);
	}
	mutex_unlock(&fs->lock);
	return r;
}

static int ext2_link(struct inode *dir, const char *name, struct inode *target)
{
	struct ext2_fs *fs = EFS(dir->sb);
	int r;

	if (target->nlink >= EXT2_LINK_MAX)
		return -EMLINK;
	if ((r = begin(fs)))
		return r;
	r = ext2_dir_add(fs, dir, name, target->ino, target->mode);
	if (!r) {
		target->nlink++;
		inode_touch(target, false);
		ext2_iwrite(fs, target);
	}
	mutex_unlock(&fs->lock);
	return r;
}

static int ext2_unlink(struct inode *dir, const char *name,
		       struct inode *victim)
{
	struct ext2_fs *fs = EFS(dir->sb);
	int r = begin(fs);

	if (r)
		return r;
	r = ext2_dir_remove(fs, dir, name);
	if (!r) {
		if (victim->nlink)
			victim->nlink--;
		inode_touch(victim, false);
		ext2_iwrite(fs, victim);
	}
	mutex_unlock(&fs->lock);
	return r;
}

static int ext2_rmdir(struct inode *dir, const char *name,
		      struct inode *victim)
{
	struct ext2_fs *fs = EFS(dir->sb);
	int r = begin(fs);

	if (r)
		return r;
	r = ext2_dir_empty(fs, victim);
	if (!r)
		r = ext2_dir_remove(fs, dir, name);
	if (!r) {
		victim->nlink = 0;
		if (dir->nlink > 2)
			dir->nlink--;
		ext2_iwrite(fs, victim);
		ext2_iwrite(fs, dir);
	}
	mutex_unlock(&fs->lock);
	return r;
}

/* The name's new entry: over the victim, or added. */
static int rename_target(struct ext2_fs *fs, struct inode *ndir,
			 const char *nname, struct inode *moved,
			 struct inode *victim)
{
	int r;

	if (!victim)
		return ext2_dir_add(fs, ndir, nname, moved->ino, moved->mode);
	if (S_ISDIR(victim->mode) && (r = ext2_dir_empty(fs, victim)))
		return r;
	if ((r = ext2_dir_set(fs, ndir, nname, moved->ino, moved->mode)))
		return r;
	if (S_ISDIR(victim->mode)) {
		victim->nlink = 0;
		ndir->nlink--;
	} else if (victim->nlink) {
		victim->nlink--;
	}
	inode_touch(victim, false);
	return ext2_iwrite(fs, victim);
}

static int ext2_rename(struct inode *odir, const char *oname,
		       struct inode *ndir, const char *nname,
		       struct inode *moved, struct inode *victim,
		       unsigned flags)
{
	struct ext2_fs *fs = EFS(odir->sb);
	bool dir = S_ISDIR(moved->mode);
	int r;

	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL; /* DIVERGENCE: no RENAME_EXCHANGE on ext2 */
	if (dir && odir != ndir && ndir->nlink >= EXT2_LINK_MAX)
		return -EMLINK;
	if ((r = begin(fs)))
		return r;
	r = rename_target(fs, ndir, nname, moved, victim);
	if (!r)
		r = ext2_dir_remove(fs, odir, oname);
	if (!r && dir && odir != ndir) {
		r = ext2_dir_set(fs, moved, "..", ndir->ino, S_IFDIR);
		odir->nlink--;
		ndir->nlink++;
	}
	inode_touch(moved, false);
	ext2_iwrite(fs, moved);
	ext2_iwrite(fs, odir);
	ext2_iwrite(fs, ndir);
	mutex_unlock(&fs->lock);
	return r;
}

const struct inode_ops ext2_dir_iops = {
	.lookup = ext2_lookup,
	.create = ext2_create,
	.symlink = ext2_symlink,
	.link = ext2_link,
	.unlink = ext2_unlink,
	.rmdir = ext2_rmdir,
	.rename = ext2_rename,
};

const struct inode_ops ext2_file_iops = {
	.setsize = ext2_setsize,
};

const struct inode_ops ext2_link_iops = {
	.readlink = ext2_readlink,
};

/*
 * fs/ramfs/ramfs.c: ramfs inodes and directory ops. Layer: filesystem.
 * The VFS keeps the names (dentries); ramfs keeps link counts, times and
 * the data of files and symlinks. A directory's st_nlink is 2 plus its
 * subdirectories and its st_size 20 bytes per entry, "." and ".." included,
 * as on Linux's tmpfs.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include "ramfs.h"

#define BOGO_DIRENT_SIZE 20 /* tmpfs's st_size per directory entry */

static const struct inode_ops ramfs_dir_iops;
static const struct inode_ops ramfs_file_iops;
static const struct inode_ops ramfs_link_iops;

static const struct file_ops ramfs_dir_fops = {
	.iterate = dcache_iterate,
	.llseek = generic_llseek,
};

static void ramfs_evict(struct inode *ino)
{
	if (S_ISREG(ino->mode))
		ramfs_file_free(ino);
	else
		kfree(ino->priv);
}

static const struct super_ops ramfs_sops = {
	.evict = ramfs_evict,
};

static struct inode *ramfs_inode(struct super *sb, u32 mode, u64 rdev)
{
	struct inode *ino = inode_new(sb, mode);

	if (!ino)
		return NULL;
	ino->rdev = rdev;
	if (S_ISDIR(mode)) {
		ino->nlink = 2;
		ino->size = 2 * BOGO_DIRENT_SIZE;
		ino->iops = &ramfs_dir_iops;
		ino->fops = &ramfs_dir_fops;
	} else if (S_ISREG(mode)) {
		ino->priv = kzalloc(sizeof(struct ramfs_file));
		if (!ino->priv) {
			kfree(ino);
			return NULL;
		}
		ino->iops = &ramfs_file_iops;
		ino->fops = &ramfs_file_ops;
	} else if (S_ISLNK(mode)) {
		ino->iops = &ramfs_link_iops;
	}
	return ino;
}

void vfs_memory_space(u64 *total, u64 *free)
{
	u64 limit = ps_limit(), used = ps_pages_used();

	*total = limit;
	*free = MIN(limit > used ? limit - used : 0, (u64)page_free_count());
}

struct super *ramfs_new(void)
{
	struct super *sb = super_new(&ramfs_sops, RAMFS_MAGIC);
	struct inode *root;

	if (!sb)
		return NULL;
	sb->memory = true;
	root = ramfs_inode(sb, S_IFDIR | 0755, 0);
	if (!root) {
		kfree(sb);
		return NULL;
	}
	super_set_root(sb, root);
	return sb;
}

/* A new entry in dir: its times and, for a subdirectory, its link. */
static void dir_added(struct inode *dir, struct inode *child)
{
	if (S_ISDIR(child->mode))
		dir->nlink++;
	dir->size += BOGO_DIRENT_SIZE;
	inode_touch(dir, true);
}

static void dir_removed(struct inode *dir, struct inode *child)
{
	if (S_ISDIR(child->mode))
		dir->nlink--;
	dir->size -= BOGO_DIRENT_SIZE;
	inode_touch(dir, true);
}

static int ramfs_create(struct inode *dir, const char *name, u32 mode,
			u64 rdev, struct inode **out)
{
	struct inode *ino = ramfs_inode(dir->sb, mode, rdev);

	if (!ino)
		return -ENOSPC;
	dir_added(dir, ino);
	*out = ino;
	return 0;
}

static int ramfs_symlink(struct inode *dir, const char *name,
			 const char *target, struct inode **out)
{
	size_t len = strlen(target);
	struct inode *ino;

	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	ino = ramfs_inode(dir->sb, S_IFLNK | 0777, 0);
	if (!ino)
		return -ENOSPC;
	ino->priv = kmalloc(len + 1);
	if (!ino->priv) {
		inode_put(ino);
		return -ENOSPC;
	}
	memcpy(ino->priv, target, len + 1);
	ino->size = len;
	dir_added(dir, ino);
	*out = ino;
	return 0;
}

static long ramfs_readlink(struct inode *ino, char *buf, size_t size)
{
	size_t len = ino->size;

	memcpy(buf, ino->priv, MIN(len, size));
	return len;
}

static int ramfs_link(struct inode *dir, const char *name, struct inode *target)
{
	target->nlink++;
	inode_touch(target, false);
	dir_added(dir, target);
	return 0;
}

static int ramfs_unlink(struct inode *dir, const char *name,
			struct inode *victim)
{
	victim->nlink--;
	inode_touch(victim, false);
	dir_removed(dir, victim);
	return 0;
}

static int ramfs_rmdir(struct inode *dir, const char *name,
		       struct inode *victim)
{
	victim->nlink = 0;
	dir_removed(dir, victim);
	return 0;
}

static int ramfs_rename(struct inode *odir, const char *oname,
			struct inode *ndir, const char *nname,
			struct inode *moved, struct inode *victim,
			unsigned flags)
{
	if (victim && (flags & RENAME_EXCHANGE)) {
		dir_removed(ndir, victim);
		dir_added(odir, victim);
		inode_touch(victim, false);
	} else if (victim) {
		if (S_ISDIR(victim->mode))
			victim->nlink = 0;
		else
			victim->nlink--;
		dir_removed(ndir, victim);
		inode_touch(victim, false);
	}
	dir_removed(odir, moved);
	dir_added(ndir, moved);
	inode_touch(moved, false);
	return 0;
}

static const struct inode_ops ramfs_dir_iops = {
	.create = ramfs_create,
	.symlink = ramfs_symlink,
	.link = ramfs_link,
	.unlink = ramfs_unlink,
	.rmdir = ramfs_rmdir,
	.rename = ramfs_rename,
};

static const struct inode_ops ramfs_file_iops = {
	.setsize = ramfs_setsize,
};

static const struct inode_ops ramfs_link_iops = {
	.readlink = ramfs_readlink,
};

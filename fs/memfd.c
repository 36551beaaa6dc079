/*
 * fs/memfd.c: memory files (vfs_memfd, include/skiff/vfs.h): regular files
 * with no name in a ramfs of their own that is mounted nowhere. They back
 * memfd_create(2) and MAP_SHARED anonymous memory, which is a memory file
 * mapped shared, as Linux's is: its pages are the file's (PT_FILE), so
 * processes made by fork share them, and they are freed with the file.
 * Layer: fs.
 */
#include <skiff/errno.h>
#include <skiff/lib.h>
#include <skiff/sched.h>
#include <skiff/vfs.h>
#include "ramfs/ramfs.h"
#include "vfs/internal.h"

static struct spinlock sb_lock = SPINLOCK_INIT;
static struct super *memfd_sb;

/* The memory files' ramfs, made on first use. */
static struct super *memfd_super(void)
{
	struct super *sb = __atomic_load_n(&memfd_sb, __ATOMIC_ACQUIRE);

	if (sb)
		return sb;
	sb = ramfs_new();
	if (!sb)
		return NULL;
	spin_lock(&sb_lock);
	if (!memfd_sb)
		__atomic_store_n(&memfd_sb, sb, __ATOMIC_RELEASE);
	spin_unlock(&sb_lock);
	/* A racing first call made another: it stays unused (one root). */
	return memfd_sb;
}

int vfs_memfd(const char *name, u64 size, int flags, struct file **out)
{
	struct super *sb = memfd_super();
	struct inode *dir, *ino;
	int r;

	if (!sb)
		return -ENOMEM;
	dir = sb->root->inode;
	mutex_lock(&vfs_ns_lock);
	r = dir->iops->create(dir, "", S_IFREG | 0777, 0, &ino);
	if (r == 0)
		dir->iops->unlink(dir, "", ino);
	mutex_unlock(&vfs_ns_lock);
	if (r < 0)
		return r;
	if (size && (r = vfs_truncate(ino, (s64)size)) < 0) {
		inode_put(ino);
		return r;
	}
	/* /proc/self/fd and maps show "/NAME (deleted)", as Linux. */
	struct dentry *d = dentry_alloc(NULL, name, ino);
	if (!d) {
		inode_put(ino);
		return -ENOMEM;
	}
	r = file_open_inode(ino, d, O_RDWR | (flags & O_CLOEXEC), out);
	dentry_put(d); /* the file holds its own reference */
	return r;
}

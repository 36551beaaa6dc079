/*
 * ramfs (fs/ramfs/): a filesystem in memory, the root of Skiff. Its
 * directories are dcache-complete (the dentries are the entries); regular
 * file data lives in a page store, or, for files unpacked from the initrd,
 * in the initrd itself until the first change (zero copy).
 */
#ifndef FS_RAMFS_RAMFS_H
#define FS_RAMFS_RAMFS_H

#include <skiff/vfs.h>
#include "pagestore.h"

#define RAMFS_MAGIC 0x858458f6 /* statfs f_type, as Linux's ramfs */

/* A regular file: inode->priv. */
struct ramfs_file {
	struct pagestore ps;
	const u8 *ext;	/* in-place data (size bytes) or NULL */
};

/* A new ramfs instance with its root directory (mode 0755). */
struct super *ramfs_new(void);
/* Makes ino's data the len bytes at data, which stay valid for ever. */
void ramfs_set_data(struct inode *ino, const void *data, size_t len);

/* file.c */
extern const struct file_ops ramfs_file_ops;
int ramfs_setsize(struct inode *ino, u64 size);
void ramfs_file_free(struct inode *ino);

#endif

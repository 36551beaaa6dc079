/* Private to fs/procfs/ and fs/init.c. */
#ifndef FS_PROCFS_PROCFS_H
#define FS_PROCFS_PROCFS_H

#include <skiff/vfs.h>

/* A node of /proc: a directory, a symlink (readlink) or a file (gen). */
struct proc_node {
	const char *name;	/* path below /proc */
	u32 mode;
	long (*readlink)(char *buf, size_t size); /* vfs_ns_lock held */
	int (*gen)(char **buf, size_t *len);	   /* kmalloc'd text */
	const struct file_ops *fops;		   /* instead of gen */
};

/* Mounts a new procfs at path. */
int procfs_mount(const char *path);
/* Links ino (its reference taken; NULL: -ENOMEM) at n->name in sb. */
int procfs_add(struct super *sb, const struct proc_node *n, struct inode *ino);

#endif

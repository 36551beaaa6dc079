/* Private to fs/devfs/ and fs/init.c: the device nodes of /dev. */
#ifndef FS_DEVFS_DEVFS_H
#define FS_DEVFS_DEVFS_H

#include <skiff/vfs.h>

struct devfs_node {
	const char *name;
	u32 mode;	/* permissions */
	u64 rdev;	/* a char device */
};
/* Ends with a NULL name. */
extern const struct devfs_node devfs_nodes[];

/* console.c: /dev/tty (5:0) and /dev/console (5:1). */
extern const struct file_ops tty_dev_ops;
extern const struct file_ops console_dev_ops;

#endif

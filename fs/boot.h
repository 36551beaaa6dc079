/*
 * Private to fs/: the boot-time pieces, fs/initrd.c (unpacking the initrd)
 * and fs/init.c (fs_init and its helpers).
 */
#ifndef FS_BOOT_H
#define FS_BOOT_H

#include <skiff/types.h>

/* Unpacks a cpio newc archive into the root: 0 or -EINVAL (corrupt). */
int initrd_unpack(const void *buf, size_t len);

/* mkdir -p, then gives the directory exactly mode (umask aside). */
int fs_make_dir(const char *path, u32 mode);

#endif

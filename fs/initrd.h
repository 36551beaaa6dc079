/* Private to fs/: unpacking the initrd (fs/initrd.c). */
#ifndef FS_INITRD_H
#define FS_INITRD_H

#include <skiff/types.h>

/* Unpacks a cpio newc archive into the root: 0 or -EINVAL (corrupt). */
int initrd_unpack(const void *buf, size_t len);

#endif

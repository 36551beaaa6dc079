/*
 * Parser of cpio "newc" archives (magic 070701 or 070702, see cpio(5)), the
 * format of the initrd. lib/cpio.c, built for the kernel and the host tests.
 *
 *	struct cpio_iter it;
 *	struct cpio_entry e;
 *	cpio_iter_init(&it, buf, len);
 *	while ((r = cpio_next(&it, &e)) > 0)
 *		use e.name, e.mode, e.data, e.size ...;
 *	r is 0 at the end, -EINVAL for a corrupt archive.
 *
 * Every length is checked against the buffer: a truncated or corrupt archive
 * gives -EINVAL, never a read outside buf. Entries point into buf (zero
 * copy). "TRAILER!!!" ends an archive; archives may be concatenated, with
 * NUL padding between them, as Linux's initramfs allows.
 */
#ifndef SKIFF_CPIO_H
#define SKIFF_CPIO_H

#include <skiff/types.h>

#define CPIO_HDR_SIZE 110
#define CPIO_NAME_MAX 4096	/* longest name accepted, NUL included */

struct cpio_entry {
	const char *name;	/* NUL-terminated, inside the archive */
	size_t namelen;		/* strlen(name) */
	u32 ino, mode, uid, gid, nlink, mtime;
	u32 devmajor, devminor, rdevmajor, rdevminor;
	const void *data;	/* file data or symlink target (in the archive) */
	size_t size;
};

struct cpio_iter {
	const u8 *buf;
	size_t len;
	size_t off;	/* next header */
};

void cpio_iter_init(struct cpio_iter *it, const void *buf, size_t len);
/* 1 with the next entry in *e, 0 at the end, -EINVAL when corrupt. */
int cpio_next(struct cpio_iter *it, struct cpio_entry *e);

#endif

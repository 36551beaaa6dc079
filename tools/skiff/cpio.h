/*
 * A writer of cpio archives in the "newc" format (man 5 cpio), the format of
 * Skiff images and of Linux initramfs. Host side (tools/skiff/cpio.c).
 *
 * Interface: cpio_init() on a file descriptor open for writing; add entries
 * with cpio_add_*() (parents before children: the writer does not create
 * directories); cpio_finish() writes the trailer and flushes. Names may start
 * with '/': it is dropped, names are stored relative ("usr/bin/x"). Owner is
 * root, one link per entry, inode numbers count from 1. Data is streamed
 * through a 64 KiB buffer. Every function returns 0 or -errno; after an
 * error the archive is incomplete and the caller discards it.
 */
#ifndef SKIFF_TOOL_CPIO_H
#define SKIFF_TOOL_CPIO_H

#include <skiff/types.h>

#define CPIO_MAX_FILE 0xffffffffull /* newc sizes are 32-bit */

struct cpio {
	int fd;		/* where the archive goes */
	u32 ino;	/* the last inode number given */
	u64 size;	/* bytes of archive written or buffered */
	size_t used;	/* bytes in buf */
	u8 buf[65536];
};

void cpio_init(struct cpio *c, int fd);
/* mode: permission bits only (07777); the type comes from the function. */
int cpio_add_dir(struct cpio *c, const char *name, unsigned mode, u64 mtime);
int cpio_add_data(struct cpio *c, const char *name, unsigned mode, u64 mtime,
		  const void *data, size_t len);
int cpio_add_symlink(struct cpio *c, const char *name, const char *target,
		     u64 mtime);
/* Copies len bytes from src (read from its current offset); -EFBIG past
 * CPIO_MAX_FILE, -ESTALE if src ends early (the file shrank meanwhile). */
int cpio_add_fd(struct cpio *c, const char *name, unsigned mode, u64 mtime,
		int src, u64 len);
int cpio_finish(struct cpio *c);

#endif

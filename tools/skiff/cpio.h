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

#include <skiff/proto.h>
#include <skiff/types.h>

#define CPIO_MAX_FILE 0xffffffffull /* newc sizes are 32-bit */
#define CPIO_PAGE 4096
/* The name of padding entries: regular files of zeros, to be skipped. */
#define CPIO_PAD_NAME PROTO_PAD_NAME /* the kernel skips these */

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
/*
 * Makes the data of the next entry, named name, start at a multiple of
 * align (a power of two, at least 4) from the start of the archive: writes
 * a padding entry named CPIO_PAD_NAME (mode 0, zeros) if it would not.
 * A reader that skips entries of that exact name sees the same archive.
 */
int cpio_align_next(struct cpio *c, const char *name, u32 align);
int cpio_finish(struct cpio *c);

#endif

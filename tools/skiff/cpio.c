/*
 * The cpio "newc" writer of Skiff images; interface in cpio.h.
 * An entry is a 110-byte ASCII header ("070701" and 13 eight-digit hex
 * fields), the NUL-terminated name padded to 4 bytes, then the data padded
 * to 4 bytes. The archive ends with an entry named "TRAILER!!!".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cpio.h"

#define CPIO_TRAILER "TRAILER!!!"

void cpio_init(struct cpio *c, int fd)
{
	c->fd = fd;
	c->ino = 0;
	c->size = 0;
	c->used = 0;
}

static int flush(struct cpio *c)
{
	size_t off = 0;

	while (off < c->used) {
		ssize_t n = write(c->fd, c->buf + off, c->used - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += n;
	}
	c->used = 0;
	return 0;
}

static int put(struct cpio *c, const void *data, size_t len)
{
	const u8 *p = data;
	int err;

	while (len) {
		size_t n = MIN(len, sizeof(c->buf) - c->used);

		memcpy(c->buf + c->used, p, n);
		c->used += n;
		c->size += n;
		p += n;
		len -= n;
		if (c->used == sizeof(c->buf) && (err = flush(c)))
			return err;
	}
	return 0;
}

static int pad4(struct cpio *c)
{
	static const u8 zeros[3];

	return put(c, zeros, (4 - (c->size & 3)) & 3);
}

/* The header and the name of an entry whose data (len bytes) follows. */
static int header(struct cpio *c, const char *name, unsigned mode, u64 mtime,
		  u64 len)
{
	char hdr[111];
	size_t namesize;
	int err;

	while (*name == '/')
		name++;
	namesize = strlen(name) + 1;
	if (len > CPIO_MAX_FILE)
		return -EFBIG;
	if (namesize > 4096)
		return -ENAMETOOLONG;
	snprintf(hdr, sizeof(hdr),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ++c->ino, mode, 0, 0, S_ISDIR(mode) ? 2 : 1,
		 (u32)mtime, (u32)len, 0, 0, 0, 0, (u32)namesize, 0);
	err = put(c, hdr, 110);
	if (!err)
		err = put(c, name, namesize);
	if (!err)
		err = pad4(c);
	return err;
}

int cpio_add_dir(struct cpio *c, const char *name, unsigned mode, u64 mtime)
{
	return header(c, name, S_IFDIR | (mode & 07777), mtime, 0);
}

int cpio_add_data(struct cpio *c, const char *name, unsigned mode, u64 mtime,
		  const void *data, size_t len)
{
	int err = header(c, name, S_IFREG | (mode & 07777), mtime, len);

	if (!err)
		err = put(c, data, len);
	if (!err)
		err = pad4(c);
	return err;
}

int cpio_add_symlink(struct cpio *c, const char *name, const char *target,
		     u64 mtime)
{
	size_t len = strlen(target);
	int err = header(c, name, S_IFLNK | 0777, mtime, len);

	if (!err)
		err = put(c, target, len);
	if (!err)
		err = pad4(c);
	return err;
}

int cpio_add_fd(struct cpio *c, const char *name, unsigned mode, u64 mtime,
		int src, u64 len)
{
	int err = header(c, name, S_IFREG | (mode & 07777), mtime, len);

	while (!err && len) {
		size_t room = sizeof(c->buf) - c->used;
		ssize_t n = read(src, c->buf + c->used, MIN(room, len));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -ESTALE;
			break;
		}
		c->used += n;
		c->size += n;
		len -= n;
		if (c->used == sizeof(c->buf))
			err = flush(c);
	}
	if (!err)
		err = pad4(c);
	return err;
}

/* Header and name of an entry named name, padded to 4 bytes. */
static u64 header_len(const char *name)
{
	while (*name == '/')
		name++;
	return ALIGN_UP(110 + strlen(name) + 1, 4);
}

int cpio_align_next(struct cpio *c, const char *name, u32 align)
{
	static const u8 zeros[4096];
	u64 next = header_len(name), pad;
	int err;

	if ((c->size + next) % align == 0)
		return 0;
	/* Every length here is a multiple of 4, so pad is one too. */
	pad = (align - (c->size + header_len(CPIO_PAD_NAME) + next) % align) %
	      align;
	err = header(c, CPIO_PAD_NAME, S_IFREG, 0, pad);
	while (!err && pad) {
		size_t n = MIN(pad, sizeof(zeros));

		err = put(c, zeros, n);
		pad -= n;
	}
	return err;
}

int cpio_finish(struct cpio *c)
{
	int err = header(c, CPIO_TRAILER, 0, 0, 0);

	if (!err)
		err = flush(c);
	return err;
}

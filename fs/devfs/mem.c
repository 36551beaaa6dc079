/*
 * fs/devfs/mem.c: the memory character devices of Linux's major 1:
 * /dev/null (1:3), zero (1:5), full (1:7), random (1:8), urandom (1:9),
 * and chrdev_ops(), which maps a device number to its file ops (the
 * console's too: tty 5:0, console 5:1, pts/0 136:0).
 * Layer: devices as files. The nodes themselves are ramfs inodes under
 * /dev (made by fs_init), so stat shows the right st_rdev.
 */
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/vfs.h>
#include "devfs.h"

static long null_read(struct file *f, struct iobuf *io, u64 *pos)
{
	return 0;
}

static long null_write(struct file *f, struct iobuf *io, u64 *pos)
{
	return io->len;
}

static long zero_read(struct file *f, struct iobuf *io, u64 *pos)
{
	int r = iobuf_zero(io, 0, io->len);

	return r < 0 ? r : (long)io->len;
}

static long full_write(struct file *f, struct iobuf *io, u64 *pos)
{
	return io->len ? -ENOSPC : 0;
}

static long random_read(struct file *f, struct iobuf *io, u64 *pos)
{
	u8 buf[256];
	size_t done = 0;

	while (done < io->len) {
		size_t n = MIN(sizeof(buf), io->len - done);
		int r;

		random_fill(buf, n);
		r = iobuf_copy_out(io, done, buf, n);
		if (r < 0)
			return done ? (long)done : r;
		done += n;
	}
	return done;
}

/* Linux's random devices poll; null, zero and full have no poll op (epoll
 * refuses them with EPERM; poll and select find them ready). */
static u32 always_ready(struct file *f)
{
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static const struct file_ops null_ops = {
	.read = null_read,
	.write = null_write,
	.llseek = noop_llseek,
};

static const struct file_ops zero_ops = {
	.read = zero_read,
	.write = null_write,
	.llseek = noop_llseek,
};

static const struct file_ops full_ops = {
	.read = zero_read,
	.write = full_write,
	.llseek = noop_llseek,
};

static const struct file_ops random_ops = {
	.read = random_read,
	.write = null_write,
	.llseek = noop_llseek,
	.poll = always_ready,
};

const struct file_ops *chrdev_ops(u64 rdev)
{
	switch (rdev) {
	case MKDEV(1, 3):
		return &null_ops;
	case MKDEV(1, 5):
		return &zero_ops;
	case MKDEV(1, 7):
		return &full_ops;
	case MKDEV(1, 8):
	case MKDEV(1, 9):
		return &random_ops;
	case MKDEV(5, 0):
		return &tty_dev_ops;
	case MKDEV(5, 1):
	case MKDEV(136, 0):
		return &console_dev_ops;
	default:
		return NULL;
	}
}

const struct devfs_node devfs_nodes[] = {
	{ "null", 0666, MKDEV(1, 3) },
	{ "zero", 0666, MKDEV(1, 5) },
	{ "full", 0666, MKDEV(1, 7) },
	{ "random", 0666, MKDEV(1, 8) },
	{ "urandom", 0666, MKDEV(1, 9) },
	{ "tty", 0666, MKDEV(5, 0) },
	{ "console", 0600, MKDEV(5, 1) },
	{ "pts/0", 0620, MKDEV(136, 0) },
	{ NULL, 0, 0 },
};

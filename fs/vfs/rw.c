/*
 * fs/vfs/rw.c: reading, writing and seeking open files, for the syscalls
 * and for kernel callers (the ELF loader, boot files). Layer: VFS core.
 * The checks are Linux's: -EBADF without the access mode, -EISDIR for a
 * directory, -ESPIPE for positional I/O on a stream, -EINVAL for a negative
 * offset, -EFAULT for a program buffer that reaches past the program's half
 * of the address space or wraps around it (Linux's access_ok, on the whole
 * count, before anything is read or written); one call moves at most
 * MAX_RW_COUNT bytes.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "internal.h"

bool iobuf_range_ok(const struct iobuf *io)
{
	u64 end;

	return !io->user ||
	       (!__builtin_add_overflow((u64)io->base, io->len, &end) &&
		end <= USER_END);
}

static int rw_check(struct file *f, unsigned fmode, struct iobuf *io)
{
	bool dir = S_ISDIR(f->inode->mode);

	if (!(f->fmode & fmode))
		return -EBADF;
	if (!dir && !(fmode & FMODE_READ ? f->ops->read : f->ops->write))
		return -EINVAL;
	if (!iobuf_range_ok(io))
		return -EFAULT;
	if (dir)
		return -EISDIR;
	if (io->len > MAX_RW_COUNT)
		io->len = MAX_RW_COUNT;
	return 0;
}

static bool stream(struct file *f)
{
	return !f->ops->llseek || (f->fmode & FMODE_STREAM);
}

/*
 * A read into a buffer whose tail is not writable: Linux's regular files
 * and character devices copy up to the first bad byte and return that
 * short count (pipes and sockets fail with EFAULT and keep their data).
 * After -EFAULT, which consumed nothing, the read is retried on the
 * writable head of the buffer (whole pages from its start), if any.
 */
static bool short_read_retry(struct file *f, struct iobuf *io)
{
	size_t ok = 0;

	if (!io->user || !(S_ISREG(f->inode->mode) || S_ISCHR(f->inode->mode)))
		return false;
	while (ok < io->len) {
		u64 at = (u64)io->base + ok;
		size_t n = MIN(io->len - ok, PAGE_SIZE - at % PAGE_SIZE);
		if (user_check((void *)at, n, true))
			break;
		ok += n;
	}
	if (!ok || ok == io->len)
		return false;
	io->len = ok;
	return true;
}

static long read_at(struct file *f, struct iobuf *io, u64 *pos)
{
	long r = f->ops->read(f, io, pos);

	if (r == -EFAULT && short_read_retry(f, io))
		r = f->ops->read(f, io, pos);
	return r;
}

long file_read(struct file *f, struct iobuf *io)
{
	long r = rw_check(f, FMODE_READ, io);
	u64 pos = 0;

	if (r < 0)
		return r;
	if (stream(f))
		return read_at(f, io, &pos);
	mutex_lock(&f->pos_lock);
	r = read_at(f, io, &f->pos);
	mutex_unlock(&f->pos_lock);
	return r;
}

long file_write(struct file *f, struct iobuf *io)
{
	long r = rw_check(f, FMODE_WRITE, io);
	u64 pos = 0;

	if (r < 0)
		return r;
	if (stream(f))
		return f->ops->write(f, io, &pos);
	mutex_lock(&f->pos_lock);
	r = f->ops->write(f, io, &f->pos);
	mutex_unlock(&f->pos_lock);
	return r;
}

long file_pread_io(struct file *f, struct iobuf *io, u64 off)
{
	long r = rw_check(f, FMODE_READ, io);

	if (r < 0)
		return r;
	if (stream(f))
		return -ESPIPE;
	if ((s64)off < 0)
		return -EINVAL;
	return read_at(f, io, &off);
}

long file_pwrite_io(struct file *f, struct iobuf *io, u64 off)
{
	long r = rw_check(f, FMODE_WRITE, io);

	if (r < 0)
		return r;
	if (stream(f))
		return -ESPIPE;
	if ((s64)off < 0)
		return -EINVAL;
	return f->ops->write(f, io, &off);
}

long file_pread(struct file *f, void *buf, size_t len, u64 off)
{
	struct iobuf io = { .base = buf, .len = len, .user = false };

	return file_pread_io(f, &io, off);
}

u64 file_size(struct file *f)
{
	return __atomic_load_n(&f->inode->size, __ATOMIC_RELAXED);
}

s64 file_lseek(struct file *f, s64 off, int whence)
{
	s64 r;

	if (f->fmode & FMODE_PATH)
		return -EBADF;
	if (!f->ops->llseek)
		return -ESPIPE;
	if (whence < SEEK_SET || whence > SEEK_HOLE)
		return -EINVAL;
	mutex_lock(&f->pos_lock);
	r = f->ops->llseek(f, off, whence);
	mutex_unlock(&f->pos_lock);
	return r;
}

/* With f->pos_lock held. */
s64 generic_llseek(struct file *f, s64 off, int whence)
{
	s64 size = file_size(f), base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END:
		base = size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if (off < 0 || off >= size)
			return -ENXIO;
		return f->pos = whence == SEEK_DATA ? off : size;
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, off, &base) || base < 0)
		return -EINVAL;
	return f->pos = base;
}

s64 noop_llseek(struct file *f, s64 off, int whence)
{
	return f->pos = 0;
}

int vfs_read_all(const char *path, char **buf, size_t *len, size_t max)
{
	struct file *f;
	size_t size;
	long n;
	int r = vfs_open(path, O_RDONLY, 0, &f);

	if (r < 0)
		return r;
	size = file_size(f);
	if (size > max) {
		file_put(f);
		return -EFBIG;
	}
	*buf = kmalloc(size + 1);
	if (!*buf) {
		file_put(f);
		return -ENOMEM;
	}
	n = file_pread(f, *buf, size, 0);
	file_put(f);
	if (n < 0) {
		kfree(*buf);
		return n;
	}
	(*buf)[n] = 0;
	*len = n;
	return 0;
}

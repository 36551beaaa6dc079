/*
 * linux/sendfile.c: sendfile and copy_file_range, copying between files
 * inside the kernel. Layer: Linux ABI over the VFS read/write paths.
 * Bytes move through a kernel buffer in chunks; a short write stops.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "fsabi.h"
#include "sys.h"

#define CHUNK (64 * 1024)

/*
 * Copies up to len bytes from in (at *ioff, or its offset when ioff is
 * NULL) to out (likewise). Returns the count or the first error.
 */
static long copy_files(struct file *in, s64 *ioff, struct file *out,
		       s64 *ooff, size_t len)
{
	char *buf = kmalloc(CHUNK);
	long done = 0, r = 0;

	if (!buf)
		return -ENOMEM;
	while ((size_t)done < len) {
		struct iobuf io = { buf, MIN((size_t)CHUNK, len - done), false };
		long n, w;

		n = ioff ? file_pread_io(in, &io, *ioff) : file_read(in, &io);
		if (n <= 0) {
			r = n;
			break;
		}
		io.len = n;
		w = ooff ? file_pwrite_io(out, &io, *ooff) : file_write(out, &io);
		if (w > 0 && ooff)
			*ooff += w;
		if (w > 0)
			done += w;
		/* Bytes read but not written are not consumed (a nonblocking
		 * socket took part of them): the input offset moves by w. */
		if (ioff)
			*ioff += MAX(w, 0);
		else if (w < n)
			file_lseek(in, -(n - MAX(w, 0)), SEEK_CUR);
		if (w != n) {
			r = w < 0 ? w : 0;
			break;
		}
	}
	kfree(buf);
	return done ? done : r;
}

long sys_sendfile(int out_fd, int in_fd, s64 *uoff, size_t count)
{
	struct file *in = fd_get(in_fd), *out = fd_get(out_fd);
	s64 off;
	long r = 0;

	if (!in || !out || !(in->fmode & FMODE_READ) ||
	    !(out->fmode & FMODE_WRITE))
		r = -EBADF;
	else if (uoff && copy_from_user(&off, uoff, sizeof(off)) < 0)
		r = -EFAULT;
	else if (uoff && off < 0)
		r = -EINVAL;
	else if (!S_ISREG(in->inode->mode) && !S_ISBLK(in->inode->mode))
		r = -EINVAL; /* Linux needs an in file it could mmap */
	else if (out->flags & O_APPEND)
		r = -EINVAL;
	if (r == 0)
		r = copy_files(in, uoff ? &off : NULL, out, NULL,
			       MIN(count, MAX_RW_COUNT));
	if (r >= 0 && uoff && copy_to_user(uoff, &off, sizeof(off)) < 0)
		r = -EFAULT;
	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return r;
}

/* Linux's order: directories, then non-regular files, then access. */
static long cfr_check(struct file *in, struct file *out)
{
	if (!in || !out)
		return -EBADF;
	if (S_ISDIR(in->inode->mode) || S_ISDIR(out->inode->mode))
		return -EISDIR;
	if (!S_ISREG(in->inode->mode) || !S_ISREG(out->inode->mode))
		return -EINVAL;
	if (!(in->fmode & FMODE_READ) || !(out->fmode & FMODE_WRITE) ||
	    (out->flags & O_APPEND))
		return -EBADF;
	return 0;
}

/* Reads an optional offset argument: 0, -EFAULT or -EINVAL. */
static int off_in(s64 *uoff, s64 *off)
{
	if (!uoff)
		return 0;
	if (copy_from_user(off, uoff, sizeof(*off)) < 0)
		return -EFAULT;
	return *off < 0 ? -EINVAL : 0;
}

long sys_copy_file_range(int fd_in, s64 *uoff_in, int fd_out, s64 *uoff_out,
			 size_t len, unsigned flags)
{
	struct file *in = fd_get(fd_in), *out = fd_get(fd_out);
	s64 oi = 0, oo = 0;
	long r = flags ? -EINVAL : cfr_check(in, out);

	if (r == 0)
		r = off_in(uoff_in, &oi);
	if (r == 0)
		r = off_in(uoff_out, &oo);
	/* Overlapping ranges of one file are refused, as on Linux. */
	if (r == 0 && in->inode == out->inode) {
		s64 a = uoff_in ? oi : (s64)in->pos;
		s64 b = uoff_out ? oo : (s64)out->pos;

		if (a < b + (s64)len && b < a + (s64)len)
			r = -EINVAL;
	}
	if (r == 0)
		r = copy_files(in, uoff_in ? &oi : NULL, out,
			       uoff_out ? &oo : NULL, MIN(len, MAX_RW_COUNT));
	if (r >= 0 && ((uoff_in && copy_to_user(uoff_in, &oi, 8) < 0) ||
		       (uoff_out && copy_to_user(uoff_out, &oo, 8) < 0)))
		r = -EFAULT;
	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return r;
}

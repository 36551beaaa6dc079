/*
 * linux/splice.c: splice and tee. Layer: Linux ABI over the pipe's splice
 * calls (fs/pipe.c: pipe_splice_in, pipe_splice_out, pipe_splice_pipe),
 * the VFS read/write paths and the socket calls.
 *
 * One end of a splice is a pipe. Into a pipe, the other file is read
 * straight into the pipe's free slots (at most their room, so nothing
 * read is ever dropped); out of a pipe, the buffered bytes are written
 * to the other file and only what it took is consumed, so a short write
 * loses and repeats nothing. The checks come in Linux's order: len 0,
 * flags, fds, offsets on a pipe (-ESPIPE), the offsets' memory, access
 * modes (-EBADF), then per case. The pipe side waits unless
 * SPLICE_F_NONBLOCK or its own O_NONBLOCK; the other side keeps its own
 * O_NONBLOCK (an AF_UNIX socket read also takes SPLICE_F_NONBLOCK, as on
 * Linux). SPLICE_F_MORE becomes MSG_MORE on a socket; MOVE and GIFT are
 * accepted and mean nothing.
 * DIVERGENCE: bytes are copied, not moved by page reference; a later
 * change of a spliced file's pages does not show through the pipe.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/net.h>
#include <skiff/vfs.h>
#include "fsabi.h"
#include "sys.h"

#define SPLICE_F_MOVE 1
#define SPLICE_F_NONBLOCK 2
#define SPLICE_F_MORE 4
#define SPLICE_F_GIFT 8
#define SPLICE_F_ALL 15

/* The file that is not the pipe, and its offset (NULL: its own). */
struct side {
	struct file *f;
	s64 *off;
	unsigned flags;		/* SPLICE_F_* of the call */
	bool nonblock;		/* the pipe's side does not wait */
};

/* Whether pread/pwrite would give -ESPIPE (Linux: no FMODE_PREAD). */
static bool stream(struct file *f)
{
	return !f->ops->llseek || (f->fmode & FMODE_STREAM);
}

/* get of pipe_splice_in: reads the file (or socket) into the pipe. */
static long fill(void *arg, struct iobuf *io)
{
	struct side *s = arg;
	struct socket *sk = sock_of_file(s->f);
	long r;

	if (sk) {
		struct sock_msg m;
		bool nb = s->nonblock && sk->family == AF_UNIX;

		msg_init(&m, io, 1, nb ? MSG_DONTWAIT : 0);
		return net_recvmsg(sk, &m);
	}
	if (!s->off)
		return file_read(s->f, io);
	r = file_pread_io(s->f, io, *s->off);
	if (r > 0)
		*s->off += r;
	return r;
}

/* put of pipe_splice_out: writes the pipe's pieces to the file. */
static long drain(void *arg, struct iobuf *iov, u32 n)
{
	struct side *s = arg;
	struct socket *sk = sock_of_file(s->f);
	long done = 0;

	if (sk) {
		struct sock_msg m;

		msg_init(&m, iov, n, s->flags & SPLICE_F_MORE ? MSG_MORE : 0);
		return net_sendmsg(sk, &m);
	}
	for (u32 i = 0; i < n; i++) {
		long w = s->off ? file_pwrite_io(s->f, &iov[i], *s->off) :
				  file_write(s->f, &iov[i]);

		if (w <= 0)
			return done ? done : w;
		if (s->off)
			*s->off += w;
		done += w;
		if ((size_t)w < iov[i].len)
			break;
	}
	return done;
}

/* Linux's rw_verify_area on an offset: -EINVAL when negative or wrapping. */
static int check_off(const s64 *off, size_t len)
{
	s64 end;

	if ((s64)len < 0)
		return -EINVAL;
	if (!off)
		return 0;
	return *off < 0 || __builtin_add_overflow(*off, (s64)len, &end) ?
		       -EINVAL : 0;
}

/* Files with no splice in Linux: directories, event and epoll files. */
static bool can_splice(struct file *f)
{
	return !S_ISDIR(f->inode->mode) && !anon_file_name(f->inode);
}

/* From the pipe in to the file out. */
static long from_pipe(struct file *in, struct side *out, size_t len)
{
	long r = 0;

	if (out->off && stream(out->f))
		r = -EINVAL;
	else if ((out->f->flags & O_APPEND) || !can_splice(out->f))
		r = -EINVAL;
	else
		r = check_off(out->off, len);
	if (r < 0)
		return r;
	out->nonblock |= in->flags & O_NONBLOCK;
	return pipe_splice_out(in, MIN(len, MAX_RW_COUNT), out->nonblock,
			       drain, out);
}

/* From the file in to the pipe out. */
static long to_pipe(struct side *in, struct file *out, size_t len)
{
	u64 pos = in->off ? (u64)*in->off : in->f->pos;
	long r = 0;

	if (in->off && stream(in->f))
		r = -EINVAL;
	else if (!can_splice(in->f))
		r = -EINVAL;
	else
		r = check_off(in->off, len);
	if (r < 0)
		return r;
	in->nonblock |= out->flags & O_NONBLOCK;
	/* A file's bytes sit in the pipe as its page cache pages would. */
	return pipe_splice_in(out, MIN(len, MAX_RW_COUNT),
			      S_ISREG(in->f->inode->mode) ? pos % PAGE_SIZE : 0,
			      in->nonblock, fill, in);
}

/* After the fds and the offsets' memory: Linux's do_splice. */
static long splice_files(struct file *in, s64 *ioff, struct file *out,
			 s64 *ooff, size_t len, unsigned flags)
{
	bool ip = pipe_file(in), op = pipe_file(out);
	bool nb = flags & SPLICE_F_NONBLOCK;

	if (!(in->fmode & FMODE_READ) || !(out->fmode & FMODE_WRITE))
		return -EBADF;
	if (ip && op) {
		if (in->inode == out->inode)
			return -EINVAL;
		nb |= (in->flags | out->flags) & O_NONBLOCK;
		return pipe_splice_pipe(in, out, MIN(len, MAX_RW_COUNT), nb,
					false);
	}
	if (ip)
		return from_pipe(in, &(struct side){ out, ooff, flags, nb },
				 len);
	if (op)
		return to_pipe(&(struct side){ in, ioff, flags, nb }, out, len);
	return -EINVAL;
}

long sys_splice(int fd_in, s64 *uoff_in, int fd_out, s64 *uoff_out,
		size_t len, unsigned flags)
{
	struct file *in, *out;
	s64 oi = 0, oo = 0;
	long r = 0;

	if (!len)
		return 0;
	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	in = fd_get(fd_in);
	out = in ? fd_get(fd_out) : NULL;
	if (!in || !out)
		r = -EBADF;
	else if ((pipe_file(in) && uoff_in) || (pipe_file(out) && uoff_out))
		r = -ESPIPE;
	else if ((uoff_out && copy_from_user(&oo, uoff_out, 8) < 0) ||
		 (uoff_in && copy_from_user(&oi, uoff_in, 8) < 0))
		r = -EFAULT;
	if (r == 0)
		r = splice_files(in, uoff_in ? &oi : NULL, out,
				 uoff_out ? &oo : NULL, len, flags);
	if (r >= 0 && ((uoff_out && copy_to_user(uoff_out, &oo, 8) < 0) ||
		       (uoff_in && copy_to_user(uoff_in, &oi, 8) < 0)))
		r = -EFAULT;
	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return r;
}

long sys_tee(int fd_in, int fd_out, size_t len, unsigned flags)
{
	struct file *in, *out;
	long r = -EBADF;

	if (flags & ~SPLICE_F_ALL)
		return -EINVAL;
	if (!len)
		return 0;
	in = fd_get(fd_in);
	out = in ? fd_get(fd_out) : NULL;
	if (in && out) {
		bool nb = (flags & SPLICE_F_NONBLOCK) ||
			  ((in->flags | out->flags) & O_NONBLOCK);

		if (!(in->fmode & FMODE_READ) || !(out->fmode & FMODE_WRITE))
			r = -EBADF;
		else if (!pipe_file(in) || !pipe_file(out) ||
			 in->inode == out->inode)
			r = -EINVAL;
		else
			r = pipe_splice_pipe(in, out, MIN(len, MAX_RW_COUNT),
					     nb, true);
	}
	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return r;
}

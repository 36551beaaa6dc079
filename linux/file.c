/*
 * linux/file.c: read, write, readv, writev, pread64, pwrite64, open,
 * openat, creat, close, lseek, ioctl, truncate, ftruncate, fsync,
 * fdatasync, sync. Layer: Linux ABI over fs/ (skiff/vfs.h). Each entry
 * validates its arguments in Linux's order, then calls the VFS.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/net.h>
#include <skiff/vfs.h>
#include "fsabi.h"
#include "signal.h"
#include "sys.h"

#define FIONREAD 0x541b
#define FIONBIO 0x5421
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451
#define FIOASYNC 0x5452

long sys_read(int fd, void *buf, size_t count)
{
	struct iobuf io = { buf, count, true };
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = file_read(f, &io);
	file_put(f);
	return r;
}

/* A write to a pipe without readers also raises SIGPIPE, as on Linux. */
static long sigpipe(long r)
{
	if (r == -EPIPE)
		signal_send_thread(thread_current(), SIGPIPE, NULL);
	return r;
}

long sys_write(int fd, const void *buf, size_t count)
{
	struct iobuf io = { (char *)buf, count, true };
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = file_write(f, &io);
	file_put(f);
	return sigpipe(r);
}

long sys_pread64(int fd, void *buf, size_t count, s64 off)
{
	struct iobuf io = { buf, count, true };
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = off < 0 ? -EINVAL : file_pread_io(f, &io, off);
	file_put(f);
	return r;
}

long sys_pwrite64(int fd, const void *buf, size_t count, s64 off)
{
	struct iobuf io = { (char *)buf, count, true };
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = off < 0 ? -EINVAL : file_pwrite_io(f, &io, off);
	file_put(f);
	return r;
}

/* Segments copied onto the kernel stack; more are kmalloc'd. */
#define FAST_IOV 8

/*
 * Copies the iovec array into *out (small, FAST_IOV entries, when it fits:
 * no allocation, so writev works when the heap is exhausted, as a libc's
 * last words need) and checks it as Linux's import_iovec, before anything
 * moves: a negative length is -EINVAL, a segment outside the program's half
 * -EFAULT; the lengths are cut to MAX_RW_COUNT in all. The caller frees
 * *out when it is not small.
 */
static long iov_get(const struct iovec *uiov, int cnt, struct iovec *small,
		    struct iovec **out)
{
	struct iovec *iov = small;
	size_t total = 0;
	long r = 0;

	if (cnt < 0 || cnt > UIO_MAXIOV)
		return -EINVAL;
	if (cnt > FAST_IOV && !(iov = kmalloc(cnt * sizeof(*iov))))
		return -ENOMEM;
	if (copy_from_user(iov, uiov, cnt * sizeof(*iov)) < 0) {
		r = -EFAULT;
		goto out_free;
	}
	for (int i = 0; i < cnt; i++) {
		if ((s64)iov[i].iov_len < 0) {
			r = -EINVAL;
			goto out_free;
		}
	}
	for (int i = 0; i < cnt; i++) {
		struct iobuf io = { iov[i].iov_base, iov[i].iov_len, true };

		if (!iobuf_range_ok(&io)) {
			r = -EFAULT;
			goto out_free;
		}
		iov[i].iov_len = MIN(iov[i].iov_len, MAX_RW_COUNT - total);
		total += iov[i].iov_len;
	}
	*out = iov;
	return 0;
out_free:
	if (iov != small)
		kfree(iov);
	return r;
}

/* One segment at the file offset, or at *off (then advanced). */
static long seg_rw(struct file *f, struct iobuf *io, bool write, s64 *off)
{
	long r;

	if (!off)
		return write ? file_write(f, io) : file_read(f, io);
	r = write ? file_pwrite_io(f, io, *off) : file_pread_io(f, io, *off);
	if (r > 0)
		*off += r;
	return r;
}

/*
 * readv/writev (off NULL) and preadv/pwritev: one transfer per segment,
 * stopping at a short one.
 */
static long vec_rw(int fd, const struct iovec *uiov, int cnt, bool write,
		   s64 *off)
{
	struct iovec small[FAST_IOV], *iov;
	struct file *f = fd_get(fd);
	long r, total = 0;

	if (!f)
		return -EBADF;
	r = f->fmode & (write ? FMODE_WRITE : FMODE_READ) ? 0 : -EBADF;
	if (r == 0 && off && (*off < 0 || !f->ops->llseek))
		r = *off < 0 ? -EINVAL : -ESPIPE;
	if (r == 0)
		r = iov_get(uiov, cnt, small, &iov);
	if (r < 0) {
		file_put(f);
		return r;
	}
	if (!off && sock_of_file(f)) {
		total = socket_iov_rw(f, iov, cnt, write);
		cnt = 0;
	}
	for (int i = 0; i < cnt; i++) {
		struct iobuf io = { iov[i].iov_base, iov[i].iov_len, true };

		if (!io.len)
			continue;
		/* A stream must not block once some data moved. */
		if (total && !f->ops->llseek && f->ops->poll &&
		    !(f->ops->poll(f) & (write ? POLLOUT : POLLIN | POLLHUP)))
			break;
		r = seg_rw(f, &io, write, off);
		if (r < 0)
			break;
		total += r;
		if ((size_t)r != iov[i].iov_len)
			break;
	}
	if (iov != small)
		kfree(iov);
	file_put(f);
	return total ? total : r;
}

long sys_readv(int fd, const struct iovec *iov, int iovcnt)
{
	return vec_rw(fd, iov, iovcnt, false, NULL);
}

long sys_writev(int fd, const struct iovec *iov, int iovcnt)
{
	return sigpipe(vec_rw(fd, iov, iovcnt, true, NULL));
}

/* On x86_64 the whole offset is in pos_l (pos_h is for 32-bit ABIs). */
long sys_preadv(int fd, const struct iovec *iov, int iovcnt, s64 pos_l,
		s64 pos_h)
{
	return vec_rw(fd, iov, iovcnt, false, &pos_l);
}

long sys_pwritev(int fd, const struct iovec *iov, int iovcnt, s64 pos_l,
		 s64 pos_h)
{
	return sigpipe(vec_rw(fd, iov, iovcnt, true, &pos_l));
}

long sys_openat(int dirfd, const char *path, int flags, int mode)
{
	struct dentry *base;
	struct file *f;
	char *kpath;
	long r;

	if ((flags & O_TMPFILE) == O_TMPFILE) {
		if ((flags & O_ACCMODE) == O_RDONLY)
			return -EINVAL;
	} else if (flags & (O_TMPFILE & ~O_DIRECTORY)) {
		return -EINVAL;
	}
	flags |= O_LARGEFILE; /* as Linux does for 64-bit programs */
	r = at_path(path, &kpath);
	if (r < 0)
		return r;
	r = at_base(dirfd, kpath, &base);
	if (r == 0)
		r = vfs_openat(base, kpath, flags, mode & 07777, &f);
	if (r == 0) {
		r = fd_install(f, 0, flags & O_CLOEXEC);
		if (r < 0)
			file_put(f);
	}
	if (base)
		dentry_put(base);
	kfree(kpath);
	return r;
}

long sys_open(const char *path, int flags, int mode)
{
	return sys_openat(AT_FDCWD, path, flags, mode);
}

long sys_creat(const char *path, int mode)
{
	return sys_openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

long sys_close(int fd)
{
	return fd_close(fd);
}

long sys_lseek(int fd, s64 off, int whence)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = file_lseek(f, off, whence);
	file_put(f);
	return r;
}

/* The ioctls every file answers (Linux's do_vfs_ioctl). */
static long common_ioctl(int fd, struct file *f, unsigned long req,
			 unsigned long arg)
{
	int on;

	switch (req) {
	case FIOCLEX:
		return fd_set_flags(fd, FD_CLOEXEC);
	case FIONCLEX:
		return fd_set_flags(fd, 0);
	case FIONBIO:
		if (copy_from_user(&on, (void *)arg, sizeof(on)) < 0)
			return -EFAULT;
		__atomic_fetch_and(&f->flags, ~O_NONBLOCK, __ATOMIC_RELAXED);
		if (on)
			__atomic_fetch_or(&f->flags, O_NONBLOCK, __ATOMIC_RELAXED);
		return 0;
	case FIOASYNC:
		return copy_from_user(&on, (void *)arg, sizeof(on));
	case FIONREAD:
		if (!S_ISREG(f->inode->mode))
			return 1; /* the file's own ioctl answers */
		on = f->pos < file_size(f) ? MIN(file_size(f) - f->pos,
						 (u64)0x7fffffff) : 0;
		return copy_to_user((void *)arg, &on, sizeof(on));
	default:
		return 1;
	}
}

long sys_ioctl(int fd, unsigned long req, unsigned long arg)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	if (f->fmode & FMODE_PATH) {
		file_put(f);
		return -EBADF;
	}
	r = common_ioctl(fd, f, req, arg);
	if (r == 1)
		r = f->ops->ioctl ? f->ops->ioctl(f, req, arg) : -ENOTTY;
	file_put(f);
	return r;
}

long sys_truncate(const char *path, s64 len)
{
	struct dentry *d;
	char *kpath;
	long r = len < 0 ? -EINVAL : at_path(path, &kpath);

	if (r < 0)
		return r;
	r = vfs_lookup(NULL, kpath, WALK_FOLLOW, &d);
	kfree(kpath);
	if (r < 0)
		return r;
	r = S_ISDIR(d->inode->mode) ? -EISDIR : vfs_truncate(d->inode, len);
	dentry_put(d);
	return r;
}

long sys_ftruncate(int fd, s64 len)
{
	struct file *f;
	long r;

	if (len < 0)
		return -EINVAL;
	f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (!(f->fmode & FMODE_WRITE) || !S_ISREG(f->inode->mode))
		r = -EINVAL;
	else
		r = vfs_truncate(f->inode, len);
	file_put(f);
	return r;
}

static long do_fsync(int fd)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	if (f->fmode & FMODE_PATH)
		r = -EBADF;
	else
		r = f->ops && f->ops->fsync ? f->ops->fsync(f) : -EINVAL;
	file_put(f);
	return r;
}

long sys_fsync(int fd)
{
	return do_fsync(fd);
}

long sys_fdatasync(int fd)
{
	return do_fsync(fd);
}

long sys_sync(void)
{
	vfs_sync_all(false);
	return 0;
}

/* The filesystem of fd only (a disk's sync writes its device's data). */
long sys_syncfs(int fd)
{
	struct file *f = fd_get(fd);
	int r;

	if (!f)
		return -EBADF;
	r = f->inode && f->inode->sb ? vfs_sync_super(f->inode->sb) : 0;
	file_put(f);
	return r ? -EIO : 0;
}

#define FALLOC_FL_KEEP_SIZE 1
#define FALLOC_FL_PUNCH_HOLE 2
#define POSIX_FADV_NOREUSE 5
#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8

/*
 * A file system's own fallocate where it has one (ext2: allocation and
 * hole punching); else memory is allocated on write: fallocate only
 * extends the size, and like tmpfs without hole punching, other modes are
 * -EOPNOTSUPP.
 */
long sys_fallocate(int fd, int mode, s64 off, s64 len)
{
	struct file *f = fd_get(fd);
	long r = 0;

	if (!f)
		return -EBADF;
	if (off < 0 || len <= 0)
		r = -EINVAL;
	else if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		r = -EOPNOTSUPP;
	else if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
		r = -EOPNOTSUPP; /* as Linux: a hole keeps the size */
	else if (!(f->fmode & FMODE_WRITE))
		r = -EBADF;
	else if (S_ISFIFO(f->inode->mode))
		r = -ESPIPE;
	else if (S_ISDIR(f->inode->mode))
		r = -EISDIR;
	else if (!S_ISREG(f->inode->mode))
		r = -ENODEV;
	else if (off + len < off)
		r = -EFBIG;
	else if (f->ops && f->ops->fallocate)
		r = f->ops->fallocate(f, mode, off, len);
	else if (mode & FALLOC_FL_PUNCH_HOLE)
		r = -EOPNOTSUPP;
	else if (!(mode & FALLOC_FL_KEEP_SIZE) &&
		 (u64)(off + len) > file_size(f))
		r = vfs_truncate(f->inode, off + len);
	file_put(f);
	return r;
}

long sys_fadvise64(int fd, s64 off, s64 len, int advice)
{
	struct file *f = fd_get(fd);
	long r = 0;

	if (!f)
		return -EBADF;
	if (S_ISFIFO(f->inode->mode))
		r = -ESPIPE;
	else if (advice < 0 || advice > POSIX_FADV_NOREUSE || len < 0)
		r = -EINVAL;
	file_put(f);
	return r;
}

/* One process: no other holder can conflict with a lock. */
long sys_flock(int fd, unsigned cmd)
{
	struct file *f = fd_get(fd);
	unsigned op = cmd & ~LOCK_NB;
	long r = 0;

	if (!f)
		return -EBADF;
	if (f->fmode & FMODE_PATH)
		r = -EBADF;
	else if (op != LOCK_SH && op != LOCK_EX && op != LOCK_UN)
		r = -EINVAL;
	file_put(f);
	return r;
}

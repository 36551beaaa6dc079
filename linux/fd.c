/*
 * linux/fd.c: dup, dup2, dup3, fcntl, pipe, pipe2, close_range, and the
 * helpers of the *at() calls (fsabi.h). Layer: Linux ABI over the fd table
 * of fs/vfs/fd.c.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "fsabi.h"
#include "sys.h"

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_SETOWN 8
#define F_GETOWN 9
#define F_SETSIG 10
#define F_GETSIG 11
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#define F_SETLEASE 1024
#define F_GETLEASE 1025
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME | O_ASYNC)
#define CLOSE_RANGE_UNSHARE 2
#define CLOSE_RANGE_CLOEXEC 4

int at_path(const char *upath, char **kpath)
{
	return user_strdup(upath, PATH_MAX, kpath);
}

int at_base(int dirfd, const char *kpath, struct dentry **out)
{
	struct file *f;

	*out = NULL;
	if (kpath && kpath[0] == '/') {
		*out = dentry_get(vfs_root());
		return 0;
	}
	if (dirfd == AT_FDCWD) {
		*out = vfs_cwd();
		return 0;
	}
	f = fd_get(dirfd);
	if (!f)
		return -EBADF;
	if (f->dentry)
		*out = dentry_get(f->dentry);
	file_put(f);
	return *out ? 0 : -ENOTDIR;
}

struct file *at_file(int fd)
{
	return fd_get(fd);
}

long sys_dup(int fd)
{
	struct file *f = fd_get(fd);
	int r;

	if (!f)
		return -EBADF;
	r = fd_install(f, 0, false);
	if (r < 0)
		file_put(f);
	return r;
}

long sys_dup2(int oldfd, int newfd)
{
	struct file *f;

	if (oldfd != newfd)
		return fd_dup_to(oldfd, newfd, false);
	f = fd_get(oldfd);
	if (!f)
		return -EBADF;
	file_put(f);
	return newfd;
}

long sys_dup3(int oldfd, int newfd, int flags)
{
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	return fd_dup_to(oldfd, newfd, flags & O_CLOEXEC);
}

static long dupfd(struct file *f, unsigned long min, bool cloexec)
{
	int r;

	if (min >= fd_limit())
		return -EINVAL;
	r = fd_install(file_get(f), min, cloexec);
	if (r < 0)
		file_put(f);
	return r;
}

/* Record locks: one process holds no lock another could conflict with. */
static long do_lock(struct file *f, int cmd, unsigned long arg)
{
	struct linux_flock fl;

	if (copy_from_user(&fl, (void *)arg, sizeof(fl)) < 0)
		return -EFAULT;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
		return -EINVAL;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		fl.l_type = F_UNLCK;
		return copy_to_user((void *)arg, &fl, sizeof(fl));
	}
	if ((fl.l_type == F_RDLCK && !(f->fmode & FMODE_READ)) ||
	    (fl.l_type == F_WRLCK && !(f->fmode & FMODE_WRITE)))
		return -EBADF;
	return 0;
}

static long fcntl_file(struct file *f, int cmd, unsigned long arg)
{
	switch (cmd) {
	case F_GETFL:
		return f->flags;
	case F_SETFL:
		__atomic_store_n(&f->flags, (f->flags & ~SETFL_MASK) |
				 (arg & SETFL_MASK), __ATOMIC_RELAXED);
		return 0;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return do_lock(f, cmd, arg);
	case F_SETOWN:
	case F_SETSIG:
		return 0;
	case F_GETOWN:
	case F_GETSIG:
		return 0;
	case F_GETLEASE:
		return F_UNLCK;
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		return pipe_fcntl_size(f, cmd == F_SETPIPE_SZ, (u32)arg);
	default:
		return -EINVAL;
	}
}

long sys_fcntl(int fd, int cmd, unsigned long arg)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	if ((f->fmode & FMODE_PATH) && cmd != F_DUPFD &&
	    cmd != F_DUPFD_CLOEXEC && cmd != F_GETFD && cmd != F_SETFD &&
	    cmd != F_GETFL) {
		file_put(f);
		return -EBADF;
	}
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		r = dupfd(f, arg, cmd == F_DUPFD_CLOEXEC);
		break;
	case F_GETFD:
		r = fd_get_flags(fd);
		break;
	case F_SETFD:
		r = fd_set_flags(fd, arg & FD_CLOEXEC);
		break;
	default:
		r = fcntl_file(f, cmd, arg);
	}
	file_put(f);
	return r;
}

long sys_pipe2(int *fds, int flags)
{
	struct file *r, *w;
	int k[2], err;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	if (user_check(fds, sizeof(k), true) < 0)
		return -EFAULT;
	err = pipe_create(flags, &r, &w);
	if (err < 0)
		return err;
	k[0] = fd_install(r, 0, flags & O_CLOEXEC);
	if (k[0] < 0) {
		file_put(r);
		file_put(w);
		return k[0];
	}
	k[1] = fd_install(w, 0, flags & O_CLOEXEC);
	if (k[1] < 0) {
		fd_close(k[0]);
		file_put(w);
		return k[1];
	}
	return copy_to_user(fds, k, sizeof(k));
}

long sys_pipe(int *fds)
{
	return sys_pipe2(fds, 0);
}

long sys_close_range(unsigned first, unsigned last, unsigned flags)
{
	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	for (u64 fd = first; fd <= last && fd < fd_limit(); fd++) {
		if (flags & CLOSE_RANGE_CLOEXEC)
			fd_set_flags(fd, FD_CLOEXEC);
		else
			fd_close(fd);
	}
	return 0;
}

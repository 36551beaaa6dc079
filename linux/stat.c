/*
 * linux/stat.c: stat, fstat, lstat, newfstatat, statx, statfs, fstatfs,
 * access, faccessat(2), readlink(at), umask, chmod family, chown family,
 * utimensat. Layer: Linux ABI over skiff/vfs.h. The program is root:
 * permission checks pass except execute on a file with no x bit.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "fsabi.h"
#include "sys.h"

#define UTIME_NOW ((1l << 30) - 1)
#define UTIME_OMIT ((1l << 30) - 2)
#define ST_RDONLY 0x1
#define ST_VALID 0x20

static struct linux_timespec ts(struct vfs_time t)
{
	return (struct linux_timespec){ t.sec, t.nsec };
}

void stat_fill(struct inode *ino, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = ino->sb ? ino->sb->dev : 0;
	st->st_ino = ino->ino;
	st->st_nlink = ino->nlink;
	st->st_mode = ino->mode;
	st->st_uid = ino->uid;
	st->st_gid = ino->gid;
	st->st_rdev = ino->rdev;
	st->st_size = ino->size;
	st->st_blksize = ino->blksize;
	st->st_blocks = ino->blocks;
	st->st_atim = ts(ino->atime);
	st->st_mtim = ts(ino->mtime);
	st->st_ctim = ts(ino->ctime);
}

/*
 * The inode an *at() call names, with a reference on what holds it (*d or
 * *f, one of them set): AT_EMPTY_PATH with "" names dirfd's file itself.
 */
static int at_inode(int dirfd, const char *upath, int flags, struct dentry **d,
		    struct file **f)
{
	unsigned wf = flags & AT_SYMLINK_NOFOLLOW ? 0 : WALK_FOLLOW;
	struct dentry *base;
	char *kpath;
	int r = at_path(upath, &kpath);

	*d = NULL;
	*f = NULL;
	if (r < 0)
		return r;
	if (!kpath[0] && (flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD) {
		kfree(kpath);
		*f = at_file(dirfd);
		return *f ? 0 : -EBADF;
	}
	if (!kpath[0] && (flags & AT_EMPTY_PATH))
		wf |= WALK_EMPTY;
	r = at_base(dirfd, kpath, &base);
	if (r == 0)
		r = vfs_lookup(base, kpath, wf, d);
	if (base)
		dentry_put(base);
	kfree(kpath);
	return r;
}

static void at_release(struct dentry *d, struct file *f)
{
	if (d)
		dentry_put(d);
	if (f)
		file_put(f);
}

static struct inode *held_inode(struct dentry *d, struct file *f)
{
	return d ? d->inode : f->inode;
}

static long stat_at(int dirfd, const char *path, struct linux_stat *ust,
		    int flags)
{
	struct linux_stat st;
	struct dentry *d;
	struct file *f;
	long r;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH))
		return -EINVAL;
	r = at_inode(dirfd, path, flags, &d, &f);
	if (r < 0)
		return r;
	stat_fill(held_inode(d, f), &st);
	at_release(d, f);
	return copy_to_user(ust, &st, sizeof(st));
}

long sys_stat(const char *path, struct linux_stat *st)
{
	return stat_at(AT_FDCWD, path, st, 0);
}

long sys_lstat(const char *path, struct linux_stat *st)
{
	return stat_at(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

long sys_newfstatat(int dirfd, const char *path, struct linux_stat *st,
		    int flags)
{
	return stat_at(dirfd, path, st, flags);
}

long sys_fstat(int fd, struct linux_stat *ust)
{
	struct linux_stat st;
	struct file *f = at_file(fd);

	if (!f)
		return -EBADF;
	stat_fill(f->inode, &st);
	file_put(f);
	return copy_to_user(ust, &st, sizeof(st));
}

static struct linux_statx_timestamp stx_ts(struct vfs_time t)
{
	return (struct linux_statx_timestamp){ t.sec, t.nsec, 0 };
}

static void statx_fill(struct inode *ino, struct linux_statx *sx)
{
	u64 dev = ino->sb ? ino->sb->dev : 0;

	memset(sx, 0, sizeof(*sx));
	sx->stx_mask = STATX_BASIC_STATS | STATX_MNT_ID;
	sx->stx_blksize = ino->blksize;
	sx->stx_nlink = ino->nlink;
	sx->stx_uid = ino->uid;
	sx->stx_gid = ino->gid;
	sx->stx_mode = ino->mode;
	sx->stx_ino = ino->ino;
	sx->stx_size = ino->size;
	sx->stx_blocks = ino->blocks;
	sx->stx_atime = stx_ts(ino->atime);
	sx->stx_mtime = stx_ts(ino->mtime);
	sx->stx_ctime = stx_ts(ino->ctime);
	sx->stx_rdev_major = DEV_MAJOR(ino->rdev);
	sx->stx_rdev_minor = DEV_MINOR(ino->rdev);
	sx->stx_dev_major = DEV_MAJOR(dev);
	sx->stx_dev_minor = DEV_MINOR(dev);
	sx->stx_mnt_id = dev;
}

long sys_statx(int dirfd, const char *path, int flags, unsigned mask,
	       struct linux_statx *ustx)
{
	struct linux_statx sx;
	struct dentry *d;
	struct file *f;
	long r;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH |
		      AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (mask & STATX__RESERVED)
		return -EINVAL;
	r = at_inode(dirfd, path, flags, &d, &f);
	if (r < 0)
		return r;
	statx_fill(held_inode(d, f), &sx);
	at_release(d, f);
	return copy_to_user(ustx, &sx, sizeof(sx));
}

static long statfs_fill(struct inode *ino, struct linux_statfs *ubuf)
{
	struct linux_statfs s;
	struct vfs_statfs st;

	memset(&s, 0, sizeof(s));
	s.f_type = ino->sb ? ino->sb->magic : 0;
	s.f_bsize = s.f_frsize = PAGE_SIZE;

	if (ino->sb && ino->sb->ops && ino->sb->ops->statfs &&
	    ino->sb->ops->statfs(ino->sb, &st) == 0) {
		s.f_bsize = s.f_frsize = st.bsize;
		s.f_blocks = st.blocks;
		s.f_bfree = st.bfree;
		s.f_bavail = st.bavail;
		s.f_files = st.files;
		s.f_ffree = st.ffree;
		if (st.ro)
			s.f_flags |= ST_RDONLY;
	} else if (ino->sb && ino->sb->memory) {
		vfs_memory_space(&s.f_blocks, &s.f_bfree);
		s.f_bavail = s.f_bfree;
		s.f_files = s.f_blocks;
		s.f_ffree = s.f_files;
	}
	s.f_namelen = NAME_MAX;
	s.f_flags |= ST_VALID;
	return copy_to_user(ubuf, &s, sizeof(s));
}

long sys_statfs(const char *path, struct linux_statfs *buf)
{
	struct dentry *d;
	struct file *f;
	long r = at_inode(AT_FDCWD, path, 0, &d, &f);

	if (r < 0)
		return r;
	r = statfs_fill(held_inode(d, f), buf);
	at_release(d, f);
	return r;
}

long sys_fstatfs(int fd, struct linux_statfs *buf)
{
	struct file *f = at_file(fd);
	long r;

	if (!f)
		return -EBADF;
	r = statfs_fill(f->inode, buf);
	file_put(f);
	return r;
}

long sys_faccessat2(int dirfd, const char *path, int mode, int flags)
{
	struct dentry *d;
	struct file *f;
	long r;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = at_inode(dirfd, path, flags, &d, &f);
	if (r < 0)
		return r;
	r = vfs_access(held_inode(d, f), mode);
	at_release(d, f);
	return r;
}

long sys_faccessat(int dirfd, const char *path, int mode)
{
	return sys_faccessat2(dirfd, path, mode, 0);
}

long sys_access(const char *path, int mode)
{
	return sys_faccessat2(AT_FDCWD, path, mode, 0);
}

long sys_readlinkat(int dirfd, const char *path, char *buf, size_t size)
{
	struct dentry *base;
	char *kpath, *kbuf;
	long r;

	if ((s64)size <= 0 || size > 0x7fffffff)
		return -EINVAL;
	r = at_path(path, &kpath);
	if (r < 0)
		return r;
	r = at_base(dirfd, kpath, &base);
	kbuf = r == 0 ? kmalloc(PATH_MAX) : NULL;
	if (r == 0 && !kbuf)
		r = -ENOMEM;
	if (r == 0)
		r = vfs_readlink(base, kpath, kbuf, MIN(size, PATH_MAX),
				 !kpath[0]);
	if (r == -EINVAL && !kpath[0])
		r = -ENOENT;
	if (r >= 0 && copy_to_user(buf, kbuf, r) < 0)
		r = -EFAULT;
	kfree(kbuf);
	if (base)
		dentry_put(base);
	kfree(kpath);
	return r;
}

long sys_readlink(const char *path, char *buf, size_t size)
{
	return sys_readlinkat(AT_FDCWD, path, buf, size);
}

long sys_umask(int mask)
{
	return vfs_set_umask(mask);
}

static long chmod_at(int dirfd, const char *path, int mode, int flags)
{
	struct dentry *d;
	struct file *f;
	long r;

	r = at_inode(dirfd, path, flags, &d, &f);
	if (r < 0)
		return r;
	r = vfs_chmod(held_inode(d, f), mode);
	at_release(d, f);
	return r;
}

long sys_chmod(const char *path, int mode)
{
	return chmod_at(AT_FDCWD, path, mode, 0);
}

long sys_fchmodat(int dirfd, const char *path, int mode)
{
	return chmod_at(dirfd, path, mode, 0);
}

long sys_fchmod(int fd, int mode)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = f->fmode & FMODE_PATH ? -EBADF : vfs_chmod(f->inode, mode);
	file_put(f);
	return r;
}


long sys_fchownat(int dirfd, const char *path, int uid, int gid, int flags)
{
	struct dentry *d;
	struct file *f;
	long r;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = at_inode(dirfd, path, flags, &d, &f);
	if (r < 0)
		return r;
	r = vfs_chown(held_inode(d, f), uid, gid);
	at_release(d, f);
	return r;
}

long sys_chown(const char *path, int uid, int gid)
{
	return sys_fchownat(AT_FDCWD, path, uid, gid, 0);
}

long sys_lchown(const char *path, int uid, int gid)
{
	return sys_fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

long sys_fchown(int fd, int uid, int gid)
{
	struct file *f = fd_get(fd);
	long r = 0;

	if (!f)
		return -EBADF;
	if (f->fmode & FMODE_PATH)
		r = -EBADF;
	else
		r = vfs_chown(f->inode, uid, gid);
	file_put(f);
	return r;
}

static bool nsec_valid(s64 nsec)
{
	return nsec == UTIME_NOW || nsec == UTIME_OMIT ||
	       (nsec >= 0 && nsec < 1000000000);
}

/* One utimensat time: now, kept (omit), or given. */
static void utime_get(const struct linux_timespec *t, struct vfs_time cur,
		      struct vfs_time *out)
{
	if (t->tv_nsec == UTIME_NOW)
		vfs_time_now(out);
	else if (t->tv_nsec == UTIME_OMIT)
		*out = cur;
	else
		*out = (struct vfs_time){ t->tv_sec, t->tv_nsec };
}

long sys_utimensat(int dirfd, const char *path,
		   const struct linux_timespec *times, int flags)
{
	struct linux_timespec t[2];
	struct vfs_time at, mt;
	struct dentry *d = NULL;
	struct file *f = NULL;
	struct inode *ino;
	long r;

	if (times && copy_from_user(t, times, sizeof(t)) < 0)
		return -EFAULT;
	if (times && (!nsec_valid(t[0].tv_nsec) || !nsec_valid(t[1].tv_nsec)))
		return -EINVAL;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (path)
		r = at_inode(dirfd, path, flags, &d, &f);
	else
		r = dirfd == AT_FDCWD ? -EFAULT :
		    (f = at_file(dirfd)) ? 0 : -EBADF;
	if (r < 0)
		return r;
	ino = held_inode(d, f);
	if (!times) {
		r = vfs_utimes(ino, NULL, NULL);
	} else {
		utime_get(&t[0], ino->atime, &at);
		utime_get(&t[1], ino->mtime, &mt);
		r = vfs_utimes(ino, &at, &mt);
	}
	at_release(d, f);
	return r;
}

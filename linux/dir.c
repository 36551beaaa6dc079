/*
 * linux/dir.c: directories and names: getdents64, mkdir(at), mknod(at),
 * rmdir, unlink(at), rename(at/at2), symlink(at), link(at), getcwd,
 * chdir, fchdir. Layer: Linux ABI over skiff/vfs.h.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "fsabi.h"
#include "sys.h"

/* The base and kernel path of an *at() call; put with at_put. */
static int at_get(int dirfd, const char *upath, struct dentry **base,
		  char **kpath)
{
	int r = at_path(upath, kpath);

	*base = NULL;
	if (r < 0)
		return r;
	r = at_base(dirfd, *kpath, base);
	if (r < 0)
		kfree(*kpath);
	return r;
}

static void at_put(struct dentry *base, char *kpath)
{
	if (base)
		dentry_put(base);
	kfree(kpath);
}

struct dirent_buf {
	struct dir_ctx ctx;
	char *buf;	/* program memory, checked */
	size_t size, used;
	bool full;
	int err;	/* -EFAULT: the buffer went away meanwhile */
};

/* struct linux_dirent64: ino, off, reclen, type, name, 8-byte aligned. */
static bool emit_dirent(struct dir_ctx *ctx, const char *name, size_t len,
			u64 ino, unsigned type, u64 next_pos)
{
	struct dirent_buf *b = container_of(ctx, struct dirent_buf, ctx);
	size_t reclen = ALIGN_UP(19 + len + 1, 8);
	char p[ALIGN_UP(19 + 255 + 1, 8)]; /* NAME_MAX */
	u16 rl = reclen;
	u8 t = type;

	if (reclen > b->size - b->used || reclen > sizeof(p)) {
		b->full = true;
		return false;
	}
	memcpy(p, &ino, 8);
	memcpy(p + 8, &next_pos, 8);
	memcpy(p + 16, &rl, 2);
	memcpy(p + 18, &t, 1);
	memcpy(p + 19, name, len);
	memset(p + 19 + len, 0, reclen - 19 - len);
	/* Through the uaccess copy: another thread may unmap the buffer. */
	if (copy_to_user(b->buf + b->used, p, reclen)) {
		b->err = -EFAULT;
		return false;
	}
	b->used += reclen;
	return true;
}

long sys_getdents64(int fd, void *dirp, size_t count)
{
	struct dirent_buf b = { { emit_dirent, 0 }, dirp, count, 0, false, 0 };
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	if (f->fmode & FMODE_PATH)
		r = -EBADF;
	else if (!f->ops || !f->ops->iterate)
		r = -ENOTDIR;
	else
		r = user_check(dirp, count, true);
	if (r == 0) {
		if (b.size > MAX_RW_COUNT)
			b.size = MAX_RW_COUNT;
		mutex_lock(&f->pos_lock);
		b.ctx.pos = f->pos;
		r = f->ops->iterate(f, &b.ctx);
		f->pos = b.ctx.pos;
		mutex_unlock(&f->pos_lock);
		if (r == 0)
			r = b.used ? (long)b.used : b.err ? b.err :
			    b.full ? -EINVAL : 0;
	}
	file_put(f);
	return r;
}

long sys_mkdirat(int dirfd, const char *path, int mode)
{
	struct dentry *base;
	char *kpath;
	long r = at_get(dirfd, path, &base, &kpath);

	if (r < 0)
		return r;
	r = vfs_mkdir(base, kpath, mode & 07777);
	at_put(base, kpath);
	return r;
}

long sys_mkdir(const char *path, int mode)
{
	return sys_mkdirat(AT_FDCWD, path, mode);
}

long sys_mknodat(int dirfd, const char *path, int mode, unsigned dev)
{
	struct dentry *base;
	char *kpath;
	u32 type = mode & S_IFMT;
	long r;

	if (type == 0)
		mode |= type = S_IFREG;
	if (type == S_IFDIR)
		return -EPERM;
	if (type != S_IFREG && type != S_IFCHR && type != S_IFBLK &&
	    type != S_IFIFO && type != S_IFSOCK)
		return -EINVAL;
	r = at_get(dirfd, path, &base, &kpath);
	if (r < 0)
		return r;
	r = vfs_mknod(base, kpath, mode, (type == S_IFCHR || type == S_IFBLK) ?
			     MKDEV((dev >> 8) & 0xfff, dev & 0xff) : 0);
	at_put(base, kpath);
	return r;
}

long sys_mknod(const char *path, int mode, unsigned dev)
{
	return sys_mknodat(AT_FDCWD, path, mode, dev);
}

long sys_unlinkat(int dirfd, const char *path, int flags)
{
	struct dentry *base;
	char *kpath;
	long r;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	r = at_get(dirfd, path, &base, &kpath);
	if (r < 0)
		return r;
	if (flags & AT_REMOVEDIR)
		r = vfs_rmdir(base, kpath);
	else
		r = vfs_unlink(base, kpath);
	at_put(base, kpath);
	return r;
}

long sys_unlink(const char *path)
{
	return sys_unlinkat(AT_FDCWD, path, 0);
}

long sys_rmdir(const char *path)
{
	return sys_unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
}

long sys_renameat2(int olddirfd, const char *oldpath, int newdirfd,
		   const char *newpath, unsigned flags)
{
	struct dentry *obase, *nbase;
	char *opath, *npath;
	long r;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_EXCHANGE) &&
	    (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))
		return -EINVAL;
	r = at_get(olddirfd, oldpath, &obase, &opath);
	if (r < 0)
		return r;
	r = at_get(newdirfd, newpath, &nbase, &npath);
	if (r == 0) {
		r = vfs_rename(obase, opath, nbase, npath, flags);
		at_put(nbase, npath);
	}
	at_put(obase, opath);
	return r;
}

long sys_renameat(int olddirfd, const char *oldpath, int newdirfd,
		  const char *newpath)
{
	return sys_renameat2(olddirfd, oldpath, newdirfd, newpath, 0);
}

long sys_rename(const char *oldpath, const char *newpath)
{
	return sys_renameat2(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

long sys_symlinkat(const char *target, int dirfd, const char *linkpath)
{
	struct dentry *base;
	char *ktarget, *kpath;
	long r = at_path(target, &ktarget);

	if (r < 0)
		return r;
	r = at_get(dirfd, linkpath, &base, &kpath);
	if (r == 0) {
		r = vfs_symlink(ktarget, base, kpath);
		at_put(base, kpath);
	}
	kfree(ktarget);
	return r;
}

long sys_symlink(const char *target, const char *linkpath)
{
	return sys_symlinkat(target, AT_FDCWD, linkpath);
}

long sys_linkat(int olddirfd, const char *oldpath, int newdirfd,
		const char *newpath, int flags)
{
	struct dentry *obase, *nbase;
	char *opath, *npath;
	unsigned wf = 0;
	long r;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (flags & AT_SYMLINK_FOLLOW)
		wf |= WALK_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		wf |= WALK_EMPTY;
	r = at_get(olddirfd, oldpath, &obase, &opath);
	if (r < 0)
		return r;
	r = at_get(newdirfd, newpath, &nbase, &npath);
	if (r == 0) {
		r = vfs_link(obase, opath, nbase, npath, wf);
		at_put(nbase, npath);
	}
	at_put(obase, opath);
	return r;
}

long sys_link(const char *oldpath, const char *newpath)
{
	return sys_linkat(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

long sys_getcwd(char *buf, size_t size)
{
	struct dentry *cwd = vfs_cwd();
	char *k = kmalloc(PATH_MAX);
	long r = k ? dentry_path(cwd, k, PATH_MAX) : -ENOMEM;

	dentry_put(cwd);
	if (r == -ERANGE)
		r = -ENAMETOOLONG;
	else if (r >= 0 && (size_t)r + 1 > size)
		r = -ERANGE;
	else if (r >= 0)
		r = copy_to_user(buf, k, r + 1) < 0 ? -EFAULT : r + 1;
	kfree(k);
	return r;
}

long sys_chdir(const char *path)
{
	char *kpath;
	long r = at_path(path, &kpath);

	if (r < 0)
		return r;
	r = vfs_chdir(kpath);
	kfree(kpath);
	return r;
}

long sys_fchdir(int fd)
{
	struct file *f = fd_get(fd);
	long r = 0;

	if (!f)
		return -EBADF;
	if (!f->dentry || !S_ISDIR(f->inode->mode))
		r = -ENOTDIR;
	else
		vfs_set_cwd(f->dentry);
	file_put(f);
	return r;
}

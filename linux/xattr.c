/*
 * linux/xattr.c: extended attributes. The ramfs keeps none (like tmpfs in
 * Linux 6.1 without security modules): reads find no attribute, lists are
 * empty, writes are not supported. Paths and fds are still checked, so
 * missing files give ENOENT and bad fds EBADF. Layer: Linux ABI.
 */
#include <skiff/errno.h>
#include <skiff/vfs.h>
#include "sys.h"

#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100

static long check_path(const char *path, bool follow)
{
	return sys_faccessat2(AT_FDCWD, path, 0, follow ? 0 : AT_SYMLINK_NOFOLLOW);
}

static long check_fd(int fd)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

long sys_getxattr(const char *path, const char *name, void *value, size_t size)
{
	long r = check_path(path, true);
	return r ? r : -ENODATA;
}

long sys_lgetxattr(const char *path, const char *name, void *value, size_t size)
{
	long r = check_path(path, false);
	return r ? r : -ENODATA;
}

long sys_fgetxattr(int fd, const char *name, void *value, size_t size)
{
	long r = check_fd(fd);
	return r ? r : -ENODATA;
}

long sys_listxattr(const char *path, char *list, size_t size)
{
	return check_path(path, true);
}

long sys_llistxattr(const char *path, char *list, size_t size)
{
	return check_path(path, false);
}

long sys_flistxattr(int fd, char *list, size_t size)
{
	return check_fd(fd);
}

long sys_setxattr(const char *path, const char *name, const void *value,
		  size_t size, int flags)
{
	long r = check_path(path, true);
	return r ? r : -EOPNOTSUPP;
}

long sys_lsetxattr(const char *path, const char *name, const void *value,
		   size_t size, int flags)
{
	long r = check_path(path, false);
	return r ? r : -EOPNOTSUPP;
}

long sys_fsetxattr(int fd, const char *name, const void *value, size_t size,
		   int flags)
{
	long r = check_fd(fd);
	return r ? r : -EOPNOTSUPP;
}

long sys_removexattr(const char *path, const char *name)
{
	long r = check_path(path, true);
	return r ? r : -ENODATA;
}

long sys_lremovexattr(const char *path, const char *name)
{
	long r = check_path(path, false);
	return r ? r : -ENODATA;
}

long sys_fremovexattr(int fd, const char *name)
{
	long r = check_fd(fd);
	return r ? r : -ENODATA;
}

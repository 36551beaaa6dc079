/*
 * The Linux x86_64 structures of the file syscalls (struct stat, statx,
 * linux_dirent64, iovec, statfs, flock) and the helpers that turn the
 * arguments of the *at() calls into VFS terms. Layer: Linux ABI, shared
 * by linux/file.c, fd.c, stat.c and dir.c.
 */
#ifndef LINUX_FSABI_H
#define LINUX_FSABI_H

#include <skiff/vfs.h>
#include "abi.h"

#if __STDC_HOSTED__
#include <sys/uio.h>
#else
struct iovec {
	void *iov_base;
	size_t iov_len;
};
#endif
#ifndef UIO_MAXIOV
#define UIO_MAXIOV 1024
#endif

struct linux_stat {	/* 144 bytes */
	u64 st_dev;
	u64 st_ino;
	u64 st_nlink;
	u32 st_mode;
	u32 st_uid;
	u32 st_gid;
	u32 pad0;
	u64 st_rdev;
	s64 st_size;
	s64 st_blksize;
	s64 st_blocks;
	struct linux_timespec st_atim, st_mtim, st_ctim;
	s64 unused[3];
};

struct linux_statx_timestamp {
	s64 tv_sec;
	u32 tv_nsec;
	s32 reserved;
};

struct linux_statx {	/* 256 bytes */
	u32 stx_mask;
	u32 stx_blksize;
	u64 stx_attributes;
	u32 stx_nlink;
	u32 stx_uid;
	u32 stx_gid;
	u16 stx_mode;
	u16 spare0;
	u64 stx_ino;
	u64 stx_size;
	u64 stx_blocks;
	u64 stx_attributes_mask;
	struct linux_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	u32 stx_rdev_major, stx_rdev_minor;
	u32 stx_dev_major, stx_dev_minor;
	u64 stx_mnt_id;
	u32 stx_dio_mem_align, stx_dio_offset_align;
	u64 spare3[12];
};
#ifndef STATX_BASIC_STATS
#define STATX_BASIC_STATS 0x7ffu
#define STATX_MNT_ID 0x1000u
#define STATX__RESERVED 0x80000000u
#endif

struct linux_statfs {	/* 120 bytes */
	s64 f_type, f_bsize;
	u64 f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	s32 f_fsid[2];
	s64 f_namelen, f_frsize, f_flags;
	s64 f_spare[4];
};

struct linux_flock {
	s16 l_type;
	s16 l_whence;
	s64 l_start;
	s64 l_len;
	s32 l_pid;
};

/* linux/fd.c */
/*
 * The directory a relative path of an *at() call starts from, with a
 * reference: the working directory for AT_FDCWD, else dirfd's (-EBADF).
 * An absolute path ignores dirfd, as on Linux.
 */
int at_base(int dirfd, const char *kpath, struct dentry **out);
/* Copies a program path in (kfree it after): -EFAULT, -ENAMETOOLONG. */
int at_path(const char *upath, char **kpath);
/* The file at fd, or NULL, for fstat-like calls (O_PATH files too). */
struct file *at_file(int fd);

/* linux/poll.c */
/* A timeout (NULL: none) as a monotonic deadline (0: none): -EFAULT, -EINVAL. */
int timespec_deadline(const struct linux_timespec *uts, u64 *deadline);
/*
 * The signal mask argument of ppoll, pselect6, epoll_pwait (NULL: none):
 * installs it for the call, the old one saved. -EINVAL (size), -EFAULT.
 */
int sigmask_set_user(const u64 *umask, size_t size);
/* After the call: puts the old mask back unless the call was interrupted
 * (then signal delivery does it after the handler). */
void sigmask_restore_unless(bool interrupted);

/* linux/stat.c */
void stat_fill(struct inode *ino, struct linux_stat *st);

#endif

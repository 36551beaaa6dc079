/*
 * stat: stat, fstat, lstat, newfstatat and statx through the raw system
 * calls on files, directories, a symlink and /dev/null: type, permission
 * bits, size, link counts, owners, and the errors. Inode numbers and times
 * are compared, never printed.
 */
#include <stdint.h>
#include <sys/sysmacros.h>
#include <time.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

/* struct statx as statx(2) documents it (musl 1.2.3 has no statx). */
struct kstatx_ts { int64_t sec; uint32_t nsec; int32_t pad; };
struct kstatx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad1;
	uint64_t ino, size, blocks, attributes_mask;
	struct kstatx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};
#define K_STATX_BASIC 0x7ffU
#define K_STATX_RESERVED 0x80000000U

static const char *type(unsigned mode)
{
	return S_ISREG(mode) ? "file" : S_ISDIR(mode) ? "dir" : S_ISLNK(mode) ? "symlink" :
	       S_ISCHR(mode) ? "chardev" : S_ISFIFO(mode) ? "fifo" : "other";
}

static void show_stat(const char *what, long r, struct stat *st)
{
	if (r) {
		say("%s = -1 %s", what, errname(errno));
		return;
	}
	say("%s: %s %04o nlink %lu uid %u gid %u", what, type(st->st_mode),
	    st->st_mode & 07777, (unsigned long)st->st_nlink, st->st_uid, st->st_gid);
	if (S_ISREG(st->st_mode) || S_ISLNK(st->st_mode))
		say("  size %ld", (long)st->st_size);
}

static void stats(time_t t0)
{
	struct stat st, st2;
	int fd;

	fd = open("f", O_RDWR | O_CREAT, 0640);
	SHOW(write(fd, "0123456789", 10));
	show_stat("stat f", SYS(SYS_stat, "f", &st), &st);
	yes("  mtime not before the start", st.st_mtime >= t0 - 1);
	yes("  mtime == ctime", st.st_mtim.tv_sec == st.st_ctim.tv_sec &&
	    st.st_mtim.tv_nsec == st.st_ctim.tv_nsec);
	yes("  ino nonzero", st.st_ino != 0);
	show_stat("fstat f", SYS(SYS_fstat, fd, &st2), &st2);
	yes("  same ino and dev as stat", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
	show_stat("lstat f", SYS(SYS_lstat, "f", &st2), &st2);
	SHOW(symlink("f", "link"));
	show_stat("lstat link", SYS(SYS_lstat, "link", &st2), &st2);
	show_stat("stat link", SYS(SYS_stat, "link", &st2), &st2);
	yes("  stat through the link is f", st.st_ino == st2.st_ino);
	SHOW(mkdir("d", 0750));
	SHOW(mkdir("d/sub1", 0700));
	SHOW(mkdir("d/sub2", 0700));
	show_stat("stat d", SYS(SYS_stat, "d", &st), &st);
	show_stat("stat d/sub1", SYS(SYS_stat, "d/sub1", &st2), &st2);
	yes("  same dev as d", st.st_dev == st2.st_dev);
	/* the root's link count depends on what the host has in / */
	SHOW(SYS(SYS_stat, "/", &st));
	say("  /: %s %04o", type(st.st_mode), st.st_mode & 07777);
	show_stat("stat /dev/null", SYS(SYS_stat, "/dev/null", &st), &st);
	say("  rdev %u:%u", major(st.st_rdev), minor(st.st_rdev));
	show_stat("stat missing", SYS(SYS_stat, "missing", &st), &st);
	show_stat("stat f/x", SYS(SYS_stat, "f/x", &st), &st);
	show_stat("stat \"\"", SYS(SYS_stat, "", &st), &st);
	SHOW(SYS(SYS_stat, NULL, &st));
	SHOW(SYS(SYS_stat, "f", NULL));
	SHOW(SYS(SYS_fstat, 99, &st));
	SHOW(SYS(SYS_fstat, fd, (void *)16));
	close(fd);
}

static void at(void)
{
	struct stat st;
	int dfd, fd;

	dfd = open("d", O_RDONLY | O_DIRECTORY);
	show_stat("newfstatat d sub1", SYS(SYS_newfstatat, dfd, "sub1", &st, 0), &st);
	show_stat("newfstatat cwd link nofollow",
		  SYS(SYS_newfstatat, AT_FDCWD, "link", &st, AT_SYMLINK_NOFOLLOW), &st);
	show_stat("newfstatat cwd link", SYS(SYS_newfstatat, AT_FDCWD, "link", &st, 0), &st);
	fd = open("f", O_RDONLY);
	show_stat("newfstatat fd \"\" AT_EMPTY_PATH",
		  SYS(SYS_newfstatat, fd, "", &st, AT_EMPTY_PATH), &st);
	show_stat("newfstatat fd \"\"", SYS(SYS_newfstatat, fd, "", &st, 0), &st);
	show_stat("newfstatat bad flags", SYS(SYS_newfstatat, dfd, "sub1", &st, 0x40000000), &st);
	show_stat("newfstatat file as dirfd", SYS(SYS_newfstatat, fd, "x", &st, 0), &st);
	show_stat("newfstatat bad dirfd", SYS(SYS_newfstatat, 99, "x", &st, 0), &st);
	show_stat("newfstatat bad dirfd, absolute path",
		  SYS(SYS_newfstatat, 99, "/tmp/skiff-test-stat/f", &st, 0), &st);
	close(fd);
	close(dfd);
}

static void show_statx(const char *what, long r, struct kstatx *x)
{
	if (r) {
		say("%s = -1 %s", what, errname(errno));
		return;
	}
	say("%s: basic mask %s, %s %04o nlink %u uid %u gid %u", what,
	    (x->mask & K_STATX_BASIC) == K_STATX_BASIC ? "complete" : "partial",
	    type(x->mode), x->mode & 07777, x->nlink, x->uid, x->gid);
	if (S_ISREG(x->mode))
		say("  size %lu", (unsigned long)x->size);
}

static void statx_(void)
{
	struct kstatx x;
	struct stat st;
	int fd;

	show_statx("statx f", SYS(SYS_statx, AT_FDCWD, "f", 0, K_STATX_BASIC, &x), &x);
	stat("f", &st);
	yes("  same ino as stat", x.ino == st.st_ino);
	yes("  same mtime as stat", x.mtime.sec == st.st_mtim.tv_sec &&
	    x.mtime.nsec == st.st_mtim.tv_nsec);
	show_statx("statx link nofollow",
		   SYS(SYS_statx, AT_FDCWD, "link", AT_SYMLINK_NOFOLLOW, K_STATX_BASIC, &x), &x);
	show_statx("statx d", SYS(SYS_statx, AT_FDCWD, "d", 0, K_STATX_BASIC, &x), &x);
	fd = open("f", O_RDONLY);
	show_statx("statx fd AT_EMPTY_PATH",
		   SYS(SYS_statx, fd, "", AT_EMPTY_PATH, K_STATX_BASIC, &x), &x);
	close(fd);
	show_statx("statx missing", SYS(SYS_statx, AT_FDCWD, "missing", 0, K_STATX_BASIC, &x), &x);
	show_statx("statx reserved mask",
		   SYS(SYS_statx, AT_FDCWD, "f", 0, K_STATX_RESERVED, &x), &x);
	show_statx("statx bad flags", SYS(SYS_statx, AT_FDCWD, "f", 0x40000000, K_STATX_BASIC, &x), &x);
	show_statx("statx NULL buffer", SYS(SYS_statx, AT_FDCWD, "f", 0, K_STATX_BASIC, NULL), &x);
}

int main(void)
{
	struct timespec t0;

	umask(022);
	clock_gettime(CLOCK_REALTIME, &t0);
	scratch_enter("stat");
	stats(t0.tv_sec);
	at();
	statx_();
	scratch_leave();
	return 0;
}

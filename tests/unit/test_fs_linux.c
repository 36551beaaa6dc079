/* SOURCES: fs/init.c fs/initrd.c fs/pipe.c fs/vfs/dentry.c fs/vfs/fd.c fs/vfs/inode.c fs/vfs/namei.c fs/vfs/open.c fs/vfs/ops.c fs/vfs/rename.c fs/vfs/rw.c fs/vfs/poll.c fs/ramfs/ramfs.c fs/ramfs/file.c fs/ramfs/pagestore.c fs/devfs/mem.c fs/devfs/console.c fs/devfs/tty.c fs/procfs/procfs.c fs/procfs/pid.c fs/procfs/pidstat.c fs/procfs/info.c fs/procfs/sysfs.c fs/procfs/net.c fs/eventpoll.c lib/rbtree.c fs/eventfd.c fs/timerfd.c linux/file.c linux/fd.c linux/stat.c linux/dir.c linux/poll.c linux/sendfile.c lib/cpio.c lib/printf.c lib/strconv.c tests/unit/shim_fs.c tests/unit/difftest.c */
/*
 * The file syscalls of linux/ over the ramfs, differential against the
 * host's Linux: each script line is one syscall, run on the host (raw
 * syscall(2) in a scratch directory under /tmp) and on Skiff's sys_*
 * functions (in a directory of the ramfs); the printed results must be the
 * same. Linux writes every expectation; the scripts only choose the calls.
 * tests/unit/difftest.c runs the scripts and has the commands pipe, poll,
 * close and write; the others are here.
 *
 * Script syntax: "CMD ARG..." where an argument is a number (strtol base
 * 0), flags joined by '|' (O_RDWR|O_CREAT), a path ('' is the empty path),
 * or $N for fd slot N. "open ... >N" stores the new fd in slot N.
 * Output per line: "= value", "= -ERRNO", or what the call returned (data
 * read, names listed, stat fields that do not depend on the filesystem
 * type). FS_TRACE=1 in the environment prints every line with its result.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <skiff/vfs.h>
#include "../../linux/fsabi.h"
#include "../../linux/sys.h"
#include "shim.h"
#include "difftest.h"

static const struct dt_name names[] = {
	{ "O_RDONLY", O_RDONLY }, { "O_WRONLY", O_WRONLY }, { "O_RDWR", O_RDWR },
	{ "O_CREAT", O_CREAT }, { "O_EXCL", O_EXCL }, { "O_TRUNC", O_TRUNC },
	{ "O_APPEND", O_APPEND }, { "O_NONBLOCK", O_NONBLOCK },
	{ "O_DIRECTORY", O_DIRECTORY }, { "O_NOFOLLOW", O_NOFOLLOW },
	{ "O_CLOEXEC", O_CLOEXEC }, { "O_PATH", O_PATH },
	{ "O_TMPFILE", O_TMPFILE },
	{ "AT_FDCWD", AT_FDCWD }, { "AT_REMOVEDIR", AT_REMOVEDIR },
	{ "AT_SYMLINK_NOFOLLOW", AT_SYMLINK_NOFOLLOW },
	{ "AT_EMPTY_PATH", AT_EMPTY_PATH }, { "AT_SYMLINK_FOLLOW", AT_SYMLINK_FOLLOW },
	{ "SEEK_SET", SEEK_SET }, { "SEEK_CUR", SEEK_CUR }, { "SEEK_END", SEEK_END },
	{ "SEEK_DATA", SEEK_DATA }, { "SEEK_HOLE", SEEK_HOLE },
	{ "F_GETFD", F_GETFD }, { "F_SETFD", F_SETFD }, { "F_GETFL", F_GETFL },
	{ "F_SETFL", F_SETFL }, { "F_DUPFD", F_DUPFD },
	{ "F_DUPFD_CLOEXEC", F_DUPFD_CLOEXEC },
	{ "RENAME_NOREPLACE", RENAME_NOREPLACE },
	{ "RENAME_EXCHANGE", RENAME_EXCHANGE },
	{ "R_OK", R_OK }, { "W_OK", W_OK }, { "X_OK", X_OK }, { "F_OK", F_OK },
};

/* A path argument: "''" is the empty string. */
static const char *path(const char *a)
{
	return strcmp(a, "''") == 0 ? "" : a;
}

/* The stat fields that do not depend on the host filesystem's type. */
static void show_stat(long r, const struct stat *st, char *out, size_t n)
{
	if (r < 0) {
		snprintf(out, n, "= %ld", r);
		return;
	}
	snprintf(out, n, "mode %o uid %u gid %u", st->st_mode, st->st_uid,
		 st->st_gid);
	if (!S_ISDIR(st->st_mode))
		snprintf(out + strlen(out), n - strlen(out), " nlink %lu size %ld",
			 (unsigned long)st->st_nlink, (long)st->st_size);
	if (S_ISREG(st->st_mode) && st->st_size == 0)
		snprintf(out + strlen(out), n - strlen(out), " blocks %ld",
			 (long)st->st_blocks);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* getdents64 until the end: the sorted "name/type" list. */
static void show_dir(struct dt_side *s, long fd, char *out, size_t n)
{
	static char buf[4096];
	char *list[256];
	int count = 0;
	long r;

	while ((r = DT_CALL(s, getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < r;) {
			char *d = buf + off;
			unsigned short reclen;

			memcpy(&reclen, d + 16, 2);
			assert_true(count < 256);
			assert_int_equal(reclen % 8, 0);
			if (asprintf(&list[count++], "%s/%d", d + 19, d[18]) < 0)
				fail();
			off += reclen;
		}
	}
	qsort(list, count, sizeof(list[0]), cmp_str);
	snprintf(out, n, "= %ld:", r);
	for (int i = 0; i < count; i++) {
		snprintf(out + strlen(out), n - strlen(out), " %s", list[i]);
		free(list[i]);
	}
}

static bool file_cmd(struct dt_side *s, const char *cmd, char **a, int ac,
		     char *out, size_t n)
{
	static char buf[1 << 17];
	long r;

	if (!strcmp(cmd, "open")) {
		r = DT_CALL(s, open, path(a[0]), dt_num(s, a[1]),
			    dt_num(s, a[2]));
		dt_keep_fd(s, r, a, ac, out, n);
	} else if (!strcmp(cmd, "openat")) {
		r = DT_CALL(s, openat, dt_num(s, a[0]), path(a[1]),
			    dt_num(s, a[2]), dt_num(s, a[3]));
		dt_keep_fd(s, r, a, ac, out, n);
	} else if (!strcmp(cmd, "creat")) {
		r = DT_CALL(s, creat, path(a[0]), dt_num(s, a[1]));
		dt_keep_fd(s, r, a, ac, out, n);
	} else if (!strcmp(cmd, "read") || !strcmp(cmd, "pread")) {
		memset(buf, '#', sizeof(buf));
		if (cmd[0] == 'r')
			r = DT_CALL(s, read, dt_num(s, a[0]), buf,
				    dt_num(s, a[1]));
		else
			r = DT_CALL(s, pread64, dt_num(s, a[0]), buf,
				    dt_num(s, a[1]), dt_num(s, a[2]));
		for (long i = 0; i < r; i++)
			buf[i] = buf[i] ? buf[i] : '0';
		snprintf(out, n, "= %ld: %.*s", r, r > 0 ? (int)r : 0, buf);
	} else if (!strcmp(cmd, "writen")) {
		static char zeros[1 << 17];

		r = DT_CALL(s, write, dt_num(s, a[0]), zeros, dt_num(s, a[1]));
		snprintf(out, n, "= %ld", r);
	} else if (!strcmp(cmd, "pwrite")) {
		r = DT_CALL(s, pwrite64, dt_num(s, a[0]), a[1], strlen(a[1]),
			    dt_num(s, a[2]));
		snprintf(out, n, "= %ld", r);
	} else if (!strcmp(cmd, "lseek")) {
		r = DT_CALL(s, lseek, dt_num(s, a[0]), dt_num(s, a[1]),
			    dt_num(s, a[2]));
		snprintf(out, n, "= %ld", r);
	} else if (!strcmp(cmd, "truncate")) {
		r = DT_CALL(s, truncate, path(a[0]), dt_num(s, a[1]));
		snprintf(out, n, "= %ld", r);
	} else if (!strcmp(cmd, "ftruncate")) {
		r = DT_CALL(s, ftruncate, dt_num(s, a[0]), dt_num(s, a[1]));
		snprintf(out, n, "= %ld", r);
	} else {
		return false;
	}
	return true;
}

static bool fd_cmd(struct dt_side *s, const char *cmd, char **a, int ac,
		   char *out, size_t n)
{
	long r;

	if (!strcmp(cmd, "dup")) {
		dt_keep_fd(s, DT_CALL(s, dup, dt_num(s, a[0])), a, ac, out, n);
	} else if (!strcmp(cmd, "dup2")) {
		r = DT_CALL(s, dup2, dt_num(s, a[0]), dt_num(s, a[1]));
		snprintf(out, n, "= %ld", r);
	} else if (!strcmp(cmd, "dup3")) {
		r = DT_CALL(s, dup3, dt_num(s, a[0]), dt_num(s, a[1]),
			    dt_num(s, a[2]));
		snprintf(out, n, "= %ld", r);
	} else if (!strcmp(cmd, "fcntl")) {
		long op = dt_num(s, a[1]);

		r = DT_CALL(s, fcntl, dt_num(s, a[0]), op, dt_num(s, a[2]));
		if (op == F_DUPFD || op == F_DUPFD_CLOEXEC)
			dt_keep_fd(s, r, a, ac, out, n);
		else
			snprintf(out, n, "= %#lo", r);
	} else if (!strcmp(cmd, "fallocate")) {
		r = DT_CALL(s, fallocate, dt_num(s, a[0]), dt_num(s, a[1]),
			    dt_num(s, a[2]), dt_num(s, a[3]));
		snprintf(out, n, "= %ld", r);
	} else if (!strcmp(cmd, "sendfile")) { /* OUT IN OFF|-1 COUNT */
		long off = dt_num(s, a[2]);

		r = DT_CALL(s, sendfile, dt_num(s, a[0]), dt_num(s, a[1]),
			    off < 0 ? NULL : &off, dt_num(s, a[3]));
		snprintf(out, n, "= %ld off %ld", r, off);
	} else if (!strcmp(cmd, "cfr")) { /* IN OFF|-1 OUT OFF|-1 LEN */
		long oi = dt_num(s, a[1]), oo = dt_num(s, a[3]);

		r = DT_CALL(s, copy_file_range, dt_num(s, a[0]),
			    oi < 0 ? NULL : &oi, dt_num(s, a[2]),
			    oo < 0 ? NULL : &oo, dt_num(s, a[4]), 0);
		snprintf(out, n, "= %ld offs %ld %ld", r, oi, oo);
	} else if (!strcmp(cmd, "umask")) {
		snprintf(out, n, "= %#lo", DT_CALL(s, umask, dt_num(s, a[0])));
	} else {
		return false;
	}
	return true;
}

static bool stat_cmd(struct dt_side *s, const char *cmd, char **a, int ac,
		     char *out, size_t n)
{
	struct stat st;
	long r;

	memset(&st, 0, sizeof(st));
	if (!strcmp(cmd, "stat"))
		r = DT_CALL(s, stat, path(a[0]), (void *)&st);
	else if (!strcmp(cmd, "lstat"))
		r = DT_CALL(s, lstat, path(a[0]), (void *)&st);
	else if (!strcmp(cmd, "fstat"))
		r = DT_CALL(s, fstat, dt_num(s, a[0]), (void *)&st);
	else if (!strcmp(cmd, "fstatat"))
		r = DT_CALL(s, newfstatat, dt_num(s, a[0]), path(a[1]),
			    (void *)&st, dt_num(s, a[2]));
	else
		return false;
	show_stat(r, &st, out, n);
	return true;
}

static bool name_cmd(struct dt_side *s, const char *cmd, char **a, int ac,
		     char *out, size_t n)
{
	char buf[PATH_MAX];
	long r;

	if (!strcmp(cmd, "mkdir"))
		r = DT_CALL(s, mkdir, path(a[0]), dt_num(s, a[1]));
	else if (!strcmp(cmd, "mkdirat"))
		r = DT_CALL(s, mkdirat, dt_num(s, a[0]), path(a[1]),
			    dt_num(s, a[2]));
	else if (!strcmp(cmd, "rmdir"))
		r = DT_CALL(s, rmdir, path(a[0]));
	else if (!strcmp(cmd, "unlink"))
		r = DT_CALL(s, unlink, path(a[0]));
	else if (!strcmp(cmd, "unlinkat"))
		r = DT_CALL(s, unlinkat, dt_num(s, a[0]), path(a[1]),
			    dt_num(s, a[2]));
	else if (!strcmp(cmd, "rename"))
		r = DT_CALL(s, rename, path(a[0]), path(a[1]));
	else if (!strcmp(cmd, "renameat2"))
		r = DT_CALL(s, renameat2, AT_FDCWD, path(a[0]), AT_FDCWD,
			    path(a[1]), dt_num(s, a[2]));
	else if (!strcmp(cmd, "symlink"))
		r = DT_CALL(s, symlink, path(a[0]), path(a[1]));
	else if (!strcmp(cmd, "link"))
		r = DT_CALL(s, link, path(a[0]), path(a[1]));
	else if (!strcmp(cmd, "linkat"))
		r = DT_CALL(s, linkat, AT_FDCWD, path(a[0]), AT_FDCWD,
			    path(a[1]), dt_num(s, a[2]));
	else if (!strcmp(cmd, "flink")) /* linkat(fd, "", AT_FDCWD, name) */
		r = DT_CALL(s, linkat, dt_num(s, a[0]), "", AT_FDCWD,
			    path(a[1]), AT_EMPTY_PATH);
	else if (!strcmp(cmd, "chdir"))
		r = DT_CALL(s, chdir, path(a[0]));
	else if (!strcmp(cmd, "fchdir"))
		r = DT_CALL(s, fchdir, dt_num(s, a[0]));
	else if (!strcmp(cmd, "access"))
		r = DT_CALL(s, access, path(a[0]), dt_num(s, a[1]));
	else if (!strcmp(cmd, "chmod"))
		r = DT_CALL(s, chmod, path(a[0]), dt_num(s, a[1]));
	else if (!strcmp(cmd, "readlink")) {
		r = DT_CALL(s, readlink, path(a[0]), buf, dt_num(s, a[1]));
		snprintf(out, n, "= %ld: %.*s", r, r > 0 ? (int)r : 0, buf);
		return true;
	} else if (!strcmp(cmd, "getcwd")) {
		r = DT_CALL(s, getcwd, buf, dt_num(s, a[0]));
		snprintf(out, n, "= %ld: %s", r > 0 ? r - (long)strlen(s->root) : r,
			 r > 0 ? buf + strlen(s->root) : "");
		return true;
	} else if (!strcmp(cmd, "ls")) {
		long fd = DT_CALL(s, open, path(a[0]),
				  O_RDONLY | O_DIRECTORY, 0);

		if (fd < 0) {
			snprintf(out, n, "= %ld", fd);
			return true;
		}
		show_dir(s, fd, out, n);
		DT_CALL(s, close, fd);
		return true;
	} else {
		return false;
	}
	snprintf(out, n, "= %ld", r);
	return true;
}

static bool (*const cmds[])(struct dt_side *, const char *, char **, int,
			    char *, size_t) = {
	dt_common_cmd, file_cmd, fd_cmd, stat_cmd, name_cmd, NULL
};

static const struct dt_suite suite = {
	.tmp_template = "/tmp/skiff-fs-XXXXXX",
	.trace_env = "FS_TRACE",
	.names = names,
	.nr_names = ARRAY_SIZE(names),
	.cmds = cmds,
};

static int setup(void **state)
{
	umask(022);
	return dt_setup(&suite);
}

static void test_files(void **state)
{
	static const char *const s[] = {
		"open f O_RDONLY 0",
		"open f O_WRONLY|O_CREAT 0666 >1",
		"fstat $1",
		"write $1 hello",
		"read $1 10",
		"close $1",
		"open f O_CREAT|O_EXCL|O_RDWR 0600",
		"open f O_RDWR >1",
		"read $1 3",
		"read $1 10",
		"read $1 10",
		"lseek $1 0 SEEK_CUR",
		"lseek $1 -2 SEEK_END",
		"read $1 10",
		"lseek $1 -100 SEEK_CUR",
		"lseek $1 0 7",
		"lseek $1 2 SEEK_DATA",
		"lseek $1 2 SEEK_HOLE",
		"lseek $1 9 SEEK_DATA",
		"pread $1 3 1",
		"pread $1 3 -1",
		"pwrite $1 XY 8",
		"stat f",
		"pread $1 20 0",
		"lseek $1 4096 SEEK_SET",
		"write $1 end",
		"stat f",
		"pread $1 4 4095",
		"truncate f 3",
		"pread $1 10 0",
		"truncate f -1",
		"ftruncate $1 6",
		"pread $1 10 0",
		"fcntl $1 F_GETFL 0",
		"open f O_RDONLY|O_APPEND >2",
		"write $2 x",
		"ftruncate $2 0",
		"fcntl $2 F_GETFL 0",
		"close $2",
		"open f O_WRONLY|O_APPEND >2",
		"write $2 app",
		"pwrite $2 P 0",
		"pread $1 20 0",
		"open f O_RDONLY|O_TRUNC >3",
		"stat f",
		"open f/ O_RDONLY 0",
		"open f/ O_RDONLY|O_CREAT 0644",
		"open new/ O_RDONLY|O_CREAT 0644",
		"open f O_RDONLY|O_DIRECTORY 0",
		"open nodir/f O_RDONLY|O_CREAT 0644",
		"creat c 0777",
		"stat c",
		"read 99 1",
		"write $3 x",
		"close 99",
		NULL,
	};
	dt_run_script("files", s);
}

static void test_dirs(void **state)
{
	static const char *const s[] = {
		"mkdir d 0755",
		"mkdir d 0755",
		"mkdir d/ 0755",
		"mkdir d/e/f 0755",
		"mkdir d/e 0700",
		"stat d/e",
		"mkdir . 0755",
		"mkdir .. 0755",
		"open d/f O_CREAT|O_WRONLY 0644 >1",
		"mkdir d/f/g 0755",
		"rmdir d",
		"rmdir d/f",
		"rmdir d/e/",
		"rmdir d/e",
		"rmdir d/.",
		"rmdir d/..",
		"rmdir nothere",
		"unlink d",
		"unlink d/",
		"unlink d/f/",
		"unlink d/f",
		"unlink d/f",
		"ls d",
		"ls .",
		"ls d/f",
		"mkdir d/x 0755",
		"mkdir d/y 0777",
		"open d/z O_CREAT|O_RDONLY 0644 >2",
		"symlink z d/l",
		"ls d",
		"stat d/y",
		"umask 077",
		"mkdir u 0777",
		"open uf O_CREAT|O_RDONLY 0777 >3",
		"umask 022",
		"stat u",
		"stat uf",
		"unlinkat AT_FDCWD d/x AT_REMOVEDIR",
		"unlinkat AT_FDCWD d/z AT_REMOVEDIR",
		"unlinkat AT_FDCWD d/y 0",
		"unlinkat AT_FDCWD d/y 4",
		"open d O_RDONLY|O_DIRECTORY >4",
		"mkdirat $4 sub 0755",
		"openat $4 sub/new O_CREAT|O_RDWR 0640 >5",
		"fstatat $4 sub/new 0",
		"openat $5 x O_RDONLY 0",
		"fstatat $5 '' AT_EMPTY_PATH",
		"fstatat $5 '' 0",
		"fstatat 99 x 0",
		"mkdir '' 0755",
		"stat ''",
		NULL,
	};
	dt_run_script("dirs", s);
}

static void test_paths(void **state)
{
	static const char *const s[] = {
		"mkdir a 0755",
		"mkdir a/b 0755",
		"open a/b/f O_CREAT|O_RDWR 0644 >1",
		"write $1 data",
		"stat a//b///f",
		"stat a/./b/../b/f",
		"stat a/b/f/",
		"stat a/b/f/.",
		"stat a/../",
		"symlink b a/lb",
		"symlink a/b/f lf",
		"symlink nowhere dangling",
		"symlink loop1 loop2",
		"symlink loop2 loop1",
		"stat a/lb/f",
		"lstat a/lb",
		"stat a/lb",
		"stat lf",
		"lstat lf",
		"stat dangling",
		"lstat dangling",
		"stat loop1",
		"stat loop1/x",
		"readlink lf 100",
		"readlink lf 3",
		"readlink a 100",
		"readlink nothere 100",
		"readlink lf 0",
		"open lf O_RDONLY|O_NOFOLLOW 0",
		"open lf O_RDONLY >2",
		"read $2 10",
		"open dangling O_CREAT|O_WRONLY 0644 >3",
		"stat nowhere",
		"open lf O_CREAT|O_EXCL|O_WRONLY 0644",
		"open a/lb/ O_RDONLY >4",
		"stat lf/",
		"symlink '' empty",
		"mkdir a/lb/c 0755",
		"stat a/b/c",
		"chdir a/lb",
		"getcwd 256",
		"getcwd 3",
		"chdir ..",
		"getcwd 256",
		"chdir ..",
		"chdir f",
		"chdir a/b/f",
		"chdir a/lb/",
		"chdir ../..",
		"getcwd 256",
		"access a/b/f F_OK",
		"access a/b/f X_OK",
		"access a/b X_OK",
		"access a/b/f 8",
		"chmod a/b/f 0755",
		"access a/b/f X_OK",
		"access nothere R_OK",
		NULL,
	};
	dt_run_script("paths", s);
}

static void test_rename(void **state)
{
	static const char *const s[] = {
		"open f O_CREAT|O_WRONLY 0644 >1",
		"write $1 one",
		"open g O_CREAT|O_WRONLY 0644 >2",
		"mkdir d 0755",
		"mkdir e 0755",
		"mkdir e/sub 0755",
		"rename f g",
		"stat f",
		"stat g",
		"rename g g",
		"rename g d",
		"rename d g",
		"rename d e",
		"rename d d/x",
		"rename e e/sub/x",
		"rename e/sub e",
		"rename d/ e/sub/",
		"ls e",
		"rename g/ h",
		"rename g h/",
		"rename nothere h",
		"rename g nodir/h",
		"rename . x",
		"rename g .",
		"link g hard",
		"stat g",
		"rename g hard",
		"stat g",
		"renameat2 hard e RENAME_NOREPLACE",
		"renameat2 hard new RENAME_NOREPLACE",
		"renameat2 new e RENAME_EXCHANGE",
		"lstat new",
		"lstat e",
		"renameat2 new missing RENAME_EXCHANGE",
		"renameat2 new e RENAME_EXCHANGE|RENAME_NOREPLACE",
		"renameat2 new e 8",
		"link new new2",
		"link e e2",
		"link nothere x",
		"linkat new sl 0",
		"symlink new sym",
		"linkat sym hsym 0",
		"linkat sym hfol AT_SYMLINK_FOLLOW",
		"lstat hsym",
		"lstat hfol",
		"read $1 10",
		"fstat $1",
		"open . O_TMPFILE|O_RDWR 0600 >3",
		"write $3 tmp",
		"fstat $3",
		"flink $3 named",
		"stat named",
		"flink $3 named2",
		"open . O_TMPFILE|O_RDWR|O_EXCL 0600 >4",
		"flink $4 named3",
		"open . O_TMPFILE 0600",
		"open named O_TMPFILE|O_RDWR 0600",
		"unlink g",
		"flink $1 g",
		NULL,
	};
	dt_run_script("rename", s);
}

/* An unlinked open file stays readable; fd table rules. */
static void test_fds(void **state)
{
	static const char *const s[] = {
		"open f O_CREAT|O_RDWR 0644 >1",
		"write $1 keep",
		"unlink f",
		"fstat $1",
		"pread $1 10 0",
		"dup $1 >2",
		"lseek $1 1 SEEK_SET",
		"read $2 10",
		"dup2 $1 $1",
		"dup2 99 50",
		"dup2 $1 -1",
		"dup3 $1 $1 0",
		"dup3 $1 40 O_CLOEXEC",
		"fcntl 40 F_GETFD 0",
		"dup3 $1 41 1",
		"dup2 $1 40",
		"fcntl 40 F_GETFD 0",
		"fcntl $1 F_SETFD 1",
		"fcntl $1 F_GETFD 0",
		"fcntl $1 F_DUPFD 100 >3",
		"fcntl $1 F_DUPFD_CLOEXEC 0 >4",
		"fcntl $4 F_GETFD 0",
		"fcntl $1 F_DUPFD -1",
		"fcntl $1 F_GETFL 0",
		"fcntl $1 F_SETFL O_APPEND|O_NONBLOCK|O_RDONLY",
		"fcntl $1 F_GETFL 0",
		"fcntl $1 9999 0",
		"fcntl 99 F_GETFD 0",
		"close 40",
		"close 40",
		"open . O_RDONLY|O_DIRECTORY >5",
		"fcntl $5 F_GETFL 0",
		"read $5 10",
		"write $5 x",
		"open . O_RDWR 0",
		"open . O_RDONLY|O_CREAT 0644",
		"open . O_PATH >6",
		"fcntl $6 F_GETFL 0",
		"read $6 1",
		"fstat $6",
		"fchdir $1",
		"fchdir 99",
		"pipe O_CLOEXEC >7",
		"fcntl $7 F_GETFL 0",
		"fcntl $8 F_GETFL 0",
		"fcntl $7 F_GETFD 0",
		"write $8 piped",
		"read $7 3",
		"read $7 10",
		"read $8 1",
		"write $7 x",
		"lseek $7 0 SEEK_CUR",
		"pread $7 1 0",
		"fstat $7",
		"close $8",
		"read $7 10",
		"pipe 1 >8",
		NULL,
	};
	dt_run_script("fds", s);
}

/* Pipe capacity: 16 pages, small writes merged into the newest one. */
static void test_pipe_slots(void **state)
{
	static const char *const s[] = {
		"pipe O_NONBLOCK >1",
		"writen $2 65530",
		"writen $2 10",
		"writen $2 5000",
		"writen $2 6",
		"writen $2 1",
		"read $1 5000",
		"writen $2 5000",
		"writen $2 4096",
		"read $1 100000",
		"read $1 1",
		"writen $2 100",
		"writen $2 100",
		"writen $2 4000",
		"writen $2 100000",
		"writen $2 1",
		"read $1 4200",
		"writen $2 4096",
		"writen $2 200",
		"poll $1 1",
		"poll $1 4",
		"poll $2 0x145",
		"poll 99 1",
		"poll -1 1",
		"close $1",
		"poll $2 0x145",
		"writen $2 1",
		"pipe 0 >3",
		"poll $3 0x145",
		"poll $4 0x145",
		"writen $4 1",
		"poll $3 0x145",
		"close $4",
		"poll $3 0x145",
		"read $3 2",
		"poll $3 0x145",
		"open f O_CREAT|O_RDWR 0644 >5",
		"poll $5 0x3ff",
		NULL,
	};
	dt_run_script("pipes", s);
}

/* Copies inside the kernel and file space. */
static void test_xfer(void **state)
{
	static const char *const s[] = {
		"open a O_CREAT|O_RDWR 0644 >1",
		"write $1 0123456789",
		"open b O_CREAT|O_RDWR 0644 >2",
		"sendfile $2 $1 -1 100",
		"sendfile $2 $1 2 5",
		"lseek $1 0 SEEK_SET",
		"sendfile $2 $1 -1 4",
		"pread $2 100 0",
		"sendfile $1 $2 0 1",
		"sendfile 99 $1 0 1",
		"open . O_RDONLY|O_DIRECTORY >3",
		"sendfile $2 $3 0 1",
		"pipe 0 >4",
		"sendfile $5 $1 0 3",
		"read $4 10",
		"sendfile $2 $4 -1 3",
		"cfr $1 0 $2 100 4",
		"pread $2 200 0",
		"cfr $1 -1 $2 -1 100",
		"cfr $1 0 $1 2 4",
		"cfr $1 0 $1 5 5",
		"cfr $1 0 $3 0 1",
		"cfr $1 0 $5 0 1",
		"open a O_RDONLY >6",
		"cfr $1 0 $6 0 1",
		"fallocate $1 0 0 20",
		"fstat $1",
		"fallocate $1 1 0 50",
		"fstat $1",
		"fallocate $1 0 -1 5",
		"fallocate $1 0 0 0",
		"fallocate $6 0 0 100",
		"fallocate $5 0 0 100",
		"fallocate $1 0x100 0 100",
		"fallocate 99 0 0 1",
		NULL,
	};
	dt_run_script("xfer", s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_dirs),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_fds),
		cmocka_unit_test(test_pipe_slots),
		cmocka_unit_test(test_xfer),
	};

	return cmocka_run_group_tests(tests, setup, dt_teardown);
}

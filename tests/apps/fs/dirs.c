/*
 * dirs: mkdir, mkdirat, rmdir and getdents64 through the raw system calls:
 * nested creation, listing (names and types, sorted: the order is the
 * filesystem's), small buffers, a listing that changes, and the errors
 * (EEXIST, ENOENT, ENOTDIR, ENOTEMPTY, EINVAL, EBADF).
 */
#include <stdint.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

struct kdirent64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *dtype(int t)
{
	return t == DT_DIR ? "dir" : t == DT_REG ? "file" : t == DT_LNK ? "symlink" :
	       t == DT_UNKNOWN ? "unknown" : "other";
}

/* Lists PATH with getdents64 and a buffer of BUFSZ bytes. */
static void list(const char *path, size_t bufsz)
{
	static char buf[8192], names[64][300];
	char *sorted[64];
	long n, calls = 0, i, count = 0, zero_ino = 0;
	int fd = open(path, O_RDONLY | O_DIRECTORY);

	if (fd < 0) {
		say("list %s: open %s", path, errname(errno));
		return;
	}
	while ((n = SYS(SYS_getdents64, fd, buf, bufsz)) > 0) {
		calls++;
		for (i = 0; i < n;) {
			struct kdirent64 *d = (struct kdirent64 *)(buf + i);

			if (count < 64)
				snprintf(names[count++], sizeof(names[0]), "%s %s",
					 d->name, dtype(d->type));
			zero_ino += d->ino == 0;
			i += d->reclen;
		}
	}
	say("list %s (buffer %zu): last getdents64 = %ld, %ld entries", path, bufsz, n, count);
	if (bufsz < 100)
		yes("  several entries per call", calls < count);
	if (zero_ino)
		say("  entries with inode 0: %ld", zero_ino);
	for (i = 0; i < count; i++)
		sorted[i] = names[i];
	qsort(sorted, count, sizeof(sorted[0]), cmp);
	for (i = 0; i < count; i++)
		say("  %s", sorted[i]);
	close(fd);
}

static void make(void)
{
	int dfd;

	SHOW(SYS(SYS_mkdir, "a", 0755));
	SHOW(SYS(SYS_mkdir, "a", 0755));
	SHOW(SYS(SYS_mkdir, "a/b", 0700));
	SHOW(SYS(SYS_mkdir, "a/b/c", 0777));
	SHOW(SYS(SYS_mkdir, "x/y", 0755));
	SHOW(SYS(SYS_mkdir, "", 0755));
	SHOW(SYS(SYS_mkdir, NULL, 0755));
	SHOW(SYS(SYS_mkdir, "a/b/c/", 0755));
	SHOW(SYS(SYS_mkdir, "new/", 0755));
	close(open("file", O_CREAT | O_WRONLY, 0644));
	SHOW(SYS(SYS_mkdir, "file", 0755));
	SHOW(SYS(SYS_mkdir, "file/sub", 0755));
	dfd = SHOW(open("a", O_RDONLY | O_DIRECTORY));
	SHOW(SYS(SYS_mkdirat, dfd, "at", 0755));
	SHOW(SYS(SYS_mkdirat, dfd, "at", 0755));
	SHOW(SYS(SYS_mkdirat, AT_FDCWD, "a/at2", 0755));
	SHOW(SYS(SYS_mkdirat, 99, "z", 0755));
	SHOW(SYS(SYS_mkdirat, 99, "/tmp/skiff-test-dirs/abs", 0755));
	close(dfd);
}

static void remove_(void)
{
	SHOW(SYS(SYS_rmdir, "a"));
	SHOW(SYS(SYS_rmdir, "a/b"));
	SHOW(SYS(SYS_rmdir, "a/b/c"));
	SHOW(SYS(SYS_rmdir, "a/b/c"));
	SHOW(SYS(SYS_rmdir, "file"));
	SHOW(SYS(SYS_rmdir, "a/b/."));
	SHOW(SYS(SYS_rmdir, "a/b/.."));
	SHOW(SYS(SYS_rmdir, "missing"));
	SHOW(SYS(SYS_rmdir, "a/b"));
	SHOW(SYS(SYS_rmdir, "new/"));
	SHOW(SYS(SYS_rmdir, NULL));
}

int main(void)
{
	int i, fd;
	char name[32];

	umask(022);
	scratch_enter("dirs");
	make();
	list(".", 8192);
	list("a", 8192);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "a/b/many-%02d", i);
		close(open(name, O_CREAT | O_WRONLY, 0644));
	}
	list("a/b", 8192);
	list("a/b", 64);
	fd = open("a/b", O_RDONLY | O_DIRECTORY);
	SHOW(SYS(SYS_getdents64, fd, name, 8));
	SHOW(SYS(SYS_getdents64, fd, NULL, 4096));
	SHOW(SYS(SYS_getdents64, 99, name, sizeof(name)));
	close(fd);
	fd = open("file", O_RDONLY);
	SHOW(SYS(SYS_getdents64, fd, name, sizeof(name)));
	close(fd);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "a/b/many-%02d", i);
		unlink(name);
	}
	remove_();
	list(".", 8192);
	scratch_leave();
	return 0;
}

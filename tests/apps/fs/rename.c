/*
 * rename: rename, renameat, renameat2, unlink and unlinkat through the raw
 * system calls: files and directories moved and replaced, the cases Linux
 * refuses (EISDIR, ENOTDIR, ENOTEMPTY, EINVAL, EEXIST, ENOENT), and that
 * an unlinked file stays readable through an open descriptor.
 */
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#endif

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (write(fd, text, strlen(text)) < 0)
		say("write %s failed", path);
	close(fd);
}

static void get(const char *path)
{
	char buf[64] = { 0 };
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		say("  %s: %s", path, errname(errno));
		return;
	}
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		say("read %s failed", path);
	say("  %s: \"%s\"", path, buf);
	close(fd);
}

static void files(void)
{
	put("f1", "one");
	put("f2", "two");
	mkdir("d", 0755);
	mkdir("d/sub", 0755);
	mkdir("e", 0755);
	SHOW(SYS(SYS_rename, "f1", "g1"));
	get("f1");
	get("g1");
	SHOW(SYS(SYS_rename, "g1", "f2"));
	get("f2");
	get("g1");
	SHOW(SYS(SYS_rename, "f2", "f2"));
	SHOW(SYS(SYS_rename, "missing", "x"));
	SHOW(SYS(SYS_rename, "f2", "nodir/x"));
	SHOW(SYS(SYS_rename, "f2", "d"));
	SHOW(SYS(SYS_rename, "d", "f2"));
	SHOW(SYS(SYS_rename, "e", "d"));
	SHOW(SYS(SYS_rename, "d", "d/sub/inside"));
	SHOW(SYS(SYS_rename, "d/sub", "e"));
	SHOW(SYS(SYS_rename, "e", "e2"));
	SHOW(SYS(SYS_rename, "f2", "e2/moved"));
	get("e2/moved");
	SHOW(SYS(SYS_rename, "e2", "."));
	SHOW(SYS(SYS_rename, NULL, "x"));
}

static void at(void)
{
	int dfd = open("e2", O_RDONLY | O_DIRECTORY);

	SHOW(SYS(SYS_renameat, dfd, "moved", AT_FDCWD, "back"));
	get("back");
	SHOW(SYS(SYS_renameat, AT_FDCWD, "back", dfd, "again"));
	SHOW(SYS(SYS_renameat, 99, "again", dfd, "x"));
	put("other", "other");
	SHOW(SYS(SYS_renameat2, dfd, "again", AT_FDCWD, "other", RENAME_NOREPLACE));
	SHOW(SYS(SYS_renameat2, dfd, "again", AT_FDCWD, "fresh", RENAME_NOREPLACE));
	SHOW(SYS(SYS_renameat2, AT_FDCWD, "fresh", AT_FDCWD, "other", 0));
	get("other");
	SHOW(SYS(SYS_renameat2, AT_FDCWD, "other", AT_FDCWD, "x",
		 RENAME_NOREPLACE | RENAME_EXCHANGE));
	SHOW(SYS(SYS_renameat2, AT_FDCWD, "other", AT_FDCWD, "x", 0x100));
	close(dfd);
}

static void unlinks(void)
{
	char buf[16] = { 0 };
	int fd;

	put("u", "still here");
	fd = open("u", O_RDONLY);
	SHOW(SYS(SYS_unlink, "u"));
	SHOW(SYS(SYS_unlink, "u"));
	SHOW(read(fd, buf, sizeof(buf) - 1));
	say("  read after unlink: \"%s\"", buf);
	close(fd);
	SHOW(SYS(SYS_unlink, "e2"));
	SHOW(SYS(SYS_unlink, "other/x"));
	SHOW(SYS(SYS_unlink, "missing"));
	SHOW(SYS(SYS_unlink, ""));
	fd = open("e2", O_RDONLY | O_DIRECTORY);
	put("e2/f", "f");
	mkdir("e2/sub", 0755);
	SHOW(SYS(SYS_unlinkat, fd, "sub", 0));
	SHOW(SYS(SYS_unlinkat, fd, "f", AT_REMOVEDIR));
	SHOW(SYS(SYS_unlinkat, fd, "f", 0));
	SHOW(SYS(SYS_unlinkat, fd, "sub", AT_REMOVEDIR));
	SHOW(SYS(SYS_unlinkat, fd, "sub", 0x1));
	SHOW(SYS(SYS_unlinkat, 99, "sub", 0));
	SHOW(SYS(SYS_unlinkat, AT_FDCWD, "e2", AT_REMOVEDIR));
	close(fd);
	SHOW(SYS(SYS_unlink, "other"));
	SHOW(SYS(SYS_rmdir, "d"));
}

int main(void)
{
	scratch_enter("rename");
	files();
	at();
	unlinks();
	scratch_leave();
	return 0;
}

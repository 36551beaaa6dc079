/*
 * files: open, openat, read, write, lseek and close through the raw system
 * calls on files in the ramfs: creation flags, offsets, append mode, holes,
 * and the errors (ENOENT, EEXIST, EISDIR, ENOTDIR, EBADF, EINVAL, EFAULT).
 */
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static void basic(void)
{
	char buf[64] = { 0 };
	int fd;

	fd = SHOW(SYS(SYS_open, "a", O_RDWR | O_CREAT | O_EXCL, 0644));
	SHOW(SYS(SYS_write, fd, "hello, world\n", 13));
	SHOW(SYS(SYS_lseek, fd, 0, SEEK_CUR));
	SHOW(SYS(SYS_read, fd, buf, sizeof(buf)));
	SHOW(SYS(SYS_lseek, fd, 7, SEEK_SET));
	SHOW(SYS(SYS_read, fd, buf, 5));
	say("read: \"%s\"", buf);
	SHOW(SYS(SYS_lseek, fd, -3L, SEEK_END));
	SHOW(SYS(SYS_read, fd, buf, sizeof(buf)));
	SHOW(SYS(SYS_lseek, fd, 0, SEEK_END));
	SHOW(SYS(SYS_lseek, fd, -1L, SEEK_SET));
	SHOW(SYS(SYS_lseek, fd, 0, 7));
	SHOW(SYS(SYS_lseek, fd, 100, SEEK_SET));
	SHOW(SYS(SYS_write, fd, "X", 1));
	SHOW(SYS(SYS_lseek, fd, 0, SEEK_END));
	SHOW(SYS(SYS_lseek, fd, 50, SEEK_SET));
	memset(buf, 'z', sizeof(buf));
	SHOW(SYS(SYS_read, fd, buf, 4));
	say("hole reads %d %d %d %d", buf[0], buf[1], buf[2], buf[3]);
	SHOW(SYS(SYS_read, fd, NULL, 4));
	SHOW(SYS(SYS_write, fd, (void *)16, 4));
	SHOW(SYS(SYS_read, fd, buf, 0));
	SHOW(SYS(SYS_close, fd));
	SHOW(SYS(SYS_close, fd));
	SHOW(SYS(SYS_read, fd, buf, 1));
	SHOW(SYS(SYS_write, -1, buf, 1));
	SHOW(SYS(SYS_lseek, 12345, 0, SEEK_SET));
}

static void flags(void)
{
	char buf[64] = { 0 };
	int fd;

	SHOW(SYS(SYS_open, "a", O_RDWR | O_CREAT | O_EXCL, 0644));
	SHOW(SYS(SYS_open, "missing", O_RDONLY));
	SHOW(SYS(SYS_open, "missing/x", O_RDONLY | O_CREAT, 0644));
	SHOW(SYS(SYS_open, "a/x", O_RDONLY));
	SHOW(SYS(SYS_open, ".", O_WRONLY));
	SHOW(SYS(SYS_open, ".", O_RDONLY | O_CREAT, 0644));
	SHOW(SYS(SYS_open, "a", O_RDONLY | O_DIRECTORY));
	SHOW(SYS(SYS_open, "", O_RDONLY));
	SHOW(SYS(SYS_open, NULL, O_RDONLY));
	fd = SHOW(SYS(SYS_open, "a", O_WRONLY | O_APPEND));
	SHOW(SYS(SYS_lseek, fd, 0, SEEK_SET));
	SHOW(SYS(SYS_write, fd, "appended", 8));
	SHOW(SYS(SYS_lseek, fd, 0, SEEK_CUR));
	SHOW(SYS(SYS_read, fd, buf, 1));
	SHOW(SYS(SYS_close, fd));
	fd = SHOW(SYS(SYS_open, "a", O_RDONLY));
	SHOW(SYS(SYS_write, fd, "x", 1));
	SHOW(SYS(SYS_lseek, fd, 101, SEEK_SET));
	SHOW(SYS(SYS_read, fd, buf, sizeof(buf)));
	say("after the hole: \"%s\"", buf);
	SHOW(SYS(SYS_close, fd));
	fd = SHOW(SYS(SYS_open, "a", O_RDWR | O_TRUNC));
	SHOW(SYS(SYS_lseek, fd, 0, SEEK_END));
	SHOW(SYS(SYS_close, fd));
	fd = SHOW(SYS(SYS_open, "a", O_RDONLY | O_CLOEXEC));
	SHOW(fcntl(fd, F_GETFD));
	SHOW(SYS(SYS_close, fd));
	SHOW(SYS(SYS_creat, "b", 0600));
	SHOW(SYS(SYS_close, 3));
}

static void at(void)
{
	int dfd, fd;

	SHOW(mkdir("d", 0755));
	dfd = SHOW(SYS(SYS_openat, AT_FDCWD, "d", O_RDONLY | O_DIRECTORY));
	fd = SHOW(SYS(SYS_openat, dfd, "inner", O_WRONLY | O_CREAT, 0644));
	SHOW(SYS(SYS_write, fd, "in d", 4));
	SHOW(SYS(SYS_close, fd));
	fd = SHOW(SYS(SYS_openat, AT_FDCWD, "d/inner", O_RDONLY));
	SHOW(SYS(SYS_close, fd));
	fd = SHOW(SYS(SYS_openat, dfd, "/tmp/skiff-test-files/a", O_RDONLY));
	SHOW(SYS(SYS_close, fd));
	SHOW(SYS(SYS_openat, 99, "inner", O_RDONLY));
	fd = SHOW(SYS(SYS_openat, AT_FDCWD, "a", O_RDONLY));
	SHOW(SYS(SYS_openat, fd, "inner", O_RDONLY));
	SHOW(SYS(SYS_close, fd));
	SHOW(SYS(SYS_openat, dfd, "..", O_RDONLY | O_DIRECTORY));
	SHOW(SYS(SYS_close, 4));
	SHOW(SYS(SYS_close, dfd));
}

int main(void)
{
	scratch_enter("files");
	basic();
	flags();
	at();
	scratch_leave();
	return 0;
}

/*
 * fd: dup, dup2, dup3 and fcntl through the raw system calls: lowest free
 * descriptor, shared offsets and status flags, close-on-exec per
 * descriptor, F_DUPFD bounds, and the errors Linux gives.
 */
#include <sys/resource.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static void dups(void)
{
	char c;
	int fd, d;

	fd = SHOW(open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SHOW(write(fd, "abcdef", 6));
	SHOW(lseek(fd, 1, SEEK_SET));
	d = SHOW(SYS(SYS_dup, fd));
	SHOW(read(d, &c, 1));
	say("  read '%c' through the dup", c);
	SHOW(lseek(fd, 0, SEEK_CUR));
	SHOW(SYS(SYS_dup, 99));
	SHOW(SYS(SYS_dup, -1));
	SHOW(SYS(SYS_dup2, fd, 10));
	SHOW(SYS(SYS_dup2, fd, fd));
	SHOW(SYS(SYS_dup2, 99, 99));
	SHOW(SYS(SYS_dup2, 99, 10));
	SHOW(SYS(SYS_dup2, fd, -1));
	SHOW(SYS(SYS_dup2, fd, 1 << 20));
	SHOW(SYS(SYS_dup3, fd, 10, O_CLOEXEC));
	SHOW(SYS(SYS_fcntl, 10, F_GETFD));
	SHOW(SYS(SYS_dup3, fd, 11, 0));
	SHOW(SYS(SYS_fcntl, 11, F_GETFD));
	SHOW(SYS(SYS_dup3, fd, fd, 0));
	SHOW(SYS(SYS_dup3, fd, 12, O_NONBLOCK));
	SHOW(SYS(SYS_dup3, 99, 12, 0));
	SHOW(SYS(SYS_close, 10));
	SHOW(SYS(SYS_close, 11));
	SHOW(SYS(SYS_close, d));
	SHOW(SYS(SYS_dup, fd));
	SHOW(SYS(SYS_close, 4));
	SHOW(SYS(SYS_close, fd));
}

static void fcntls(void)
{
	struct rlimit rl;
	int fd;

	fd = SHOW(open("f", O_RDONLY));
	SHOW(SYS(SYS_fcntl, fd, F_GETFD));
	SHOW(SYS(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC));
	SHOW(SYS(SYS_fcntl, fd, F_GETFD));
	SHOW(SYS(SYS_fcntl, fd, F_SETFD, 0));
	SHOW(SYS(SYS_fcntl, fd, F_GETFD));
	say("F_GETFL & ~O_LARGEFILE = %#lo", SYS(SYS_fcntl, fd, F_GETFL) & ~0100000L);
	SHOW(SYS(SYS_fcntl, fd, F_SETFL, O_NONBLOCK | O_APPEND | O_CREAT | O_TRUNC));
	say("F_GETFL & ~O_LARGEFILE = %#lo", SYS(SYS_fcntl, fd, F_GETFL) & ~0100000L);
	SHOW(SYS(SYS_fcntl, fd, F_SETFL, 0));
	say("F_GETFL & ~O_LARGEFILE = %#lo", SYS(SYS_fcntl, fd, F_GETFL) & ~0100000L);
	SHOW(SYS(SYS_fcntl, fd, F_DUPFD, 20));
	SHOW(SYS(SYS_fcntl, fd, F_DUPFD, 20));
	SHOW(SYS(SYS_fcntl, 20, F_GETFD));
	SHOW(SYS(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 0));
	SHOW(SYS(SYS_fcntl, 4, F_GETFD));
	SHOW(SYS(SYS_fcntl, fd, F_DUPFD, -1));
	getrlimit(RLIMIT_NOFILE, &rl);
	SHOW(SYS(SYS_fcntl, fd, F_DUPFD, (long)rl.rlim_cur));
	SHOW(SYS(SYS_fcntl, 99, F_GETFD));
	SHOW(SYS(SYS_fcntl, fd, 9999));
	SHOW(SYS(SYS_close, 4));
	SHOW(SYS(SYS_close, 20));
	SHOW(SYS(SYS_close, 21));
	SHOW(SYS(SYS_close, fd));
	fd = SHOW(open("f", O_WRONLY | O_APPEND));
	say("F_GETFL & ~O_LARGEFILE = %#lo", SYS(SYS_fcntl, fd, F_GETFL) & ~0100000L);
	SHOW(SYS(SYS_close, fd));
	fd = SHOW(open(".", O_RDONLY | O_DIRECTORY));
	say("F_GETFL & ~O_LARGEFILE = %#lo", SYS(SYS_fcntl, fd, F_GETFL) & ~0100000L);
	SHOW(SYS(SYS_close, fd));
}

static void stdio_fds(void)
{
	int d;

	/* descriptors 0-2 exist and dup like any other */
	d = SHOW(SYS(SYS_dup, 1));
	SHOW(SYS(SYS_write, d, "written through dup(1)\n", 23));
	SHOW(SYS(SYS_close, d));
	SHOW(SYS(SYS_fcntl, 0, F_GETFD));
	SHOW(SYS(SYS_fcntl, 1, F_GETFD));
	SHOW(SYS(SYS_fcntl, 2, F_GETFD));
	SHOW(SYS(SYS_fcntl, 3, F_GETFD));
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	scratch_enter("fd");
	stdio_fds();
	dups();
	fcntls();
	scratch_leave();
	return 0;
}

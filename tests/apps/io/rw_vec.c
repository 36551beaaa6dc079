/*
 * rw_vec: readv, writev, pread64 and pwrite64: scatter and gather across
 * several buffers, positional I/O that leaves the file offset alone, and
 * the errors (bad iovec count, negative offset, bad pointers, pipes).
 */
#include <limits.h>
#include <sys/uio.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

int main(void)
{
	char a[4], b[8], c[16], buf[64] = { 0 };
	struct iovec w[3] = {
		{ "abc", 3 }, { "", 0 }, { "defghijklmnop", 13 },
	};
	struct iovec r[3] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };
	struct iovec bad[2] = { { "ok", 2 }, { (void *)16, 4 } };
	int fd, p[2];

	scratch_enter("rw_vec");
	fd = SHOW(SYS(SYS_open, "f", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SHOW(SYS(SYS_writev, fd, w, 3));
	SHOW(SYS(SYS_writev, fd, w, 0));
	SHOW(SYS(SYS_lseek, fd, 0L, SEEK_SET));
	SHOW(SYS(SYS_readv, fd, r, 3));
	say("a=%.4s b=%.8s c=%.4s", a, b, c);
	SHOW(SYS(SYS_readv, fd, r, 3));
	SHOW(SYS(SYS_readv, fd, r, -1));
	SHOW(SYS(SYS_readv, fd, r, IOV_MAX + 1));
	SHOW(SYS(SYS_writev, fd, NULL, 1));
	SHOW(SYS(SYS_writev, fd, bad, 2));
	SHOW(SYS(SYS_readv, 77, r, 3));

	SHOW(SYS(SYS_pwrite64, fd, "XY", 2L, 4L));
	SHOW(SYS(SYS_lseek, fd, 0L, SEEK_CUR));
	SHOW(SYS(SYS_pread64, fd, buf, 6L, 2L));
	say("pread: \"%s\"", buf);
	SHOW(SYS(SYS_pread64, fd, buf, 10L, 100L));
	SHOW(SYS(SYS_pwrite64, fd, "far", 3L, 30L));
	SHOW(SYS(SYS_lseek, fd, 0L, SEEK_END));
	SHOW(SYS(SYS_pread64, fd, buf, 5L, -1L));
	SHOW(SYS(SYS_pwrite64, fd, buf, 5L, -1L));
	SHOW(SYS(SYS_pread64, fd, NULL, 5L, 0L));
	SHOW(SYS(SYS_pread64, 77, buf, 5L, 0L));
	SHOW(SYS(SYS_close, fd));
	fd = SHOW(SYS(SYS_open, "f", O_WRONLY | O_APPEND));
	/* Linux appends even with an offset given (a documented bug) */
	SHOW(SYS(SYS_pwrite64, fd, "!", 1L, 0L));
	SHOW(SYS(SYS_lseek, fd, 0L, SEEK_END));
	SHOW(SYS(SYS_pread64, fd, buf, 1L, 0L));
	SHOW(SYS(SYS_close, fd));

	SHOW(pipe(p));
	SHOW(SYS(SYS_pwrite64, p[1], "x", 1L, 0L));
	SHOW(SYS(SYS_pread64, p[0], buf, 1L, 0L));
	SHOW(SYS(SYS_writev, p[1], w, 3));
	memset(buf, 0, sizeof(buf));
	SHOW(SYS(SYS_read, p[0], buf, sizeof(buf)));
	say("through the pipe: \"%s\"", buf);
	close(p[0]);
	close(p[1]);
	scratch_leave();
	return 0;
}

/*
 * read_half_readonly: a read into a buffer whose head is writable and whose
 * tail is read-only returns the short count Linux returns (a regular file
 * or /dev/zero: the bytes up to the read-only page; a pipe: EFAULT, its
 * data kept). Reproducer: Skiff failed the whole read with EFAULT.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include "check.h"

int main(void)
{
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *buf = m + 4096 - 100, data[1000];
	int p[2];

	memset(data, 'x', sizeof(data));
	mprotect(m + 4096, 4096, PROT_READ);
	int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	SHOW(write(fd, data, sizeof(data)));
	SHOW(lseek(fd, 0, SEEK_SET));
	SHOW(read(fd, buf, 1000));
	SHOW(lseek(fd, 0, SEEK_CUR));
	SHOW(pread(fd, buf, 1000, 0));
	SHOW(pread(fd, buf, 1000, 950));
	SHOW(read(fd, m + 4096, 10));
	struct iovec iov[2] = { { m + 4000, 50 }, { m + 4096, 50 } };
	SHOW(lseek(fd, 0, SEEK_SET));
	SHOW(readv(fd, iov, 2));
	SHOW(open("/dev/zero", O_RDONLY) >= 0);
	int z = open("/dev/zero", O_RDONLY);
	SHOW(read(z, buf, 1000));
	SHOW(pipe(p));
	SHOW(write(p[1], data, 1000));
	SHOW(read(p[0], buf, 1000));
	SHOW(read(p[0], data, 1000));
	return 0;
}

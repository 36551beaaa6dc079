/*
 * memfd: memfd_create(2) makes an unnamed memory file: it grows with
 * ftruncate, reads back what write and a MAP_SHARED mapping stored, shows
 * as "/memfd:NAME (deleted)" in /proc/self/fd, keeps MFD_CLOEXEC as
 * FD_CLOEXEC; bad flags and a too-long name are EINVAL, a bad name
 * pointer EFAULT. MAP_SHARED of /dev/zero is zeroed shared memory.
 */
#include <sys/mman.h>
#include "check.h"

#define PG 4096

int main(void)
{
	char buf[64] = "", link[64] = "", path[32], name[300];
	int fd = SHOW(memfd_create("test", MFD_CLOEXEC));

	SHOW(fcntl(fd, F_GETFD));
	SHOW(ftruncate(fd, 2 * PG));
	SHOW(write(fd, "written", 7));
	char *m = SHOW_PTR(mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED,
				fd, 0), MAP_FAILED);
	say("  mapping sees \"%.7s\"", m);
	memcpy(m + PG, "mapped", 6);
	SHOW(pread(fd, buf, 6, PG));
	say("  pread sees \"%.6s\"", buf);
	struct stat st;
	SHOW(fstat(fd, &st));
	say("  size %ld, regular %d, links %ld", (long)st.st_size,
	    S_ISREG(st.st_mode), (long)st.st_nlink);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	SHOW(readlink(path, link, sizeof(link) - 1));
	say("  %s", link);
	int fd2 = SHOW(memfd_create("other", 0));
	SHOW(fcntl(fd2, F_GETFD));
	SHOW(read(fd2, buf, 8));
	SHOW(memfd_create("x", 0x100));
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	SHOW(memfd_create(name, 0));
	SHOW(memfd_create((char *)8, 0));
	int z = SHOW(open("/dev/zero", O_RDWR));
	char *a = SHOW_PTR(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, z, 0),
			   MAP_FAILED);
	say("  /dev/zero shared: first byte %d", a[0]);
	a[0] = 7;
	say("  stored %d", a[0]);
	return 0;
}

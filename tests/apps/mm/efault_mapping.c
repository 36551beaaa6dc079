/*
 * efault_mapping: a syscall handed memory that is mapped but cannot be
 * read (a private file mapping past the end of its file) fails with
 * EFAULT, as on Linux: the kernel's copy faults, and the fault is the
 * syscall's error, not a crash of the kernel or of the program. Also
 * buffers in PROT_NONE and read-only memory.
 * Reproducer: before the uaccess fixups, Skiff killed the program with
 * SIGBUS here.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "check.h"

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	int p[2], fd;
	char buf[16];

	scratch_enter("efault_mapping");
	fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "0123456789", 10) != 10 || pipe(p) != 0)
		return 1;
	char *m = mmap(NULL, 3 * pg, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return 1;
	SHOW(write(p[1], m, 4));
	SHOW(write(p[1], m + 2 * pg, 4));	/* past the end of the file */
	SHOW(read(p[0], buf, sizeof(buf)));
	SHOW(read(fd, m, 4));			/* into read-only memory */

	char *none = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SHOW(write(p[1], none, 4));
	SHOW(pwrite(fd, m + pg, 1, 0));		/* page 1: past the end too */
	munmap(m, 3 * pg);
	munmap(none, pg);
	close(fd);
	scratch_leave();
	return 0;
}

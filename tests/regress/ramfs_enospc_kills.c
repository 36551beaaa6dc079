/*
 * ramfs_enospc_kills: after the file system refuses more data (ENOSPC),
 * the program must still be able to use fresh memory of its own.
 * Reproducer (issue 8, item 6): filling the ramfs under -m 256M gave a
 * short write and ENOSPC, and the program was then killed ("out of
 * memory: no page for address") at its next page fault. The ramfs is now
 * capped at half of RAM, as Linux's tmpfs. Natively the 200 MiB go to a
 * scratch directory under /tmp and usually fit; in Skiff they pass the
 * cap: either way the write loop ends well ("filled, or ENOSPC"), and
 * only that is printed.
 */
/* SKIFF: -m 256M */
#include <sys/mman.h>
#include "check.h"

#define TOTAL (200l << 20)
#define CHUNK (1l << 20)
#define FRESH (64l << 20)

static char buf[CHUNK];

int main(void)
{
	long done = 0, bad = 0;
	int fd, err = 0;
	char *m;

	scratch_enter("ramfs_enospc_kills");
	memset(buf, 'x', sizeof(buf));
	fd = open("fill", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	while (done < TOTAL) {
		ssize_t n = write(fd, buf, CHUNK);

		if (n < 0) {
			err = errno;
			break;
		}
		done += n;
	}
	yes("filled, or stopped by ENOSPC", err == 0 || err == ENOSPC);
	/* Fresh pages of the program's own, faulted in one by one. */
	m = mmap(NULL, FRESH, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	yes("mmap of fresh memory", m != MAP_FAILED);
	if (m != MAP_FAILED) {
		for (long i = 0; i < FRESH; i += 4096)
			m[i] = (char)i;
		for (long i = 0; i < FRESH; i += 4096)
			bad += m[i] != (char)i;
		yes("fresh memory usable after the fill", bad == 0);
	}
	SHOW(close(fd));
	SHOW(unlink("fill"));
	/* The space comes back with the file. */
	fd = open("again", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	SHOW(write(fd, buf, CHUNK));
	SHOW(close(fd));
	scratch_leave();
	return 0;
}

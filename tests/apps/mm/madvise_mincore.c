/*
 * madvise_mincore: mincore reports which anonymous pages were touched;
 * MADV_DONTNEED really frees them: mincore says not resident, VmRSS in
 * /proc/self/status drops, reads give zeros; on a modified MAP_PRIVATE
 * file mapping it brings back the file's contents; the other advice
 * values succeed; errors for bad advice, alignment and unmapped ranges.
 */
#include <sys/mman.h>
#include "check.h"

#define PG 4096UL

static long rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static void core(const char *what, char *p, size_t n)
{
	unsigned char vec[16];

	mincore(p, n * PG, vec);
	printf("%s: mincore", what);
	for (size_t i = 0; i < n; i++)
		printf(" %d", vec[i] & 1);
	printf("\n");
}

int main(void)
{
	char *p, *big, *f;
	size_t bigsz = 32UL << 20;
	long before, after;
	int fd, zero = 1;
	unsigned char vec[4];

	p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	core("fresh", p, 8);
	p[0] = p[2 * PG] = p[5 * PG + 7] = 1;
	core("pages 0, 2, 5 written", p, 8);
	SHOW(madvise(p, 8 * PG, MADV_DONTNEED));
	core("after MADV_DONTNEED", p, 8);
	say("  reads %d %d %d", p[0], p[2 * PG], p[5 * PG + 7]);

	big = mmap(NULL, bigsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(big, 0x5a, bigsz);
	before = rss_kb();
	SHOW(madvise(big, bigsz, MADV_DONTNEED));
	after = rss_kb();
	yes("VmRSS dropped by at least 24 MiB", before > 0 && after >= 0 &&
						  before - after >= 24 * 1024);
	for (size_t i = 0; i < bigsz; i += PG)
		zero &= big[i] == 0;
	yes("  and the pages read as zero", zero);

	scratch_enter("madvise_mincore");
	fd = open("f", O_RDWR | O_CREAT, 0644);
	if (write(fd, "filedata", 8) != 8)
		return 1;
	f = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	memcpy(f, "CHANGED!", 8);
	SHOW(madvise(f, PG, MADV_DONTNEED));
	say("  private file page after MADV_DONTNEED: %.8s", f);
	close(fd);
	scratch_leave();

	SHOW(madvise(p, PG, MADV_NORMAL));
	SHOW(madvise(p, PG, MADV_RANDOM));
	SHOW(madvise(p, PG, MADV_SEQUENTIAL));
	SHOW(madvise(p, PG, MADV_WILLNEED));
	SHOW(madvise(p, PG, MADV_FREE));
	SHOW(madvise(p, PG, 12345));
	SHOW(madvise(p + 1, PG, MADV_DONTNEED));
	munmap(p + 4 * PG, PG);
	SHOW(madvise(p, 8 * PG, MADV_NORMAL));
	SHOW(mincore(p + 1, PG, vec));
	SHOW(mincore(p, 8 * PG, vec));
	SHOW(mincore(p, PG, NULL));
	return 0;
}

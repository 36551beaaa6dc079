/*
 * mremap_fixed_overlap: mremap(MREMAP_FIXED|MREMAP_MAYMOVE) onto a range
 * that overlaps the old one must fail with EINVAL and leave the old pages
 * alone, as Linux does. Reproducer: Skiff unmapped the destination first,
 * which freed (part of) the source area, then read the freed area (a
 * use-after-free) or unmapped part of the new mapping. Also every other
 * overlap and edge case of mremap, each compared against Linux.
 */
#include "check.h"
#include <sys/mman.h>

#define PG 4096ul

static char *base; /* 64 pages reserved PROT_NONE: the test's playground */

static char *at(long page)
{
	return base + page * PG;
}

/* A fresh anonymous read-write area of n pages at page p, page i holding 'a'+i. */
static void area(long p, long n)
{
	char *q = mmap(at(p), n * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (q == MAP_FAILED) {
		say("setup failed: %s", errname(errno));
		exit(1);
	}
	for (long i = 0; i < n; i++)
		memset(q + i * PG, 'a' + i, PG);
}

/* Whether page p is mapped at all (msync says ENOMEM over a hole). */
static int mapped(long p)
{
	return msync(at(p), PG, MS_ASYNC) == 0;
}

/* Whether n pages at p hold what area() put there, from page 'first'. */
static int holds(long p, long n, int first)
{
	for (long i = 0; i < n; i++) {
		if (!mapped(p + i))
			return 0;
		for (unsigned long j = 0; j < PG; j += 512)
			if (at(p + i)[j] != first + i)
				return 0;
	}
	return 1;
}

static void reset(void)
{
	if (mmap(base, 64 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_FIXED, -1, 0) == MAP_FAILED)
		exit(1);
}

static long rm(long old, long oldlen, long newlen, int flags, long new)
{
	void *r = (void *)syscall(SYS_mremap, at(old), oldlen * PG,
				  newlen * PG, flags, at(new));
	if (r == MAP_FAILED)
		return -1;
	return ((char *)r - base) / (long)PG;
}

#define FM (MREMAP_FIXED | MREMAP_MAYMOVE)

/* Old area of 8 pages at page 24; new at page new with newlen pages. */
static void fixed_case(const char *what, long oldlen, long new, long newlen)
{
	reset();
	area(24, 8);
	errno = 0;
	long r = rm(24, oldlen, newlen, FM, new);
	say("%s: %ld %s", what, r < 0 ? -1 : r - new, r < 0 ? errname(errno) : "");
	if (r < 0) {
		yes("  old intact", holds(24, 8, 'a'));
	} else {
		long kept = oldlen < newlen ? oldlen : newlen;
		yes("  moved", holds(new, kept, 'a'));
		yes("  old gone", !mapped(24));
	}
}

int main(void)
{
	base = mmap(NULL, 64 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return 1;

	/* Overlaps: Linux refuses every one of them with EINVAL. */
	fixed_case("same range", 8, 24, 8);
	fixed_case("dst over tail", 8, 28, 8);
	fixed_case("dst over head", 8, 20, 8);
	fixed_case("dst inside", 8, 26, 2);
	fixed_case("dst covers", 8, 20, 16);
	fixed_case("dst at start, grow", 8, 24, 12);
	fixed_case("shrink into tail", 8, 28, 2);
	fixed_case("shrink over head", 8, 22, 4);
	fixed_case("grow over tail", 4, 26, 8);
	/* Neighbours and disjoint ranges move. */
	fixed_case("dst right after", 8, 32, 8);
	fixed_case("dst right before", 8, 16, 8);
	fixed_case("dst before, shrink", 8, 20, 4);
	fixed_case("dst after, grow", 8, 40, 12);
	fixed_case("part of old", 4, 40, 4);
	fixed_case("dst far", 8, 48, 8);

	/*
	 * An unmapped source; bad arguments. (A source over several areas or
	 * holes is left out: Linux 6.17 began to move those.)
	 */
	reset();
	SHOW(munmap(at(28), 36 * PG));
	area(24, 4);
	SHOW(rm(32, 4, 4, FM, 40) < 0 ? -1 : 0);
	SHOW(rm(24, 4, 4, MREMAP_FIXED, 40) < 0 ? -1 : 0);
	SHOW(syscall(SYS_mremap, at(24), PG, 2 * PG, FM, at(40) + 1) == -1 ? -1 : 0);
	SHOW(syscall(SYS_mremap, at(24), PG, 0, MREMAP_MAYMOVE) == -1 ? -1 : 0);
	SHOW(syscall(SYS_mremap, at(24) + 1, PG, PG, MREMAP_MAYMOVE) == -1 ? -1 : 0);
	yes("old intact", holds(24, 4, 'a'));

	/* Without MREMAP_FIXED: shrink, grow in place, move, refuse. */
	reset();
	SHOW(munmap(at(32), 32 * PG));
	area(24, 8);
	SHOW(rm(24, 8, 4, 0, 0));
	yes("shrunk", holds(24, 4, 'a') && !mapped(28));
	SHOW(rm(24, 4, 8, 0, 0));
	yes("grown in place", holds(24, 4, 'a') && mapped(31));
	area(34, 2);
	SHOW(rm(24, 8, 12, 0, 0));
	long r = rm(24, 8, 12, MREMAP_MAYMOVE, 0);
	yes("moved away", r != 24 && r != -1 && !mapped(24));
	/* Shrinking across areas unmaps the tail, as Linux. */
	reset();
	area(24, 4);
	SHOW(mprotect(at(26), 2 * PG, PROT_READ));
	SHOW(rm(24, 4, 1, 0, 0));
	yes("tail unmapped", !mapped(25) && !mapped(26));
	/* Growing a part of an area, or across areas. */
	area(40, 8);
	SHOW(mprotect(at(44), 4 * PG, PROT_READ));
	SHOW(rm(40, 8, 10, MREMAP_MAYMOVE, 0) < 0 ? -1 : 0);
	SHOW(rm(40, 2, 3, 0, 0) < 0 ? -1 : 0);
	/* A private area cannot be duplicated (old length 0). */
	SHOW(rm(40, 0, 2, MREMAP_MAYMOVE, 0) < 0 ? -1 : 0);
	/* An unmapped source. */
	SHOW(munmap(at(60), PG));
	SHOW(rm(60, 1, 2, MREMAP_MAYMOVE, 0) < 0 ? -1 : 0);
	return 0;
}

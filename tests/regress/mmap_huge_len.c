/*
 * mmap_huge_len: mmap(NULL, 1<<47, ...) returned a kernel-half address
 * (0xfffffffff7fff000) and /proc/self/maps showed an inverted area, where
 * Linux says ENOMEM: `end - len` underflowed in mm/vm.c's find_free()
 * (issue 8 item 4). Also every other address computation of mm/vm.c that
 * can overflow, each against Linux: a hint beyond the top, lengths near
 * 2^64, MAP_FIXED at the top, mremap growth past the top, brk next to a
 * mapping, madvise/mprotect/munmap with wrapping lengths.
 */
#include "check.h"
#include <stdint.h>
#include <sys/mman.h>

#define PG 4096ul
#define TOP 0x7ffffffff000ul /* Linux's TASK_SIZE on x86_64 */
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

/* mmap by the raw call (no libc length checks); prints the outcome. */
static void *map(const char *what, unsigned long addr, unsigned long len,
		 int prot, int flags)
{
	long r = syscall(SYS_mmap, addr, len, prot, flags, -1, 0);

	if (r == -1) {
		say("%s: -1 %s", what, errname(errno));
		return NULL;
	}
	say("%s: ok, %s", what,
	    (unsigned long)r + len <= TOP && (unsigned long)r >= 0x10000 ?
	    "inside the program's half" : "OUTSIDE");
	return (void *)r;
}

static void brk_checks(void)
{
	unsigned long b0 = syscall(SYS_brk, 0);
	unsigned long t = (b0 + PG - 1) / PG * PG + 64 * PG;

	/* A mapping 16 pages above t: the break stops a page before it. */
	void *m = mmap((void *)(t + 16 * PG), PG, PROT_READ,
		       ANON | MAP_FIXED_NOREPLACE, -1, 0);
	yes("brk: mapping placed", m == (void *)(t + 16 * PG));
	yes("brk onto it refused", syscall(SYS_brk, t + 16 * PG) == (long)b0);
	yes("brk to its page refused", syscall(SYS_brk, t + 15 * PG + 1) == (long)b0);
	yes("brk a page below it", syscall(SYS_brk, t + 15 * PG) == (long)(t + 15 * PG));
	yes("brk past it refused", syscall(SYS_brk, t + 32 * PG) == (long)(t + 15 * PG));
	yes("brk to -1 refused", syscall(SYS_brk, ~0ul) == (long)(t + 15 * PG));
	yes("brk to -4096 refused", syscall(SYS_brk, -PG) == (long)(t + 15 * PG));
	yes("brk to 1<<47 refused", syscall(SYS_brk, 1ul << 47) == (long)(t + 15 * PG));
	yes("brk below start refused", syscall(SYS_brk, 4096) == (long)(t + 15 * PG));
	yes("brk back", syscall(SYS_brk, b0) == (long)b0);
	munmap(m, PG);
}

int main(void)
{
	/* Lengths the address space cannot hold. */
	map("mmap 1<<47", 0, 1ul << 47, RW, ANON);
	map("mmap TOP", 0, TOP, RW, ANON);
	map("mmap 1<<48", 0, 1ul << 48, RW, ANON);
	map("mmap -4096", 0, -PG, RW, ANON);
	map("mmap -1", 0, ~0ul, RW, ANON);
	map("mmap 1<<63", 0, 1ul << 63, RW, ANON);
	map("mmap fixed-noreplace 1<<47", 0x10000, 1ul << 47, RW,
	    ANON | MAP_FIXED_NOREPLACE);

	/* Hints beyond the top are ignored; the result stays below it. */
	void *p = map("hint 1<<47", 1ul << 47, PG, RW, ANON);
	munmap(p, PG);
	p = map("hint -4096", -PG, PG, RW, ANON);
	munmap(p, PG);
	p = map("hint TOP-4096, 2 pages", TOP - PG, 2 * PG, RW, ANON);
	munmap(p, 2 * PG);

	/* MAP_FIXED at and past the top. */
	map("fixed TOP", TOP, PG, RW, ANON | MAP_FIXED);
	map("fixed TOP-4096, 2 pages", TOP - PG, 2 * PG, RW, ANON | MAP_FIXED);
	map("fixed 1<<47", 1ul << 47, PG, RW, ANON | MAP_FIXED);
	map("fixed -4096, 2 pages", -PG, 2 * PG, RW, ANON | MAP_FIXED);
	map("fixed-noreplace TOP", TOP, PG, RW, ANON | MAP_FIXED_NOREPLACE);

	/* munmap, mprotect, madvise with wrapping or out-of-range lengths. */
	/* a: 4 pages with a hole above (Linux's mprotect changes what it
	 * finds before a hole, so a huge length must stop there). */
	char *a = mmap(NULL, 8 * PG, RW, ANON, -1, 0);
	munmap(a + 4 * PG, 4 * PG);
	a[0] = 1;
	SHOW(syscall(SYS_munmap, TOP, PG));
	SHOW(syscall(SYS_munmap, TOP - PG, 2 * PG));
	SHOW(syscall(SYS_munmap, 1ul << 47, PG));
	SHOW(syscall(SYS_munmap, a, -PG));
	SHOW(syscall(SYS_munmap, a, ~0ul));
	SHOW(syscall(SYS_munmap, a, 1ul << 47));
	SHOW(syscall(SYS_munmap, a, 0));
	SHOW(syscall(SYS_mprotect, a, -PG, PROT_READ));
	SHOW(syscall(SYS_mprotect, a, ~0ul, PROT_READ));
	SHOW(syscall(SYS_mprotect, a, 1ul << 47, PROT_READ));
	SHOW(syscall(SYS_mprotect, a, 0, PROT_READ));
	SHOW(syscall(SYS_mprotect, TOP, PG, PROT_READ));
	SHOW(syscall(SYS_mprotect, 1ul << 47, PG, PROT_READ));
	SHOW(syscall(SYS_mprotect, -PG, PG, PROT_READ));
	SHOW(syscall(SYS_madvise, a, -PG, MADV_DONTNEED));
	SHOW(syscall(SYS_madvise, a, ~0ul, MADV_DONTNEED));
	SHOW(syscall(SYS_madvise, a, ~0ul, MADV_NORMAL));
	/* (Not MADV_DONTNEED: it would wipe every mapping above a.) */
	SHOW(syscall(SYS_madvise, a, 1ul << 47, MADV_NORMAL));
	SHOW(syscall(SYS_madvise, 1ul << 47, PG, MADV_NORMAL));
	SHOW(syscall(SYS_madvise, a, 0, MADV_DONTNEED));
	SHOW(syscall(SYS_madvise, TOP, PG, MADV_DONTNEED));
	SHOW(syscall(SYS_madvise, -PG, PG, MADV_DONTNEED));
	yes("still readable", a[0] == 0 || a[0] == 1);

	/* mremap growth past the top. */
	SHOW(syscall(SYS_mremap, a, PG, 1ul << 47, MREMAP_MAYMOVE) == -1 ? -1 : 0);
	SHOW(syscall(SYS_mremap, a, PG, -2 * PG, MREMAP_MAYMOVE) == -1 ? -1 : 0);
	SHOW(syscall(SYS_mremap, a, PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
		     TOP - PG) == -1 ? -1 : 0);
	SHOW(syscall(SYS_mremap, a, PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
		     -PG) == -1 ? -1 : 0);
	SHOW(syscall(SYS_mremap, a, 4 * PG, 1ul << 47, 0) == -1 ? -1 : 0);
	SHOW(syscall(SYS_mremap, a, 1ul << 50, PG, 0) == -1 ? -1 : 0);
	SHOW(syscall(SYS_mremap, a, -PG, PG, 0) == -1 ? -1 : 0);
	SHOW(munmap(a, 4 * PG));

	brk_checks();
	return 0;
}

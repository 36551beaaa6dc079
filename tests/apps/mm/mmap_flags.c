/*
 * mmap_flags: MAP_FIXED replaces what was there (zeroed, old contents
 * gone) and needs an aligned address; MAP_FIXED_NOREPLACE maps at exactly
 * the address when it is free and fails with EEXIST over a mapping; a
 * hint at a free address is taken; MAP_NORESERVE maps 64 GiB of address
 * space (a few pages touched); MAP_STACK and MAP_POPULATE are accepted;
 * MAP_GROWSDOWN; bad flag combinations.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include "check.h"

#define PG 4096UL
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

static sigjmp_buf env;

static void handler(int s)
{
	siglongjmp(env, s);
}

static char *map(void *addr, size_t len, int flags)
{
	return mmap(addr, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);
}

int main(void)
{
	char *base, *p, *g;
	const int priv = MAP_PRIVATE;
	int s;

	signal(SIGSEGV, handler);
	signal(SIGBUS, handler);
	/* find a free 16-page area, then free it again */
	base = map(NULL, 16 * PG, priv);
	munmap(base, 16 * PG);

	p = map(base + 4 * PG, PG, priv);
	yes("hint at a free address is taken", p == base + 4 * PG);
	p[0] = 'x';
	p = map(base + 4 * PG, PG, priv | MAP_FIXED);
	yes("MAP_FIXED over it: same address", p == base + 4 * PG);
	say("  old contents gone: %d", p[0]);
	SHOW_PTR(map(base + 4 * PG + 1, PG, priv | MAP_FIXED), MAP_FAILED);
	SHOW_PTR(map(base + 4 * PG, PG, priv | MAP_FIXED_NOREPLACE), MAP_FAILED);
	SHOW_PTR(map(base + 3 * PG, 2 * PG, priv | MAP_FIXED_NOREPLACE), MAP_FAILED);
	p = map(base + 8 * PG, PG, priv | MAP_FIXED_NOREPLACE);
	yes("MAP_FIXED_NOREPLACE at a free address", p == base + 8 * PG);

	p = map(NULL, 64UL << 30, priv | MAP_NORESERVE);
	yes("MAP_NORESERVE 64 GiB", p != MAP_FAILED);
	if (p != MAP_FAILED) {
		p[0] = 1;
		p[(32UL << 30) + 5] = 2;
		p[(64UL << 30) - 1] = 3;
		say("  touched three pages: %d %d %d", p[0], p[(32UL << 30) + 5],
		    p[(64UL << 30) - 1]);
		SHOW(munmap(p, 64UL << 30));
	}
	p = map(NULL, 16 * PG, priv | MAP_STACK);
	yes("MAP_STACK", p != MAP_FAILED && p[16 * PG - 1] == 0);
	p = map(NULL, 4 * PG, priv | MAP_POPULATE);
	yes("MAP_POPULATE, zeroed", p != MAP_FAILED && p[0] == 0 && p[4 * PG - 1] == 0);

	p = map(base + 12 * PG, 2 * PG, priv | MAP_GROWSDOWN | MAP_FIXED);
	yes("MAP_GROWSDOWN", p == base + 12 * PG);
	p[0] = 'g';
	g = p - PG;
	if ((s = sigsetjmp(env, 1)) == 0) {
		g[PG - 1] = 'h';
		say("  the page just below it is usable: %c", g[PG - 1]);
	} else {
		say("  the page just below it: signal %d", s);
	}

	SHOW_PTR(map(NULL, PG, MAP_SHARED | MAP_PRIVATE), MAP_FAILED);
	SHOW_PTR(map(NULL, PG, 0), MAP_FAILED);
	SHOW_PTR(map(NULL, PG, MAP_SHARED_VALIDATE | 0x40000000), MAP_FAILED);
	SHOW_PTR(map(NULL, -PG, priv), MAP_FAILED);
	SHOW_PTR(map((void *)0x800000000000UL, PG, priv | MAP_FIXED), MAP_FAILED);
	return 0;
}

/*
 * mprotect: protection changes on whole and partial ranges of a mapping
 * (splitting it), reads and writes that remain allowed, and the errors for
 * unaligned, unmapped and invalid arguments.
 */
#include <sys/mman.h>
#include "check.h"

#define PG 4096UL

int main(void)
{
	char *p, *hole;
	int A = MAP_PRIVATE | MAP_ANONYMOUS;

	/* nine pages, the last unmapped again: p + 8 * PG is a known hole */
	p = mmap(NULL, 9 * PG, PROT_READ | PROT_WRITE, A, -1, 0);
	munmap(p + 8 * PG, PG);
	hole = mmap(NULL, 8 * PG, PROT_NONE, A, -1, 0);
	munmap(hole, 8 * PG);
	memset(p, 'x', 8 * PG);
	SHOW(syscall(SYS_mprotect, p, 8 * PG, PROT_READ));
	say("read after PROT_READ: %c", p[5]);
	SHOW(syscall(SYS_mprotect, p + 2 * PG, 2 * PG, PROT_READ | PROT_WRITE));
	p[2 * PG] = 'y';
	p[4 * PG - 1] = 'z';
	say("middle pages writable again: %c %c", p[2 * PG], p[4 * PG - 1]);
	SHOW(syscall(SYS_mprotect, p + 6 * PG, 2 * PG, PROT_NONE));
	SHOW(syscall(SYS_mprotect, p + 6 * PG, 2 * PG, PROT_READ | PROT_WRITE | PROT_EXEC));
	say("PROT_NONE then back: %c", p[7 * PG]);
	SHOW(syscall(SYS_mprotect, p, 0, PROT_READ));
	SHOW(syscall(SYS_mprotect, p + 1, PG, PROT_READ));
	SHOW(syscall(SYS_mprotect, p, PG, 0x1000));
	SHOW(syscall(SYS_mprotect, hole, PG, PROT_READ));
	SHOW(syscall(SYS_mprotect, p + 7 * PG, 2 * PG, PROT_READ));
	SHOW(syscall(SYS_mprotect, p, 3 * PG + 1, PROT_READ | PROT_WRITE));
	p[3 * PG + 100] = 'w';
	say("unaligned length covers the last page: %c", p[3 * PG + 100]);
	SHOW(syscall(SYS_munmap, p, 8 * PG));
	return 0;
}

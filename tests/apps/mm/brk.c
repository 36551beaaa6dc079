/*
 * brk: the program break through the raw system call: the initial break,
 * growth (fresh memory reads zero), shrinking, and requests Linux refuses
 * (below the start, absurdly high), which return the current break.
 * libc's malloc may use the break too, so nothing is printed (stdio may
 * allocate) until the break is back where it was.
 */
#include <stdint.h>
#include "check.h"

static uintptr_t brk_(uintptr_t a)
{
	return (uintptr_t)syscall(SYS_brk, a);
}

int main(void)
{
	uintptr_t b0 = brk_(0), i;
	unsigned long nz = 0;
	int r[10], kept, regrown, low;
	char *p = (char *)b0;

	r[0] = b0 != 0;
	r[1] = brk_(0) == b0;
	r[2] = brk_(b0 + (1 << 20)) == b0 + (1 << 20);
	for (i = 0; i < 1 << 20; i++)
		nz += p[i] != 0;
	memset(p, 0x11, 1 << 20);
	r[3] = brk_(b0 + 4096) == b0 + 4096;
	r[4] = brk_(b0 + (1 << 20)) == b0 + (1 << 20);
	kept = p[100];
	regrown = p[8192];
	r[5] = brk_(b0 - (64 << 20)) == b0 + (1 << 20);
	r[6] = brk_(b0 + (1UL << 47)) == b0 + (1 << 20);
	r[7] = brk_(b0 + 10) == b0 + 10;
	p[5] = 1;
	low = p[5];
	r[8] = brk_(b0) == b0;

	yes("brk(0) is nonzero", r[0]);
	yes("brk(0) again is the same", r[1]);
	yes("grow by 1 MB", r[2]);
	say("nonzero bytes in the new area = %lu", nz);
	yes("shrink to one page", r[3]);
	yes("grow again", r[4]);
	say("first page kept: %d; regrown page reads %d", kept, regrown);
	yes("brk below the start refused, returns the current break", r[5]);
	yes("brk past the user address space refused, returns the current break", r[6]);
	yes("unaligned brk accepted as is", r[7]);
	say("byte below an unaligned break usable: %d", low);
	yes("brk back to the start", r[8]);
	return 0;
}

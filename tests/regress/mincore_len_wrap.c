/*
 * mincore_len_wrap: mincore with a length that reaches past the end of the
 * program's address space fails with ENOMEM, as Linux. Reproducer: Skiff
 * rounded the length up to pages first, which wraps to 0 for lengths near
 * 2^64, and then returned 0 having looked at nothing.
 */
#include <stdint.h>
#include <sys/mman.h>
#include "check.h"

int main(void)
{
	unsigned char vec[4];
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	SHOW(mincore(p, SIZE_MAX, vec));
	SHOW(mincore(p, SIZE_MAX - 4095, vec));
	SHOW(mincore(p, SIZE_MAX - 4096, vec));
	SHOW(mincore(p, 1ul << 47, vec));
	SHOW(mincore(p, 4096, vec));
	say("  resident or not: %d", vec[0] <= 1);
	SHOW(mincore(p, 0, vec));
	return 0;
}

/*
 * malloc_small: many small allocations of varied sizes (brk and small mmaps
 * underneath), filled, checked, freed in a scrambled order and reallocated.
 */
#include <stdint.h>
#include "check.h"

#define N 20000

static unsigned next(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

int main(void)
{
	static unsigned char *p[N];
	static size_t sz[N];
	unsigned seed = 1, bad = 0, i, j;
	unsigned long sum = 0;
	unsigned char *z;

	for (i = 0; i < N; i++) {
		sz[i] = 1 + next(&seed) % 2000;
		p[i] = malloc(sz[i]);
		if (!p[i]) {
			say("malloc %zu failed", sz[i]);
			return 1;
		}
		memset(p[i], i & 0xff, sz[i]);
	}
	for (i = 0; i < N; i++)
		for (j = 0; j < sz[i]; j++)
			bad += p[i][j] != (i & 0xff);
	say("allocated %d blocks, bad bytes = %u", N, bad);
	for (i = 0; i < N; i += 2) {
		free(p[i]);
		p[i] = NULL;
	}
	for (i = 1; i < N; i += 2) {
		p[i] = realloc(p[i], sz[i] * 3);
		for (j = 0; j < sz[i]; j++)
			bad += p[i][j] != (i & 0xff);
		sz[i] *= 3;
		memset(p[i], 0x5a, sz[i]);
	}
	say("after free of half and realloc of the rest, bad bytes = %u", bad);
	z = calloc(1000, 100);
	for (i = 0; i < 100000; i++)
		sum += z[i];
	say("calloc(1000, 100) all zero: %s", sum ? "no" : "yes");
	free(z);
	for (i = 0; i < N; i++)
		free(p[i]);
	for (i = 0; i < 1000; i++) {
		void *q = malloc(100000);

		memset(q, 1, 100000);
		free(q);
	}
	say("1000 malloc/free of 100000 bytes: done");
	yes("aligned_alloc(4096, 4096) aligned",
	    ((uintptr_t)(z = aligned_alloc(4096, 4096)) & 4095) == 0);
	free(z);
	yes("malloc(0) freeable", (free(malloc(0)), 1));
	return 0;
}

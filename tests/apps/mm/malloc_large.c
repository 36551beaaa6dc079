/*
 * malloc_large: one 256 MB allocation (an mmap underneath), every page
 * touched once and checked, then a 64 MB realloc growth and a second large
 * block after the first is freed, so the memory is really given back.
 */
/* SKIFF: --memory 1G */
#include <stdint.h>
#include "check.h"

#define MB (1024UL * 1024)

static unsigned long touch(unsigned char *p, size_t len, unsigned char tag)
{
	unsigned long bad = 0;
	size_t i;

	for (i = 0; i < len; i += 4096)
		p[i] = (unsigned char)(tag + i / 4096);
	for (i = 0; i < len; i += 4096)
		bad += p[i] != (unsigned char)(tag + i / 4096);
	return bad;
}

int main(void)
{
	unsigned char *p, *q;
	volatile unsigned char *v;
	size_t len = 256 * MB;

	p = malloc(len);
	yes("malloc(256 MB) succeeded", p != NULL);
	if (!p)
		return 1;
	v = p;
	/* glibc and musl get a block this large straight from mmap */
	yes("fresh pages read as zero", v[0] == 0 && v[len / 2] == 0 && v[len - 1] == 0);
	say("pages touched, bad = %lu", touch(p, len, 1));
	q = realloc(p, len + 64 * MB);
	yes("realloc to 320 MB succeeded", q != NULL);
	if (!q)
		return 1;
	say("old contents kept, bad = %lu", touch(q, len, 1));
	say("new tail touched, bad = %lu", touch(q + len, 64 * MB, 7));
	free(q);
	p = malloc(300 * MB);
	yes("malloc(300 MB) after free succeeded", p != NULL);
	if (!p)
		return 1;
	say("pages touched, bad = %lu", touch(p, 300 * MB, 3));
	free(p);
	return 0;
}

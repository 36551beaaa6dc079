/*
 * bigout: a lot of output through the console: 5000 numbered lines by
 * stdio, one 256 KB write, bytes 0-255 (binary, escape bytes included),
 * and interleaved stderr writes, which must not leak into stdout.
 */
#include "check.h"

int main(void)
{
	static char big[256 * 1024];
	unsigned char all[256];
	long i, off = 0, n;

	for (i = 0; i < 5000; i++)
		printf("line %05ld: the quick brown fox jumps over the lazy dog\n", i);
	fflush(stdout);
	for (i = 0; i < (long)sizeof(big); i++)
		big[i] = (i % 64 == 63) ? '\n' : 'A' + i % 26;
	while (off < (long)sizeof(big) && (n = write(1, big + off, sizeof(big) - off)) > 0)
		off += n;
	say("\nwrote %ld bytes in one go", off);
	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	fflush(stdout);
	if (write(1, all, sizeof(all)) != sizeof(all))
		say("short write");
	for (i = 0; i < 100; i++)
		fprintf(stderr, "stderr line %ld\n", i);
	say("\nend");
	return 0;
}

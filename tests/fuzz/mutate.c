/*
 * tests/fuzz/mutate.c: writes a mutated copy of a file, for mutate.sh.
 *   mutate IN OUT SEED HOT
 * Makes 1 to 8 mutations chosen by SEED (the same seed, the same copy):
 * each at an offset in the first HOT bytes (the headers) two times in
 * three, anywhere otherwise; a random byte, a flipped bit, an interesting
 * byte (0, 0x7f, 0x80, 0xff), or an interesting 8-byte value (0, -1, the
 * sign bit, a kernel address, a huge size) at an 8-aligned offset, where
 * ELF fields lie. A host tool, built and run on the host only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(int argc, char **argv)
{
	static const uint8_t bytes[] = { 0, 0x7f, 0x80, 0xff };
	static const uint64_t words[] = {
		0, ~0ull, 1ull << 63, 0xffffffff80000000ull, 1ull << 47,
		0x7fffffffffffffffull, 0x10000, 0xfffffffffffff000ull,
	};
	if (argc != 5)
		return 2;
	FILE *in = fopen(argv[1], "rb");
	if (!in)
		return 1;
	fseek(in, 0, SEEK_END);
	long size = ftell(in);
	rewind(in);
	uint8_t *d = malloc(size > 0 ? size : 1);
	if (!d || fread(d, 1, size, in) != (size_t)size)
		return 1;
	fclose(in);
	rng = 0x9e3779b97f4a7c15ull ^ (strtoull(argv[3], NULL, 10) * 0x2545f4914f6cdd1dull);
	for (int i = 0; i < 4; i++)
		rnd();
	long hot = atol(argv[4]);
	if (hot <= 0 || hot > size)
		hot = size;
	int n = 1 + rnd() % 8;
	for (int i = 0; i < n && size > 8; i++) {
		long off = (rnd() % 3) ? (long)(rnd() % hot) : (long)(rnd() % size);
		switch (rnd() % 4) {
		case 0: d[off] = rnd(); break;
		case 1: d[off] ^= 1u << (rnd() % 8); break;
		case 2: d[off] = bytes[rnd() % 4]; break;
		default: {
			uint64_t w = words[rnd() % 8];
			off &= ~7l;
			if (off + 8 <= size)
				memcpy(d + off, &w, 8);
		}
		}
	}
	FILE *out = fopen(argv[2], "wb");
	if (!out || fwrite(d, 1, size, out) != (size_t)size || fclose(out))
		return 1;
	return 0;
}

/* SOURCES: tools/skiff/unlz4.c */
/*
 * The LZ4 decoder of compressed images (tools/skiff/unlz4.c) against the
 * host's lz4 as the oracle: text, random and repetitive data at levels 1
 * and 9, independent and linked blocks of 64 KiB and 4 MiB, incompressible
 * blocks stored as they are, block checksums, several frames one after the
 * other, a skippable frame, an empty file; then damage: every truncation
 * of a small stream and flipped bits at every offset must give
 * SKIFF_EXIT_CANNOT_RUN with a message, never a crash (ASan and UBSan
 * watch), a hang, or a "success".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "../../tools/skiff/skiff.h"
#include "shim.h"
#include "codec_test.h"

/* data through `lz4 -q -c OPTS`: malloc'd, *out_len bytes. */
static u8 *lz4(const u8 *data, size_t len, const char *opts, size_t *out_len)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "lz4 -q -c %s", opts);
	return host_filter(cmd, data, len, out_len);
}

static int decode(const u8 *z, size_t zlen, u8 **out, size_t *out_len)
{
	return decode_with(lz4_decompress, z, zlen, out, out_len);
}

static void round_trip(size_t len, const char *opts)
{
	u8 *d = sample(len, len), *z, *out;
	size_t zlen, olen;

	z = lz4(d, len, opts, &zlen);
	assert_int_equal(decode(z, zlen, &out, &olen), 0);
	assert_int_equal(olen, len);
	assert_memory_equal(out, d, len);
	free(d);
	free(z);
	free(out);
}

static void test_round_trip(void **state)
{
	(void)state;
	round_trip(0, "-9");
	round_trip(1, "-9");
	round_trip(100000, "-1");
	round_trip(100000, "-9 -BX");		/* block checksums */
	round_trip(3 << 20, "-9");		/* many 64 KiB blocks */
	round_trip(3 << 20, "-9 -BD");		/* linked blocks */
	round_trip(9 << 20, "-1 -BD -B7");	/* 4 MiB blocks, linked */
	round_trip(9 << 20, "-1 -B6 --no-frame-crc --content-size");
}

static void test_members(void **state)
{
	u8 *a = sample(50000, 1), *b = sample(70000, 2), *za, *zb, *out;
	size_t la, lb, olen;

	(void)state;
	/* a skippable frame (magic 0x184d2a5X, its size, its bytes) between */
	static const u8 skip[] = { 0x53, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3 };

	za = lz4(a, 50000, "-9", &la);
	zb = lz4(b, 70000, "-1 -BD", &lb);
	u8 *both = malloc(la + sizeof(skip) + lb);
	memcpy(both, za, la);
	memcpy(both + la, skip, sizeof(skip));
	memcpy(both + la + sizeof(skip), zb, lb);
	assert_int_equal(decode(both, la + sizeof(skip) + lb, &out, &olen), 0);
	assert_int_equal(olen, 120000);
	assert_memory_equal(out, a, 50000);
	assert_memory_equal(out + 50000, b, 70000);
	free(a), free(b), free(za), free(zb), free(both), free(out);
}

static void test_not_lz4(void **state)
{
	u8 *out;
	size_t olen;

	(void)state;
	assert_int_equal(decode((const u8 *)"", 0, &out, &olen),
			 SKIFF_EXIT_CANNOT_RUN);
	free(out);
	assert_int_equal(decode((const u8 *)"070701000", 9, &out, &olen),
			 SKIFF_EXIT_CANNOT_RUN);
	assert_non_null(strstr(last_err, "corrupt"));
	free(out);
}

static void test_damage(void **state)
{
	u8 *d = sample(20000, 7), *z, *out;
	size_t zlen, olen;

	(void)state;
	z = lz4(d, 20000, "-9", &zlen);
	for (size_t cut = 0; cut < zlen; cut++) {
		last_err[0] = 0;
		assert_int_equal(decode(z, cut, &out, &olen),
				 SKIFF_EXIT_CANNOT_RUN);
		assert_non_null(strstr(last_err, "corrupt"));
		free(out);
	}
	for (size_t at = 0; at < zlen; at++) {
		for (int bit = 0; bit < 8; bit += 3) {
			z[at] ^= 1 << bit;
			int st = decode(z, zlen, &out, &olen);
			z[at] ^= 1 << bit;
			/* a match offset moved onto the same bytes decodes
			 * to the same data: right, and no corruption */
			if (st == 0) {
				assert_int_equal(olen, 20000);
				assert_memory_equal(out, d, 20000);
			} else {
				assert_int_equal(st, SKIFF_EXIT_CANNOT_RUN);
			}
			free(out);
		}
	}
	free(d);
	free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_not_lz4),
		cmocka_unit_test(test_damage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

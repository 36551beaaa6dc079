/* SOURCES: tools/skiff/inflate.c */
/*
 * The gzip decoder of compressed images (tools/skiff/inflate.c) against the
 * host's gzip as the oracle: text, random and repetitive data at levels 1
 * and 9 (fixed, dynamic and stored blocks), several members one after the
 * other, an empty file; then damage: every truncation of a small stream
 * and flipped bits at every offset but the header's ignored fields
 * must give SKIFF_EXIT_CANNOT_RUN with a message, never a crash (ASan and
 * UBSan watch), a hang, or a "success".
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

/* data through `gzip -LEVEL -c -n`: malloc'd, *out_len bytes. */
static u8 *gzip(const u8 *data, size_t len, int level, size_t *out_len)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "gzip -%d -c -n", level);
	return host_filter(cmd, data, len, out_len);
}

static int decode(const u8 *z, size_t zlen, u8 **out, size_t *out_len)
{
	return decode_with(gz_decompress, z, zlen, out, out_len);
}

static void round_trip(size_t len, int level)
{
	u8 *d = sample(len, len), *z, *out;
	size_t zlen, olen;

	z = gzip(d, len, level, &zlen);
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
	round_trip(0, 6);
	round_trip(1, 6);
	round_trip(100000, 1);
	round_trip(100000, 9);
	round_trip(3 << 20, 6); /* past the 1 MiB output buffer and window */
}

static void test_members(void **state)
{
	u8 *a = sample(50000, 1), *b = sample(70000, 2), *za, *zb, *out;
	size_t la, lb, olen;

	(void)state;
	za = gzip(a, 50000, 6, &la);
	zb = gzip(b, 70000, 1, &lb);
	u8 *both = malloc(la + lb);
	memcpy(both, za, la);
	memcpy(both + la, zb, lb);
	assert_int_equal(decode(both, la + lb, &out, &olen), 0);
	assert_int_equal(olen, 120000);
	assert_memory_equal(out, a, 50000);
	assert_memory_equal(out + 50000, b, 70000);
	free(a), free(b), free(za), free(zb), free(both), free(out);
}

static void test_not_gzip(void **state)
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
	z = gzip(d, 20000, 9, &zlen);
	for (size_t cut = 0; cut < zlen; cut++) {
		last_err[0] = 0;
		assert_int_equal(decode(z, cut, &out, &olen),
				 SKIFF_EXIT_CANNOT_RUN);
		assert_non_null(strstr(last_err, "corrupt"));
		free(out);
	}
	/* bytes 4-9 (mtime, flags, OS) and FLG's FTEXT bit are hints, which
	 * gzip does not check either */
	for (size_t at = 0; at < zlen; at++) {
		if (at >= 4 && at < 10)
			continue;
		for (int bit = at == 3 ? 3 : 0; bit < 8; bit += 3) {
			z[at] ^= 1 << bit;
			int st = decode(z, zlen, &out, &olen);
			z[at] ^= 1 << bit;
			assert_int_equal(st, SKIFF_EXIT_CANNOT_RUN);
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
		cmocka_unit_test(test_not_gzip),
		cmocka_unit_test(test_damage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

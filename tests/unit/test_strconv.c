/* SOURCES: lib/strconv.c */
/*
 * lib/strconv.c: str_lcpy, str_lcat and str_u64 at their edges (empty,
 * exact fit, truncation, zero, the largest value, every base), and
 * str_to_u64 reading back what str_u64 wrote.
 */
#include <stdio.h>
#include <string.h>
#include <skiff/lib.h>
#include "shim.h"

static void lcat(void **state)
{
	char b[8] = "eth";

	assert_int_equal(str_lcat(b, "0", sizeof(b)), 4);
	assert_string_equal(b, "eth0");
	assert_int_equal(str_lcat(b, "", sizeof(b)), 4);
	assert_int_equal(str_lcat(b, "123", sizeof(b)), 7); /* exact fit */
	assert_string_equal(b, "eth0123");
	assert_int_equal(str_lcat(b, "xy", sizeof(b)), 9); /* full: untouched */
	assert_string_equal(b, "eth0123");
	char c[6] = "ab";
	assert_int_equal(str_lcat(c, "cdefgh", sizeof(c)), 8); /* truncated */
	assert_string_equal(c, "abcde");
	char d[4] = { 'a', 'b', 'c', 'd' }; /* unterminated: size returned */
	assert_int_equal(str_lcat(d, "xy", sizeof(d)), 6);
	assert_memory_equal(d, "abcd", 4);
	assert_int_equal(str_lcat(d, "xy", 0), 2);
}

static void u64_digits(void **state)
{
	char b[STR_U64_LEN], want[80];
	u64 v[] = { 0, 1, 9, 10, 15, 16, 255, 0xfeb00e00ull, 1234567890123ull,
		    UINT64_MAX };

	for (unsigned i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(want, sizeof(want), "%llu", (unsigned long long)v[i]);
		assert_string_equal(str_u64(b, v[i], 10), want);
		snprintf(want, sizeof(want), "%llx", (unsigned long long)v[i]);
		assert_string_equal(str_u64(b, v[i], 16), want);
		snprintf(want, sizeof(want), "%llo", (unsigned long long)v[i]);
		assert_string_equal(str_u64(b, v[i], 8), want);
	}
	assert_int_equal(strlen(str_u64(b, UINT64_MAX, 2)), 64);
	assert_string_equal(str_u64(b, 5, 2), "101");
	assert_string_equal(str_u64(b, 42, 1), "42"); /* bad base: 10 */
	assert_string_equal(str_u64(b, 42, 17), "42");
}

static void round_trip(void **state)
{
	char b[STR_U64_LEN], s[STR_U64_LEN + 2] = "0x";
	u64 out;

	str_lcat(s, str_u64(b, 0xfeb00e00ull, 16), sizeof(s));
	assert_int_equal(str_to_u64(s, &out), 10);
	assert_true(out == 0xfeb00e00ull);
	assert_int_equal(str_to_u64(str_u64(b, UINT64_MAX, 10), &out), 20);
	assert_true(out == UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lcat),
		cmocka_unit_test(u64_digits),
		cmocka_unit_test(round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SOURCES: lib/printf.c lib/strconv.c */
/*
 * fmt_snprintf against the host's snprintf: the host libc writes every
 * expectation.
 */
#include <stdio.h>
#include <string.h>
#include <skiff/lib.h>
#include "shim.h"

#define SAME(...)                                                        \
	do {                                                             \
		char a[128], b[128];                                     \
		int na = fmt_snprintf(a, sizeof(a), __VA_ARGS__);        \
		int nb = snprintf(b, sizeof(b), __VA_ARGS__);            \
		assert_string_equal(a, b);                               \
		assert_int_equal(na, nb);                                \
	} while (0)

static void test_integers(void **state)
{
	SAME("%d %i %u", -42, 7, 3000000000u);
	SAME("%ld %lu %lld", -1l, ~0ul, (long long)-9223372036854775807ll - 1);
	SAME("%x %X %#x %#X %o %#o", 0xbeefu, 0xbeefu, 255u, 255u, 8u, 8u);
	SAME("%hhd %hd %hhu %zu %zd", 300, 70000, 511, (size_t)12, (ssize_t)-3);
	SAME("%#x %#o", 0u, 0u);
}

static void test_width_precision(void **state)
{
	SAME("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
	SAME("[%.3d] [%8.3d] [%-8.3x] [%.0d]", 7, -7, 0xau, 0);
	SAME("[%*d] [%-*d] [%.*s]", 6, 1, 6, 2, 3, "abcdef");
	SAME("[%10s] [%-10s] [%.2s] [%c] [%3c]", "hi", "hi", "hello", 'x', 'y');
	SAME("[%016lx] [%-+6d]", 0x1234ul, 5);
}

static void test_truncation(void **state)
{
	char buf[5];
	int n = fmt_snprintf(buf, sizeof(buf), "%s-%d", "abcdef", 12);

	assert_int_equal(n, 9);
	assert_string_equal(buf, "abcd");
	assert_int_equal(fmt_snprintf(NULL, 0, "%d", 12345), 5);
	SAME("100%%");
}

static void test_pointer(void **state)
{
	char buf[32];

	fmt_snprintf(buf, sizeof(buf), "%p", (void *)0xffff800000001000ul);
	assert_string_equal(buf, "0xffff800000001000");
}

static void test_str_to_u64(void **state)
{
	u64 v = 0;

	assert_int_equal(str_to_u64("12345 rest", &v), 5);
	assert_int_equal(v, 12345);
	assert_int_equal(str_to_u64("0x1fF", &v), 5);
	assert_int_equal(v, 0x1ff);
	assert_int_equal(str_to_u64("x", &v), 0);
	assert_int_equal(str_to_u64("0x", &v), 0);
	assert_int_equal(str_to_u64("18446744073709551616", &v), 0);
	assert_int_equal(str_to_u64("18446744073709551615", &v), 20);
	assert_true(v == UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_width_precision),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_str_to_u64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * lib/strconv.c: bounded string copy and number parsing. Built for the kernel
 * and for host unit tests.
 */
#include <skiff/lib.h>

size_t str_lcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

size_t str_to_u64(const char *s, u64 *out)
{
	unsigned base = 10;
	size_t i = 0;
	u64 v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	size_t start = i;
	for (; digit_value(s[i]) < (int)base; i++) {
		u64 d = digit_value(s[i]);
		if (v > (UINT64_MAX - d) / base)
			return 0; /* overflow */
		v = v * base + d;
	}
	if (i == start)
		return 0;
	*out = v;
	return i;
}

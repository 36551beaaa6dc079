/*
 * lib/strconv.c: bounded string copy and concatenation, number parsing
 * and printing. Built for the kernel and for host unit tests.
 *
 * str_u64 and str_lcat let boot code name things ("eth0", "mmio 0xfeb00e00
 * irq 12") without lib/printf.c: under QEMU's TCG, code runs only after
 * it is translated, and the printf engine's first use costs ~0.4 ms of
 * translation, which a boot that logs nothing need not pay.
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

size_t str_lcat(char *dst, const char *src, size_t size)
{
	size_t at = strnlen(dst, size);

	if (at == size)
		return size + strlen(src);
	return at + str_lcpy(dst + at, src, size - at);
}

char *str_u64(char buf[STR_U64_LEN], u64 v, unsigned base)
{
	char *p = buf + STR_U64_LEN - 1;

	if (base < 2 || base > 16)
		base = 10;
	*p = '\0';
	do {
		*--p = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	return p;
}

int str_digit_value(char c)
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
	for (; str_digit_value(s[i]) < (int)base; i++) {
		u64 d = str_digit_value(s[i]);
		if (v > (UINT64_MAX - d) / base)
			return 0; /* overflow */
		v = v * base + d;
	}
	if (i == start)
		return 0;
	*out = v;
	return i;
}

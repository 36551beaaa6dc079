/*
 * kernel/cmdline.c: the options skiff passes on the kernel command line
 * (skiff/proto.h lists them). Unknown words are ignored.
 */
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include "cmdline.h"

struct boot_options boot_opts;

static bool word_is(const char *w, size_t len, const char *key)
{
	return strlen(key) == len && !memcmp(w, key, len);
}

/* Parses "KEY=number" where w points at the value. */
static u64 value(const char *v, size_t len)
{
	u64 x = 0;
	size_t n = str_to_u64(v, &x);
	return n && n <= len ? x : 0;
}

static void copy_value(char *dst, size_t size, const char *v, size_t len)
{
	if (len >= size)
		return;	/* too long to be an address: ignored */
	memcpy(dst, v, len);
	dst[len] = 0;
}

/* "SIZE[K|M]@BASE:IRQ" (BASE hex with 0x, SIZE decimal or hex). */
static void mmio_device(const char *v, size_t len)
{
	u64 size = 0, base = 0, irq = 0;
	size_t n = str_to_u64(v, &size);
	if (!n || n >= len)
		return;
	if (v[n] == 'K' || v[n] == 'k')
		size <<= 10, n++;
	else if (v[n] == 'M' || v[n] == 'm')
		size <<= 20, n++;
	if (n >= len || v[n++] != '@')
		return;
	size_t m = str_to_u64(v + n, &base);
	if (!m || n + m >= len || v[n + m] != ':')
		return;
	n += m + 1;
	m = str_to_u64(v + n, &irq);
	if (!m || n + m != len || !size || !base || irq > 255 ||
	    boot_opts.nmmio >= ARRAY_SIZE(boot_opts.mmio))
		return;
	boot_opts.mmio[boot_opts.nmmio++] =
		(struct boot_mmio){ .base = base, .size = size, .irq = irq };
}

/* Copies an escaped value (%XX for a byte) of len bytes into dst (size
 * bytes): false if too long or badly escaped. */
static bool unescape(char *dst, size_t size, const char *v, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		char c = v[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len || (hi = str_digit_value(v[i + 1])) > 15 ||
			    (lo = str_digit_value(v[i + 2])) > 15 || !(hi | lo))
				return false;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (n + 1 >= size)
			return false;
		dst[n++] = c;
	}
	dst[n] = 0;
	return true;
}

/* "DEV:PATH[:ro|:rw|:try]" (DEV as vda or /dev/vda, PATH absolute) or
 * "9p:TAG:PATH[:ro|:rw|:try]". */
static void mount_disk(const char *v, size_t len)
{
	struct boot_mount m = { .ro = false };
	const char *end = v + len, *c1 = memchr(v, ':', len), *c2, *p;

	if (!c1 || c1 == v || boot_opts.nmounts >= ARRAY_SIZE(boot_opts.mounts) ||
	    (size_t)(c1 - v) >= sizeof(m.dev))
		return;
	memcpy(m.dev, v, c1 - v);
	p = c1 + 1;
	if (!strcmp(m.dev, "9p")) {
		const char *t = memchr(p, ':', end - p);

		if (!t || t == p || (size_t)(t - p) >= sizeof(m.tag))
			return;
		memcpy(m.tag, p, t - p);
		p = t + 1;
	}
	c2 = memchr(p, ':', end - p);
	if (c2) {
		size_t flen = end - (c2 + 1);

		if (word_is(c2 + 1, flen, "ro"))
			m.ro = true;
		else if (word_is(c2 + 1, flen, "try"))
			m.soft = true;
		else if (!word_is(c2 + 1, flen, "rw"))
			return;
	}
	if ((c2 ? c2 : end) == p || *p != '/' ||
	    !unescape(m.path, sizeof(m.path), p, (c2 ? c2 : end) - p))
		return;
	boot_opts.mounts[boot_opts.nmounts++] = m;
}

static void option(const char *w, size_t len)
{
	const char *eq = memchr(w, '=', len);
	size_t klen = eq ? (size_t)(eq - w) : len;
	const char *v = eq ? eq + 1 : NULL;
	size_t vlen = eq ? len - klen - 1 : 0;

	if (word_is(w, klen, "verbose"))
		boot_opts.verbose = true;
	else if (v && word_is(w, klen, "tsc_khz"))
		boot_opts.tsc_khz = value(v, vlen);
	else if (v && word_is(w, klen, "realtime"))
		boot_opts.realtime_ns = value(v, vlen);
	else if (v && word_is(w, klen, "tty"))
		boot_opts.tty_mask = value(v, vlen);
	else if (v && word_is(w, klen, "outerr"))
		boot_opts.one_stream = value(v, vlen) == 1;
	else if (v && word_is(w, klen, "console"))
		boot_opts.plain_console = word_is(v, vlen, "ttyS0");
	else if (v && word_is(w, klen, "ip"))
		copy_value(boot_opts.ip, sizeof(boot_opts.ip), v, vlen);
	else if (v && word_is(w, klen, "gw"))
		copy_value(boot_opts.gw, sizeof(boot_opts.gw), v, vlen);
	else if (v && word_is(w, klen, "mount"))
		mount_disk(v, vlen);
	else if (v && word_is(w, klen, "cwd") && vlen && *v == '/' &&
		 !unescape(boot_opts.cwd, sizeof(boot_opts.cwd), v, vlen))
		boot_opts.cwd[0] = 0;
	else if (v && word_is(w, klen, "virtio_mmio.device"))
		mmio_device(v, vlen);
	else if (v && word_is(w, klen, "api"))
		boot_opts.api_port = (u16)value(v, vlen);
	else if (v && word_is(w, klen, "api_token"))
		copy_value(boot_opts.api_token, sizeof(boot_opts.api_token),
			   v, vlen);
	else if (v && word_is(w, klen, "winsize")) {
		u64 c = 0, r = 0;
		size_t n = str_to_u64(v, &c);
		if (n && n < vlen && v[n] == 'x' && str_to_u64(v + n + 1, &r)) {
			boot_opts.win_cols = c;
			boot_opts.win_rows = r;
		}
	}
}

void cmdline_parse(const char *s)
{
	while (s && *s) {
		while (*s == ' ')
			s++;
		const char *w = s;
		while (*s && *s != ' ')
			s++;
		if (s > w)
			option(w, s - w);
	}
}

void cmdline_scrub(char *s)
{
	while (s && *s) {
		while (*s == ' ')
			s++;
		char *w = s;
		while (*s && *s != ' ')
			s++;
		if (s - w > 10 && !memcmp(w, "api_token=", 10))
			memset(w + 10, 'x', s - w - 10);
	}
}

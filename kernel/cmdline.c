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

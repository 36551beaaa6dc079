/*
 * api/out.c: the growing buffers responses are built in, and JSON strings.
 * Layer: api/ (kmalloc only). A buffer that cannot grow sets oom and
 * drops what follows: the server answers 500 for it, never a cut text.
 */
#include <skiff/alloc.h>
#include <skiff/lib.h>
#include "api.h"

static bool grow(struct api_out *o, size_t n)
{
	size_t cap = o->cap ? o->cap : 256;
	char *p;

	if (o->oom)
		return false;
	if (o->len + n + 1 <= o->cap)
		return true;
	while (cap < o->len + n + 1)
		cap *= 2;
	if (!(p = krealloc(o->buf, cap))) {
		o->oom = true;
		return false;
	}
	o->buf = p;
	o->cap = cap;
	return true;
}

void out_bytes(struct api_out *o, const void *p, size_t n)
{
	if (!grow(o, n))
		return;
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	o->buf[o->len] = 0;
}

void out_str(struct api_out *o, const char *s)
{
	out_bytes(o, s, strlen(s));
}

void out_printf(struct api_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !grow(o, (size_t)n))
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(o->buf + o->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	o->len += (size_t)n;
}

void out_json_strn(struct api_out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	out_bytes(o, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

		if (c == '"' || c == '\\') {
			char two[2] = { '\\', (char)c };
			out_bytes(o, two, 2);
		} else if (c == '\n') {
			out_bytes(o, "\\n", 2);
		} else if (c < 0x20 || c == 0x7f) {
			out_bytes(o, esc, 6);
		} else {
			out_bytes(o, &s[i], 1);
		}
	}
	out_bytes(o, "\"", 1);
}

void out_json_str(struct api_out *o, const char *s)
{
	out_json_strn(o, s, strlen(s));
}

void out_free(struct api_out *o)
{
	kfree(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
	o->oom = false;
}

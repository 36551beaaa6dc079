/*
 * api/http.c: the HTTP/1.1 request parser of api/http.h (RFC 9112's
 * request line and header fields; RFC 9110's Content-Length, Connection,
 * Expect, Authorization). Pure: no libc and no kernel calls, so the same
 * file runs in the kernel, the unit test and the fuzzer.
 */
#include "http.h"

static bool is_tchar(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	for (const char *p = "!#$%&'*+-.^_`|~"; *p; p++)
		if (*p == c)
			return true;
	return false;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Whether s[0..n) equals the lower-case word w, ignoring case. */
static bool word_eq(const char *s, size_t n, const char *w)
{
	size_t i = 0;

	for (; i < n && w[i]; i++)
		if (lower(s[i]) != w[i])
			return false;
	return i == n && !w[i];
}

/* Whether the comma-separated list s[0..n) holds the word w. */
static bool list_has(const char *s, size_t n, const char *w)
{
	size_t i = 0;

	while (i < n) {
		size_t a, b;

		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ','))
			i++;
		a = i;
		while (i < n && s[i] != ',')
			i++;
		b = i;
		while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
			b--;
		if (b > a && word_eq(s + a, b - a, w))
			return true;
	}
	return false;
}

/* The end of the line starting at s (index of its '\n'), or -1. */
static long line_end(const char *s, size_t len, size_t from)
{
	for (size_t i = from; i < len; i++)
		if (s[i] == '\n')
			return (long)i;
	return -1;
}

/* "METHOD SP TARGET SP HTTP/1.x" in s[0..n) (no line ending). */
static long parse_request_line(const char *s, size_t n, struct http_req *r)
{
	size_t i = 0, t;

	while (i < n && is_tchar(s[i])) {
		if (i >= sizeof(r->method) - 1)
			return -501; /* no method of ours is that long */
		r->method[i] = s[i];
		i++;
	}
	r->method[i] = 0;
	if (!i || i >= n || s[i] != ' ')
		return -400;
	t = ++i;
	while (i < n && s[i] != ' ') {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f)
			return -400;
		i++;
	}
	if (i == t || s[t] != '/' || i >= n)
		return -400;
	for (size_t k = t; k < i; k++)
		r->target[k - t] = s[k];
	r->target[i - t] = 0;
	i++;
	if (n - i != 8 || s[i] != 'H' || s[i + 1] != 'T' || s[i + 2] != 'T' ||
	    s[i + 3] != 'P' || s[i + 4] != '/' || s[i + 6] != '.' ||
	    s[i + 5] < '0' || s[i + 5] > '9' || s[i + 7] < '0' || s[i + 7] > '9')
		return -400;
	if (s[i + 5] != '1')
		return -505;
	r->minor = s[i + 7] - '0';
	if (r->minor > 1)
		return -505;
	r->keep_alive = r->minor == 1;
	return 0;
}

/* Content-Length: digits only; a second one must agree. */
static long content_length(const char *v, size_t n, struct http_req *r,
			   bool *seen)
{
	size_t x = 0;

	if (!n)
		return -400;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -400;
		if (x > HTTP_BODY_MAX)
			return -413;
		x = x * 10 + (size_t)(v[i] - '0');
	}
	if (x > HTTP_BODY_MAX)
		return -413;
	if (*seen && x != r->content_length)
		return -400;
	*seen = true;
	r->content_length = x;
	return 0;
}

static void authorization(const char *v, size_t n, struct http_req *r)
{
	size_t i = 6;

	if (n < 7 || !word_eq(v, 6, "bearer") || (v[6] != ' ' && v[6] != '\t'))
		return;
	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	r->has_bearer = true;
	r->bearer_len = n - i;
	for (size_t k = 0; k < n - i && k < HTTP_TOKEN_MAX; k++)
		r->bearer[k] = v[i + k];
	r->bearer[r->bearer_len < HTTP_TOKEN_MAX ? r->bearer_len
						 : HTTP_TOKEN_MAX] = 0;
}

/* One header line s[0..n) (no line ending). */
static long parse_header(const char *s, size_t n, struct http_req *r,
			 bool *seen_length)
{
	size_t i = 0, a, b;

	while (i < n && is_tchar(s[i]))
		i++;
	if (!i || i >= n || s[i] != ':')
		return -400; /* no name, a space before ':', or obs-fold */
	const char *name = s;
	size_t nlen = i++;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	a = i;
	b = n;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	for (size_t k = a; k < b; k++)
		if ((unsigned char)s[k] < 0x20 && s[k] != '\t')
			return -400;
	if (word_eq(name, nlen, "content-length"))
		return content_length(s + a, b - a, r, seen_length);
	if (word_eq(name, nlen, "transfer-encoding"))
		return -501;
	if (word_eq(name, nlen, "connection")) {
		if (list_has(s + a, b - a, "close"))
			r->keep_alive = false;
		else if (list_has(s + a, b - a, "keep-alive"))
			r->keep_alive = true;
	} else if (word_eq(name, nlen, "expect")) {
		if (!word_eq(s + a, b - a, "100-continue"))
			return -400; /* 417 would be exact; no other is known */
		r->expect_continue = true;
	} else if (word_eq(name, nlen, "authorization")) {
		authorization(s + a, b - a, r);
	}
	return 0;
}

static void clear(struct http_req *r)
{
	char *p = (char *)r;

	for (size_t i = 0; i < sizeof(*r); i++)
		p[i] = 0;
}

long http_parse(const char *buf, size_t len, struct http_req *r)
{
	long e = line_end(buf, len, 0), err;
	size_t at, n;
	bool seen_length = false;

	clear(r);
	if (e < 0)
		return len >= HTTP_LINE_MAX ? -414 : 0;
	if ((size_t)e + 1 > HTTP_LINE_MAX)
		return -414;
	n = (size_t)e;
	if (n && buf[n - 1] == '\r')
		n--;
	if ((err = parse_request_line(buf, n, r)))
		return err;
	for (at = (size_t)e + 1;; at = (size_t)e + 1) {
		if ((e = line_end(buf, len, at)) < 0)
			return len >= HTTP_HEAD_MAX ? -431 : 0;
		if ((size_t)e + 1 > HTTP_HEAD_MAX)
			return -431;
		n = (size_t)e - at;
		if (n && buf[at + n - 1] == '\r')
			n--;
		if (!n)
			return e + 1;
		if (++r->nheaders > HTTP_HEADERS_MAX)
			return -431;
		if ((err = parse_header(buf + at, n, r, &seen_length)))
			return err;
	}
}

void http_split_target(const struct http_req *r, const char **path,
		       size_t *pathlen, const char **query)
{
	size_t i = 0;

	while (r->target[i] && r->target[i] != '?')
		i++;
	*path = r->target;
	*pathlen = i;
	*query = r->target[i] ? r->target + i + 1 : r->target + i;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

long http_unescape(char *dst, size_t size, const char *src, size_t len,
		   bool plus)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = src[i];

		if (c == '%') {
			int h, l;
			if (i + 2 >= len || (h = hexval(src[i + 1])) < 0 ||
			    (l = hexval(src[i + 2])) < 0)
				return -1;
			c = (char)(h * 16 + l);
			if (!c)
				return -1;
			i += 2;
		} else if (plus && c == '+') {
			c = ' ';
		}
		if (o + 1 >= size)
			return -1;
		dst[o++] = c;
	}
	if (!size)
		return -1;
	dst[o] = 0;
	return (long)o;
}

long http_query_get(const char *query, const char *key, char *dst,
		    size_t size)
{
	size_t klen = 0;

	while (key[klen])
		klen++;
	for (const char *p = query; *p;) {
		const char *amp = p, *eq;
		while (*amp && *amp != '&')
			amp++;
		for (eq = p; eq < amp && *eq != '='; eq++)
			;
		if ((size_t)(eq - p) == klen) {
			size_t k = 0;
			while (k < klen && p[k] == key[k])
				k++;
			if (k == klen)
				return eq < amp ? http_unescape(dst, size, eq + 1,
					(size_t)(amp - eq - 1), true)
						: http_unescape(dst, size, eq, 0,
								true);
		}
		p = *amp ? amp + 1 : amp;
	}
	return -1;
}

bool http_const_eq(const char *a, const char *b, size_t len)
{
	unsigned char d = 0;

	for (size_t i = 0; i < len; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

const char *http_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

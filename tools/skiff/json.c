/*
 * A strict JSON reader (RFC 8259) for skiff.json (config.c); interface in
 * skiff.h. Strict: no comments, no trailing commas, no duplicate member
 * names, no control characters or \u0000 in strings, nothing after the
 * value, a nesting depth of at most 32. An error is one sentence and the
 * byte offset where it is (json_where gives its line and column). Written
 * from the RFC; no third-party code.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "skiff.h"

#define JSON_DEPTH 32

struct reader {
	const char *p, *end, *start;
	char why[160];
	const char *at;		/* where the error is */
	int depth;
};

static bool fail(struct reader *r, const char *at, const char *why)
{
	if (!r->why[0]) {
		snprintf(r->why, sizeof(r->why), "%s", why);
		r->at = at;
	}
	return false;
}

static void skip_ws(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' ||
				 *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static struct json *new_node(struct reader *r, enum json_type type)
{
	struct json *j = xmalloc(sizeof(*j));

	memset(j, 0, sizeof(*j));
	j->type = type;
	j->pos = r->p - r->start;
	return j;
}

static void push(struct json *parent, struct json *kid)
{
	parent->kids = realloc(parent->kids, (parent->n + 1) * sizeof(*kid));
	if (!parent->kids)
		exit(SKIFF_EXIT_FAILED);
	parent->kids[parent->n++] = *kid;
	free(kid);
}

static int hex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' :
			c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static char *put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = cp;
	} else if (cp < 0x800) {
		*o++ = 0xc0 | cp >> 6;
		*o++ = 0x80 | (cp & 0x3f);
	} else if (cp < 0x10000) {
		*o++ = 0xe0 | cp >> 12;
		*o++ = 0x80 | ((cp >> 6) & 0x3f);
		*o++ = 0x80 | (cp & 0x3f);
	} else {
		*o++ = 0xf0 | cp >> 18;
		*o++ = 0x80 | ((cp >> 12) & 0x3f);
		*o++ = 0x80 | ((cp >> 6) & 0x3f);
		*o++ = 0x80 | (cp & 0x3f);
	}
	return o;
}

/* \uXXXX (a surrogate pair: two) at r->p (after the 'u'). */
static bool unicode_escape(struct reader *r, char **o)
{
	const char *at = r->p - 2;
	int cp = r->end - r->p >= 4 ? hex4(r->p) : -1, lo;

	if (cp < 0)
		return fail(r, at, "bad \\u escape: 4 hex digits expected");
	r->p += 4;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(r, at, "a lone low surrogate in \\u escapes");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		lo = r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u' ?
		     hex4(r->p + 2) : -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail(r, at, "a high surrogate without its low one");
		r->p += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp == 0)
		return fail(r, at, "\\u0000 is not allowed here");
	*o = put_utf8(*o, cp);
	return true;
}

static bool parse_string(struct reader *r, char **out)
{
	static const char esc[] = "\"\\/bfnrt", val[] = "\"\\/\b\f\n\r\t";
	const char *start = r->p++;
	char *buf = xmalloc(r->end - start), *o = buf;

	while (r->p < r->end && *r->p != '"') {
		unsigned char c = *r->p++;
		const char *e;

		if (c < 0x20) {
			free(buf);
			return fail(r, r->p - 1, "a control character in a string (escape it)");
		}
		if (c != '\\') {
			*o++ = c;
			continue;
		}
		if (r->p == r->end)
			break;
		c = *r->p++;
		if (c == 'u') {
			if (!unicode_escape(r, &o)) {
				free(buf);
				return false;
			}
		} else if (c && (e = strchr(esc, c))) {
			*o++ = val[e - esc];
		} else {
			free(buf);
			return fail(r, r->p - 2, "bad escape in a string");
		}
	}
	if (r->p == r->end) {
		free(buf);
		return fail(r, start, "unterminated string");
	}
	r->p++;
	*o = '\0';
	*out = buf;
	return true;
}

static bool digits(struct reader *r)
{
	const char *s = r->p;

	while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
		r->p++;
	return r->p > s;
}

static bool parse_number(struct reader *r, struct json *j)
{
	const char *s = r->p;
	char buf[64];

	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p < r->end && *r->p == '0')
		r->p++;
	else if (!digits(r))
		return fail(r, s, "bad number");
	if (r->p < r->end && *r->p == '.' && (r->p++, !digits(r)))
		return fail(r, s, "bad number: digits expected after '.'");
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (!digits(r))
			return fail(r, s, "bad number: digits expected in the exponent");
	}
	if ((size_t)(r->p - s) >= sizeof(buf))
		return fail(r, s, "number too long");
	memcpy(buf, s, r->p - s);
	buf[r->p - s] = '\0';
	j->num = strtod(buf, NULL);
	return true;
}

static bool parse_value(struct reader *r, struct json *j);

static bool parse_members(struct reader *r, struct json *j, bool object)
{
	char close = object ? '}' : ']';

	r->p++;
	skip_ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return true;
	}
	for (;;) {
		struct json *kid;
		char *key = NULL;
		size_t keypos;

		skip_ws(r);
		keypos = r->p - r->start;
		if (object) {
			if (r->p == r->end || *r->p != '"')
				return fail(r, r->p, "a member's name (a string) expected");
			if (!parse_string(r, &key))
				return false;
			for (size_t i = 0; i < j->n; i++)
				if (!strcmp(j->kids[i].key, key)) {
					free(key);
					return fail(r, r->start + keypos, "a duplicate member name");
				}
			skip_ws(r);
			if (r->p == r->end || *r->p != ':') {
				free(key);
				return fail(r, r->p, "':' expected after a member's name");
			}
			r->p++;
			skip_ws(r);
		}
		kid = new_node(r, JSON_NULL);
		kid->key = key;
		kid->keypos = keypos;
		if (!parse_value(r, kid)) {
			json_free(kid);
			free(kid);
			return false;
		}
		push(j, kid);
		skip_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return true;
		}
		return fail(r, r->p, object ? "',' or '}' expected" : "',' or ']' expected");
	}
}

static bool literal(struct reader *r, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n))
		return fail(r, r->p, "a value expected");
	r->p += n;
	return true;
}

static bool parse_value(struct reader *r, struct json *j)
{
	bool ok;

	skip_ws(r);
	j->pos = r->p - r->start;
	if (r->p == r->end)
		return fail(r, r->p, "a value expected, the file ends");
	switch (*r->p) {
	case '{':
	case '[':
		if (++r->depth > JSON_DEPTH)
			return fail(r, r->p, "nested too deep");
		j->type = *r->p == '{' ? JSON_OBJECT : JSON_ARRAY;
		ok = parse_members(r, j, j->type == JSON_OBJECT);
		r->depth--;
		return ok;
	case '"':
		j->type = JSON_STRING;
		return parse_string(r, &j->str);
	case 't':
		j->type = JSON_BOOL;
		j->num = 1;
		return literal(r, "true");
	case 'f':
		j->type = JSON_BOOL;
		return literal(r, "false");
	case 'n':
		return literal(r, "null");
	}
	if (*r->p != '-' && (*r->p < '0' || *r->p > '9'))
		return fail(r, r->p, "a value expected");
	j->type = JSON_NUMBER;
	return parse_number(r, j);
}

void json_where(const char *text, size_t pos, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < pos; i++) {
		if (text[i] == '\n') {
			++*line;
			*col = 1;
		} else {
			++*col;
		}
	}
}

int json_parse(const char *text, size_t len, struct json *out, char *why,
	       size_t whylen, size_t *errpos)
{
	struct reader r = { text, text + len, text, "", NULL, 0 };

	memset(out, 0, sizeof(*out));
	if (len && memchr(text, 0, len))
		fail(&r, (const char *)memchr(text, 0, len), "a NUL byte in the file");
	if (!r.why[0] && parse_value(&r, out)) {
		skip_ws(&r);
		if (r.p != r.end)
			fail(&r, r.p, "more after the value");
	}
	if (!r.why[0])
		return 0;
	json_free(out);
	snprintf(why, whylen, "%s", r.why);
	*errpos = r.at - text;
	return -EINVAL;
}

void json_free(struct json *j)
{
	for (size_t i = 0; i < j->n; i++)
		json_free(&j->kids[i]);
	free(j->kids);
	free(j->str);
	free(j->key);
	j->kids = NULL;
	j->str = j->key = NULL;
	j->n = 0;
}

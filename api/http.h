/*
 * api/http.h: the management API's HTTP/1.1 request parser, a pure module
 * (no kernel calls: it builds on the host for the unit test and libFuzzer).
 * Layer: api/, private to it.
 *
 * Interface: the server keeps a connection's bytes in a buffer and calls
 * http_parse on all of them after each read. It answers 0 while the head
 * (request line and headers, up to the blank line) is incomplete and still
 * within the limits; the head's length once complete, with *r filled; or
 * a negative HTTP status to answer before closing (-400 malformed, -414
 * request line too long, -431 headers too large or too many, -413 body
 * larger than HTTP_BODY_MAX, -501 a transfer coding, -505 a version other
 * than 1.0 and 1.1). The body (r->content_length bytes) follows the head.
 * Lines end in CRLF or a bare LF. The parse keeps no state between calls,
 * so a partial head is parsed again from its start: it is at most
 * HTTP_HEAD_MAX bytes.
 */
#ifndef API_HTTP_H
#define API_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_LINE_MAX 2048	/* the request line, its CRLF included */
#define HTTP_HEAD_MAX 8192	/* the whole head */
#define HTTP_HEADERS_MAX 32	/* header lines */
#define HTTP_BODY_MAX (1u << 20)
#define HTTP_TOKEN_MAX 128	/* a bearer token we keep for comparing */

struct http_req {
	char method[8];
	char target[HTTP_LINE_MAX];	/* path and query, as sent */
	int minor;			/* HTTP/1.<minor> */
	size_t content_length;
	bool keep_alive;		/* by version and Connection */
	bool expect_continue;		/* Expect: 100-continue */
	bool has_bearer;		/* Authorization: Bearer ... */
	char bearer[HTTP_TOKEN_MAX + 1]; /* its token, cut at the max */
	size_t bearer_len;		/* its full length */
	int nheaders;
};

long http_parse(const char *buf, size_t len, struct http_req *r);

/*
 * Splits r->target: *path the path part (up to '?'), its length in
 * *pathlen, *query what follows '?' (or "").
 */
void http_split_target(const struct http_req *r, const char **path,
		       size_t *pathlen, const char **query);
/*
 * Decodes %XX escapes of src[0..len) into dst (size bytes, NUL-ended);
 * plus: '+' is a space (query values). The length, or -1 when an escape
 * is bad, decodes to a NUL, or dst is too small.
 */
long http_unescape(char *dst, size_t size, const char *src, size_t len,
		   bool plus);
/* The decoded value of key in a query string ("a=1&b=2") into dst: its
 * length, or -1 if absent or undecodable. */
long http_query_get(const char *query, const char *key, char *dst,
		    size_t size);
/* Compares a and b (each of len bytes) in time that depends on len only. */
bool http_const_eq(const char *a, const char *b, size_t len);
/* The reason phrase of a status code ("Not Found"). */
const char *http_reason(int status);

#endif

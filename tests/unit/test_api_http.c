/* SOURCES: api/http.c */
/*
 * api/http.c: the management API's request parser on good requests,
 * partial heads, and hostile ones (each limit, malformed lines), and its
 * helpers (target split, %XX, query values, the constant-time compare).
 */
#include <stdio.h>
#include <string.h>
#include "../../api/http.h"
#include "shim.h"

static long parse(const char *s, struct http_req *r)
{
	return http_parse(s, strlen(s), r);
}

static void good_request(void **state)
{
	struct http_req r;
	const char *s = "POST /env/A?val=1 HTTP/1.1\r\nHost: x\r\n"
			"Content-Length: 5\r\nAuthorization: Bearer abc123\r\n"
			"Expect: 100-continue\r\n\r\nhello";

	assert_int_equal(parse(s, &r), strlen(s) - 5);
	assert_string_equal(r.method, "POST");
	assert_string_equal(r.target, "/env/A?val=1");
	assert_int_equal(r.minor, 1);
	assert_int_equal(r.content_length, 5);
	assert_true(r.keep_alive);
	assert_true(r.expect_continue);
	assert_true(r.has_bearer);
	assert_string_equal(r.bearer, "abc123");
	assert_int_equal(r.bearer_len, 6);
	assert_int_equal(r.nheaders, 4);
}

static void keep_alive_rules(void **state)
{
	struct http_req r;

	assert_true(parse("GET / HTTP/1.0\r\n\r\n", &r) > 0);
	assert_false(r.keep_alive);
	assert_true(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
			  &r) > 0);
	assert_true(r.keep_alive);
	assert_true(parse("GET / HTTP/1.1\nConnection: foo, close\n\n", &r) > 0);
	assert_false(r.keep_alive);
}

/* Every prefix of a good head is "need more", never an error. */
static void partial_heads(void **state)
{
	const char *s = "GET /os/uptime HTTP/1.1\r\nA: b\r\n\r\n";
	struct http_req r;

	for (size_t n = 0; n < strlen(s); n++)
		assert_int_equal(http_parse(s, n, &r), 0);
	assert_int_equal(http_parse(s, strlen(s), &r), strlen(s));
}

static void malformed(void **state)
{
	static const char *const bad[] = {
		"GET\r\n\r\n", " / HTTP/1.1\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
		"GET x HTTP/1.1\r\n\r\n", "GET / HTTP/1.1 \r\n\r\n",
		"GET / HTTQ/1.1\r\n\r\n", "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
		"GET / HTTP/1.1\r\nA : b\r\n\r\n",
		"GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: \r\n\r\n",
		"GET /\x01 HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nA: \x01\r\n\r\n",
		"GET / HTTP/1.1\r\nExpect: something\r\n\r\n",
	};
	struct http_req r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i], &r), -400);
	assert_int_equal(parse("GET / HTTP/2.0\r\n\r\n", &r), -505);
	assert_int_equal(parse("GET / HTTP/1.2\r\n\r\n", &r), -505);
	assert_int_equal(parse("GET / HTTP/1.1\r\nTransfer-Encoding: chunked"
			       "\r\n\r\n", &r), -501);
	assert_int_equal(parse("VERYLONGMETHOD / HTTP/1.1\r\n\r\n", &r), -501);
}

static void limits(void **state)
{
	static char buf[HTTP_HEAD_MAX * 2];
	struct http_req r;
	size_t n;

	/* The request line: 414 past HTTP_LINE_MAX, complete or not. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'a', HTTP_LINE_MAX);
	assert_int_equal(http_parse(buf, strlen(buf), &r), -414);
	strcat(buf, " HTTP/1.1\r\n\r\n");
	assert_int_equal(http_parse(buf, strlen(buf), &r), -414);
	/* The longest request line that fits. */
	n = HTTP_LINE_MAX - strlen("GET / HTTP/1.1\r\n");
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'a', n);
	strcat(buf, " HTTP/1.1\r\n\r\n");
	assert_true(http_parse(buf, strlen(buf), &r) > 0);
	/* The head: 431 past HTTP_HEAD_MAX, and past HTTP_HEADERS_MAX lines. */
	memset(buf, 0, sizeof(buf));
	strcpy(buf, "GET / HTTP/1.1\r\nX: ");
	memset(buf + strlen(buf), 'b', HTTP_HEAD_MAX);
	assert_int_equal(http_parse(buf, strlen(buf), &r), -431);
	memset(buf, 0, sizeof(buf));
	strcpy(buf, "GET / HTTP/1.1\r\n");
	for (int i = 0; i <= HTTP_HEADERS_MAX; i++)
		strcat(buf, "A: b\r\n");
	strcat(buf, "\r\n");
	assert_int_equal(http_parse(buf, strlen(buf), &r), -431);
	/* The body: 413 past HTTP_BODY_MAX, and on absurd lengths. */
	assert_int_equal(parse("PUT / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n",
			       &r), -413);
	assert_int_equal(parse("PUT / HTTP/1.1\r\nContent-Length: "
			       "99999999999999999999999999\r\n\r\n", &r), -413);
	assert_true(parse("PUT / HTTP/1.1\r\nContent-Length: 1048576\r\n\r\n",
			  &r) > 0);
}

static void bearer(void **state)
{
	struct http_req r;
	char buf[512];

	assert_true(parse("GET / HTTP/1.1\r\nauthorization: bearer  t0k\r\n\r\n",
			  &r) > 0);
	assert_true(r.has_bearer);
	assert_string_equal(r.bearer, "t0k");
	assert_true(parse("GET / HTTP/1.1\r\nAuthorization: Basic eA==\r\n\r\n",
			  &r) > 0);
	assert_false(r.has_bearer);
	snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nAuthorization: Bearer "
		 "%0200d\r\n\r\n", 7);
	assert_true(parse(buf, &r) > 0);
	assert_int_equal(r.bearer_len, 200);
	assert_int_equal(strlen(r.bearer), HTTP_TOKEN_MAX);
}

static void helpers(void **state)
{
	struct http_req r;
	const char *path, *query;
	size_t plen;
	char out[64];

	assert_true(parse("GET /file/a%20b?op=GET&x=1+2 HTTP/1.1\r\n\r\n", &r) > 0);
	http_split_target(&r, &path, &plen, &query);
	assert_int_equal(plen, 11);
	assert_string_equal(query, "op=GET&x=1+2");
	assert_int_equal(http_unescape(out, sizeof(out), path, plen, false), 9);
	assert_string_equal(out, "/file/a b");
	assert_int_equal(http_query_get(query, "op", out, sizeof(out)), 3);
	assert_string_equal(out, "GET");
	assert_int_equal(http_query_get(query, "x", out, sizeof(out)), 3);
	assert_string_equal(out, "1 2");
	assert_int_equal(http_query_get(query, "o", out, sizeof(out)), -1);
	assert_int_equal(http_unescape(out, sizeof(out), "%2", 2, false), -1);
	assert_int_equal(http_unescape(out, sizeof(out), "%00", 3, false), -1);
	assert_int_equal(http_unescape(out, sizeof(out), "%zz", 3, false), -1);
	assert_int_equal(http_unescape(out, 3, "abc", 3, false), -1);
	assert_true(http_const_eq("abc", "abc", 3));
	assert_false(http_const_eq("abc", "abd", 3));
	assert_string_equal(http_reason(431), "Request Header Fields Too Large");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_request),
		cmocka_unit_test(keep_alive_rules),
		cmocka_unit_test(partial_heads),
		cmocka_unit_test(malformed),
		cmocka_unit_test(limits),
		cmocka_unit_test(bearer),
		cmocka_unit_test(helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

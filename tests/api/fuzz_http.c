/*
 * tests/api/fuzz_http.c: libFuzzer's entry for api/http.c, the management
 * API's request parser (tests/api/fuzz.sh builds and runs it). Besides
 * ASan and UBSan's checks, it asserts what the server relies on: a
 * parsed head lies within the input and ends in a blank line; an error
 * is one of the statuses the server answers; the helpers stay within
 * their buffers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../api/http.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_req r;
	long n = http_parse((const char *)data, size, &r);
	const char *path, *query;
	size_t plen;
	char out[HTTP_LINE_MAX];

	if (n < 0) {
		check(n == -400 || n == -413 || n == -414 || n == -431 ||
		      n == -501 || n == -505);
		return 0;
	}
	if (n == 0) {
		check(size < HTTP_HEAD_MAX);
		return 0;
	}
	check((size_t)n <= size && (size_t)n <= HTTP_HEAD_MAX);
	check(data[n - 1] == '\n');
	check(r.content_length <= HTTP_BODY_MAX);
	check(r.target[0] == '/' && strlen(r.target) < HTTP_LINE_MAX);
	check(strlen(r.bearer) <= HTTP_TOKEN_MAX);
	http_split_target(&r, &path, &plen, &query);
	check(plen <= strlen(r.target));
	long d = http_unescape(out, sizeof(out), path, plen, false);
	check(d < 0 || (size_t)d <= plen);
	d = http_query_get(query, "op", out, sizeof(out));
	check(d < 0 || (size_t)d < sizeof(out));
	return 0;
}

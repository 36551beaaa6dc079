/* SOURCES: tools/skiff/json.c */
/*
 * skiff.json's reader (tools/skiff/json.c): documents RFC 8259 allows, with
 * their values (nesting, every escape, a surrogate pair into UTF-8,
 * numbers); documents it forbids or skiff refuses (trailing commas,
 * comments, duplicate names, control characters, \u0000, lone
 * surrogates, leading zeros, garbage after the value, too deep), each
 * with the line and column of the error; and random bytes and random cuts
 * of a valid document, which must give a value or an error, never a read
 * out of bounds (ASan) or a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/errno.h>
#include "../../tools/skiff/skiff.h"
#include "shim.h"

void skiff_err(const char *fmt, ...)
{
	(void)fmt;
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	assert_non_null(p);
	return p;
}

static int parse(const char *text, struct json *j, char *why, size_t *pos)
{
	return json_parse(text, strlen(text), j, why, 160, pos);
}

static void test_valid(void **state)
{
	const char *doc = "{\n \"s\": \"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\",\n"
			  " \"n\": [0, -1.5e2, 3E+1, 0.25],\n \"t\": true, \"f\": false,"
			  " \"z\": null, \"o\": {\"e\": [], \"x\": {}}\n}";
	char why[160];
	size_t pos;
	struct json j;

	(void)state;
	assert_int_equal(parse(doc, &j, why, &pos), 0);
	assert_int_equal(j.type, JSON_OBJECT);
	assert_int_equal(j.n, 6);
	assert_string_equal(j.kids[0].key, "s");
	assert_string_equal(j.kids[0].str,
			    "a\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
	assert_int_equal(j.kids[1].type, JSON_ARRAY);
	assert_int_equal(j.kids[1].n, 4);
	assert_true(j.kids[1].kids[1].num == -150.0);
	assert_true(j.kids[1].kids[2].num == 30.0);
	assert_true(j.kids[1].kids[3].num == 0.25);
	assert_true(j.kids[2].type == JSON_BOOL && j.kids[2].num == 1);
	assert_true(j.kids[3].type == JSON_BOOL && j.kids[3].num == 0);
	assert_int_equal(j.kids[4].type, JSON_NULL);
	assert_int_equal(j.kids[5].kids[0].n, 0);
	assert_int_equal(j.kids[5].kids[1].type, JSON_OBJECT);
	json_free(&j);
	assert_int_equal(parse(" \t\r\n\"x\" \n", &j, why, &pos), 0);
	assert_string_equal(j.str, "x");
	json_free(&j);
}

static void test_invalid(void **state)
{
	static const struct {
		const char *text;
		int line, col;
	} bad[] = {
		{ "{\"a\": 1,}", 1, 9 },
		{ "[1,]", 1, 4 },
		{ "[1 2]", 1, 4 },
		{ "// c\n{}", 1, 1 },
		{ "{\"a\": 1, \"a\": 2}", 1, 10 },
		{ "{\"a\": \"x\ny\"}", 1, 9 },
		{ "[\"\\u0000\"]", 1, 3 },
		{ "[\"\\ud800\"]", 1, 3 },
		{ "[\"\\udc00\"]", 1, 3 },
		{ "[\"\\x\"]", 1, 3 },
		{ "[01]", 1, 3 },
		{ "[1.]", 1, 2 },
		{ "[-]", 1, 2 },
		{ "{}\n x", 2, 2 },
		{ "", 1, 1 },
		{ "{\"a\"}", 1, 5 },
		{ "{\n  \"a\": tru }", 2, 8 },
		{ "[\"abc", 1, 2 },
		{ "{1: 2}", 1, 2 },
	};
	char why[160], deep[80];
	size_t pos;
	struct json j;
	int line, col;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (parse(bad[i].text, &j, why, &pos) == 0)
			fail_msg("accepted: %s", bad[i].text);
		json_where(bad[i].text, pos, &line, &col);
		if (line != bad[i].line || col != bad[i].col)
			fail_msg("%s: %d:%d (%s), expected %d:%d", bad[i].text,
				 line, col, why, bad[i].line, bad[i].col);
	}
	memset(deep, '[', 40);
	memset(deep + 40, ']', 39);
	deep[79] = '\0';
	assert_int_equal(parse(deep, &j, why, &pos), -EINVAL);
	assert_non_null(strstr(why, "deep"));
	assert_int_equal(json_parse("[1]\0", 4, &j, why, sizeof(why), &pos), -EINVAL);
}

static void test_random(void **state)
{
	const char *doc = "{\"program\": \"./a\", \"args\": [\"x\", \"\\u00e9\"], "
			  "\"env\": {\"A\": \"1\"}, \"memory\": 1024}";
	size_t n = strlen(doc), pos;
	char why[160];
	struct json j;

	(void)state;
	srand(13);
	for (size_t cut = 0; cut <= n; cut++) {
		char *t = malloc(cut + 1);

		memcpy(t, doc, cut);
		t[cut] = '\0';
		if (json_parse(t, cut, &j, why, sizeof(why), &pos) == 0)
			json_free(&j);
		else
			assert_true(pos <= cut);
		free(t);
	}
	for (int round = 0; round < 2000; round++) {
		size_t len = rand() % 64;
		char *t = malloc(len + 1);

		for (size_t i = 0; i < len; i++)
			t[i] = "{}[]\":,0123456789-+.eE \\utrfalsn\n"[rand() % 34];
		t[len] = '\0';
		if (json_parse(t, len, &j, why, sizeof(why), &pos) == 0)
			json_free(&j);
		else
			assert_true(pos <= len);
		free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

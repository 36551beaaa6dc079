/* SOURCES: tools/skiff/proto.c */
/*
 * The host side of the console protocol (tools/skiff/proto.c): streams
 * encoded as skiff/proto.h describes, cut at random places, must come out
 * per channel exactly as they went in; control records parse into the
 * first record only; stdin escaping undoes to the input.
 */
#include <stdlib.h>
#include <string.h>
#include <skiff/proto.h>
#include "../../tools/skiff/skiff.h"
#include "shim.h"

#define CHANNELS 4
#define MAX_OUT 65536

struct capture {
	u8 data[CHANNELS][MAX_OUT];
	size_t len[CHANNELS];
};

static void sink(void *ctx, int channel, const u8 *buf, size_t n)
{
	struct capture *c = ctx;

	assert_true(channel >= 0 && channel < CHANNELS && channel != PROTO_CH_CTL);
	assert_true(c->len[channel] + n <= MAX_OUT);
	memcpy(c->data[channel] + c->len[channel], buf, n);
	c->len[channel] += n;
}

/* The guest's side, from the text of proto.h. */
static size_t encode(u8 *out, int *cur, int channel, const u8 *p, size_t n)
{
	size_t len = 0;

	if (channel != *cur) {
		out[len++] = PROTO_ESC;
		out[len++] = channel;
		*cur = channel;
	}
	for (size_t i = 0; i < n; i++) {
		if (p[i] == PROTO_ESC)
			out[len++] = PROTO_ESC;
		out[len++] = p[i];
	}
	return len;
}

static void test_demux_random(void **state)
{
	static struct capture want, got;
	static u8 stream[4 * MAX_OUT];
	struct proto_demux d;
	size_t slen = 0;
	int cur = PROTO_CH_LOG;

	memset(&want, 0, sizeof(want));
	memset(&got, 0, sizeof(got));
	srand(7);
	for (int i = 0; i < 2000; i++) {
		static const int chans[] = { 0, 1, 2 };
		int ch = chans[rand() % 3];
		u8 buf[16];
		size_t n = rand() % sizeof(buf);

		for (size_t k = 0; k < n; k++)
			buf[k] = rand() % 4 == 0 ? PROTO_ESC : rand();
		memcpy(want.data[ch] + want.len[ch], buf, n);
		want.len[ch] += n;
		slen += encode(stream + slen, &cur, ch, buf, n);
	}
	slen += encode(stream + slen, &cur, PROTO_CH_CTL, (const u8 *)"exit 42\n", 8);
	slen += encode(stream + slen, &cur, PROTO_CH_CTL, (const u8 *)"exit 1\n", 7);
	proto_init(&d, sink, &got);
	for (size_t off = 0; off < slen;) {
		size_t n = 1 + rand() % 9;

		n = n > slen - off ? slen - off : n;
		proto_feed(&d, stream + off, n);
		off += n;
	}
	for (int ch = 0; ch < 3; ch++) {
		assert_int_equal(got.len[ch], want.len[ch]);
		assert_memory_equal(got.data[ch], want.data[ch], want.len[ch]);
	}
	assert_int_equal(d.rec.kind, REC_EXIT);
	assert_int_equal(d.rec.status, 42);
}

static void test_records(void **state)
{
	struct proto_record r;

	assert_true(proto_parse_record("exit 0", &r));
	assert_int_equal(r.kind, REC_EXIT);
	assert_int_equal(r.status, 0);
	assert_true(proto_parse_record("exit 255", &r));
	assert_int_equal(r.status, 255);
	assert_false(proto_parse_record("exit 256", &r));
	assert_false(proto_parse_record("exit -1", &r));
	assert_false(proto_parse_record("exit 1x", &r));
	assert_false(proto_parse_record("exit", &r));

	assert_true(proto_parse_record("signal 11 0 401234", &r));
	assert_int_equal(r.kind, REC_SIGNAL);
	assert_int_equal(r.status, 11);
	assert_int_equal(r.addr, 0);
	assert_int_equal(r.rip, 0x401234);
	assert_true(proto_parse_record("signal 7 0xdead 0xffffffff80001000", &r));
	assert_int_equal(r.addr, 0xdead);
	assert_int_equal(r.rip, 0xffffffff80001000ull);
	assert_false(proto_parse_record("signal 0 0 0", &r));
	assert_false(proto_parse_record("signal 11 0", &r));
	assert_false(proto_parse_record("signal 11 zz 0", &r));

	assert_true(proto_parse_record("error cannot load /x: out of memory", &r));
	assert_int_equal(r.kind, REC_ERROR);
	assert_string_equal(r.msg, "cannot load /x: out of memory");
	assert_true(proto_parse_record("panic", &r));
	assert_int_equal(r.kind, REC_PANIC);
	assert_string_equal(r.msg, "");
	assert_true(proto_parse_record("panic page fault in kernel", &r));
	assert_string_equal(r.msg, "page fault in kernel");
	assert_false(proto_parse_record("panicky", &r));
	assert_false(proto_parse_record("", &r));
}

static void test_escape_input(void **state)
{
	u8 in[512], out[1024], back[512];
	size_t n, m = 0;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = i * 37;
	n = proto_escape_input(in, sizeof(in), out);
	/* Undo it as the guest does; an escape never meets PROTO_IN_EOF. */
	for (size_t i = 0; i < n; i++) {
		if (out[i] == PROTO_ESC) {
			assert_true(i + 1 < n);
			assert_int_equal(out[++i], PROTO_ESC);
		}
		back[m++] = out[i];
	}
	assert_int_equal(m, sizeof(in));
	assert_memory_equal(back, in, m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demux_random),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_escape_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

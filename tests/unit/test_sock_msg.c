/* SOURCES: net/msg.c */
/*
 * net/msg.c: a message's cursor over its pieces. The iobuf copies are
 * stubbed here (kernel buffers; a piece whose base is NULL faults), so
 * the test sees only msg_init, msg_copy_from, msg_copy_to and msg_left.
 */
#include <string.h>
#include <skiff/errno.h>
#include <skiff/net.h>
#include "shim.h"

int iobuf_copy_in(struct iobuf *io, size_t at, void *dst, size_t n)
{
	if (!io->base || at + n > io->len)
		return -EFAULT;
	memcpy(dst, io->base + at, n);
	return 0;
}

int iobuf_copy_out(struct iobuf *io, size_t at, const void *src, size_t n)
{
	if (!io->base || at + n > io->len)
		return -EFAULT;
	memcpy(io->base + at, src, n);
	return 0;
}

static void test_send_across_pieces(void **state)
{
	char a[] = "hel", b[] = "", c[] = "lo world", out[16] = { 0 };
	struct iobuf io[3] = { { a, 3, false }, { b, 0, false }, { c, 8, false } };
	struct sock_msg m;

	msg_init(&m, io, 3, MSG_PEEK);
	assert_int_equal(m.len, 11);
	assert_int_equal(m.flags, MSG_PEEK);
	assert_null(m.name);
	assert_int_equal(msg_copy_from(&m, out, 5), 5);
	assert_memory_equal(out, "hello", 5);
	assert_int_equal(msg_left(&m), 6);
	assert_int_equal(msg_copy_from(&m, out, 100), 6);
	assert_memory_equal(out, " world", 6);
	assert_int_equal(msg_left(&m), 0);
	assert_int_equal(msg_copy_from(&m, out, 1), 0);
}

static void test_receive_and_fault(void **state)
{
	char a[4], c[4];
	struct iobuf io[3] = { { a, 4, false }, { NULL, 4, false },
			       { c, 4, false } };
	struct sock_msg m;

	msg_init(&m, io, 3, 0);
	assert_int_equal(msg_copy_to(&m, "abcdef", 6), 4);
	assert_memory_equal(a, "abcd", 4);
	/* The bad piece: nothing moved, -EFAULT. */
	assert_int_equal(msg_copy_to(&m, "xy", 2), -EFAULT);
	assert_int_equal(msg_left(&m), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send_across_pieces),
		cmocka_unit_test(test_receive_and_fault),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

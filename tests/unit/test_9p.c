/* SOURCES: fs/9p/proto.c fs/9p/client.c lib/printf.c lib/strconv.c */
/*
 * fs/9p/proto.c and client.c on the host: the client's calls over a fake
 * channel whose "host" answers each request at once with a reply built
 * here, well-formed or not. Covered: the T-messages' bytes (Twalk,
 * Tsetattr), version negotiation, every field of Rgetattr, Rlerror, and
 * malformed replies (short, a size past what the device wrote, wrong tag
 * or type, errno 0 or out of range, counts past the data or past what
 * was asked, directory entries with bad names or cut short, a readlink
 * target with a NUL): each is -EIO, never a fault (ASan) or a hang; a
 * transport failure makes every later call -EIO.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <skiff/alloc.h>
#include <skiff/sched.h>
#include "../../fs/9p/9p.h"
#include "shim.h"

/* Kernel services the client uses, host versions. */
void *page_alloc_dirty(size_t n) { return malloc(n * 4096); }
void page_free(void *p, size_t n) { (void)n; free(p); }
static int fake_thread;
struct thread *thread_current(void) { return (struct thread *)&fake_thread; }
bool thread_set_uninterruptible(struct thread *t, bool on) { (void)t; return !on; }
int waitq_sleep(struct waitq *wq, struct spinlock *lk, u64 d)
{
	(void)wq, (void)lk, (void)d;
	fail_msg("a call slept: its reply never came");
	return 0;
}
int iobuf_copy_out(struct iobuf *io, size_t at, const void *src, size_t n)
{
	if (at + n > io->len)
		return -EFAULT;
	memcpy(io->base + at, src, n);
	return 0;
}
int iobuf_copy_in(struct iobuf *io, size_t at, void *dst, size_t n)
{
	if (at + n > io->len)
		return -EFAULT;
	memcpy(dst, io->base + at, n);
	return 0;
}

/* The last request, and the reply the fake host gives. */
static u8 last_tx[1024];
static u32 last_txlen;
static u8 reply[8192];
static u32 reply_len;		/* bytes "written by the device" */
static int reply_tag = -1;	/* -1: the request's own */
static int transport_status;

static int fake_submit(struct p9_chan *c, struct p9_req *r)
{
	(void)c;
	last_txlen = r->txlen;
	memcpy(last_tx, r->tx, MIN(r->txlen, sizeof(last_tx)));
	memcpy(r->rx, reply, MIN(reply_len, r->rxcap));
	if (reply_len >= 7) { /* the tag: the request's unless told */
		u8 *rx = r->rx;
		rx[5] = reply_tag < 0 ? ((u8 *)r->tx)[5] : (u8)reply_tag;
		rx[6] = reply_tag < 0 ? ((u8 *)r->tx)[6] : (u8)(reply_tag >> 8);
	}
	r->rxlen = MIN(reply_len, r->rxcap);
	r->status = transport_status;
	r->done = true;
	return 0;
}
static void fake_kick(struct p9_chan *c) { (void)c; }
static unsigned fake_reap(struct p9_chan *c) { (void)c; return 0; }

static struct p9_chan chan = { .tag = "t", .submit = fake_submit,
			       .kick = fake_kick, .reap = fake_reap };
static struct p9_client cl;
static struct p9_buf rb;

/* Starts the next reply: type; fields follow through rb. */
static void r_begin(u8 type)
{
	p9_begin(&rb, reply, sizeof(reply), type);
	reply_tag = -1;
	transport_status = 0;
}
static void r_end(void)
{
	assert_int_equal(p9_end(&rb), 0);
	reply_len = rb.len;
}

static void r_qid(u64 path)
{
	p9_put8(&rb, 0);
	p9_put32(&rb, 0);
	p9_put64(&rb, path);
}

static int setup(void **state)
{
	(void)state;
	r_begin(P9_TVERSION + 1);
	p9_put32(&rb, 65536);
	p9_putstr(&rb, "9P2000.L");
	r_end();
	chan.user = NULL;
	memset(&cl, 0, sizeof(cl));
	assert_int_equal(p9_client_init(&cl, &chan), 0);
	assert_int_equal(cl.msize, 65536);
	return 0;
}

static void version_refused(void **state)
{
	struct p9_client c = { 0 };

	(void)state;
	r_begin(P9_TVERSION + 1);
	p9_put32(&rb, 65536);
	p9_putstr(&rb, "9P2000");
	r_end();
	assert_int_equal(p9_client_init(&c, &chan), -EPROTONOSUPPORT);
	r_begin(P9_TVERSION + 1);
	p9_put32(&rb, 100); /* below the minimum */
	p9_putstr(&rb, "9P2000.L");
	r_end();
	memset(&c, 0, sizeof(c));
	assert_int_equal(p9_client_init(&c, &chan), -EIO);
}

static void walk_message(void **state)
{
	const char *names[2] = { "a", "bc" };
	static const u8 want[] = { 24, 0, 0, 0, P9_TWALK, 0, 0, 7, 0, 0, 0,
				   8, 0, 0, 0, 2, 0, 1, 0, 'a', 2, 0, 'b', 'c' };
	struct p9_qid q;

	(void)state;
	r_begin(P9_TWALK + 1);
	p9_put16(&rb, 2);
	r_qid(5);
	r_qid(6);
	r_end();
	assert_int_equal(p9_walk(&cl, 7, 8, 2, names, &q), 0);
	assert_int_equal(q.path, 6);
	/* The tag (bytes 5, 6) is the client's choice: compare the rest. */
	assert_int_equal(last_txlen, 24);
	u8 got[24];
	memcpy(got, last_tx, 24);
	got[5] = got[6] = 0;
	assert_memory_equal(got, want, 24);
	/* Fewer qids than names: the walk stopped, ENOENT. */
	r_begin(P9_TWALK + 1);
	p9_put16(&rb, 1);
	r_qid(5);
	r_end();
	assert_int_equal(p9_walk(&cl, 7, 8, 2, names, &q), -ENOENT);
	/* More qids than names, or qids past the data: malformed. */
	r_begin(P9_TWALK + 1);
	p9_put16(&rb, 3);
	r_qid(1); r_qid(2); r_qid(3);
	r_end();
	assert_int_equal(p9_walk(&cl, 7, 8, 2, names, &q), -EIO);
	r_begin(P9_TWALK + 1);
	p9_put16(&rb, 2);
	r_qid(1);
	r_end();
	assert_int_equal(p9_walk(&cl, 7, 8, 2, names, &q), -EIO);
}

static void put_attr(u64 valid)
{
	r_begin(P9_TGETATTR + 1);
	p9_put64(&rb, valid);
	r_qid(42);
	p9_put32(&rb, 0100644);
	p9_put32(&rb, 1000);
	p9_put32(&rb, 100);
	p9_put64(&rb, 2);	/* nlink */
	p9_put64(&rb, 0);	/* rdev */
	p9_put64(&rb, 12345);	/* size */
	p9_put64(&rb, 4096);
	p9_put64(&rb, 32);
	for (int i = 0; i < 3; i++) {
		p9_put64(&rb, 1000 + i);
		p9_put64(&rb, 500 + i);
	}
	for (int i = 0; i < 6; i++)
		p9_put64(&rb, 0);
	r_end();
}

static void getattr_fields(void **state)
{
	struct p9_attr a;

	(void)state;
	put_attr(0x3fff);
	assert_int_equal(p9_getattr(&cl, 3, &a), 0);
	assert_int_equal(a.qid.path, 42);
	assert_int_equal(a.mode, 0100644);
	assert_int_equal(a.uid, 1000);
	assert_int_equal(a.gid, 100);
	assert_int_equal(a.nlink, 2);
	assert_int_equal(a.size, 12345);
	assert_int_equal(a.blocks, 32);
	assert_int_equal(a.atime.sec, 1000);
	assert_int_equal(a.mtime.nsec, 501);
	assert_int_equal(a.ctime.sec, 1002);
	put_attr(0x1); /* the basic fields not all valid */
	assert_int_equal(p9_getattr(&cl, 3, &a), -EIO);
	put_attr(0x3fff);
	reply_len -= 9; /* cut short: the device wrote less than size says */
	assert_int_equal(p9_getattr(&cl, 3, &a), -EIO);
	put_attr(0x3fff);
	reply[4] = P9_TGETATTR + 3; /* another type */
	assert_int_equal(p9_getattr(&cl, 3, &a), -EIO);
	put_attr(0x3fff);
	reply_tag = 99; /* another tag */
	assert_int_equal(p9_getattr(&cl, 3, &a), -EIO);
}

static void lerror(void **state)
{
	struct p9_attr a;
	u32 codes[] = { ENOENT, 0, 99999 };
	int want[] = { -ENOENT, -EIO, -EIO };

	(void)state;
	for (int i = 0; i < 3; i++) {
		r_begin(P9_RLERROR);
		p9_put32(&rb, codes[i]);
		r_end();
		assert_int_equal(p9_getattr(&cl, 3, &a), want[i]);
	}
	r_begin(P9_RLERROR); /* no errno at all */
	r_end();
	assert_int_equal(p9_getattr(&cl, 3, &a), -EIO);
	reply_len = 3; /* not even a header */
	assert_int_equal(p9_getattr(&cl, 3, &a), -EIO);
}

static void read_counts(void **state)
{
	char buf[16] = { 0 };
	struct iobuf io = { buf, sizeof(buf), false };
	u32 asked;

	(void)state;
	r_begin(P9_TREAD + 1);
	p9_put32(&rb, 5);
	memcpy(p9_putspace(&rb, 5), "hello", 5);
	r_end();
	assert_int_equal(p9_read(&cl, 4, 0, &io, 0, 16, &asked), 5);
	assert_memory_equal(buf, "hello", 5);
	r_begin(P9_TREAD + 1);
	p9_put32(&rb, 20); /* more than asked */
	memset(p9_putspace(&rb, 20), 'x', 20);
	r_end();
	assert_int_equal(p9_read(&cl, 4, 0, &io, 0, 16, &asked), -EIO);
	r_begin(P9_TREAD + 1);
	p9_put32(&rb, 10); /* past the data */
	memcpy(p9_putspace(&rb, 3), "abc", 3);
	r_end();
	assert_int_equal(p9_read(&cl, 4, 0, &io, 0, 16, &asked), -EIO);
	r_begin(P9_TWRITE + 1);
	p9_put32(&rb, 17); /* wrote more than given */
	r_end();
	assert_int_equal(p9_write(&cl, 4, 0, &io, 0, 16, &asked), -EIO);
	r_begin(P9_TWRITE + 1);
	p9_put32(&rb, 16);
	r_end();
	assert_int_equal(p9_write(&cl, 4, 0, &io, 0, 16, &asked), 16);
	assert_memory_equal(last_tx + 23, buf, 16);
}

static char names_seen[8][NAME_MAX + 1];
static int nseen;

static bool collect(void *arg, const struct p9_qid *q, u64 next, u8 type,
		    const char *name)
{
	(void)arg, (void)q, (void)next, (void)type;
	if (nseen < 8)
		strcpy(names_seen[nseen++], name);
	return true;
}

/* An Rreaddir of the entries in e (n of them, names as given, with
 * name lengths as given: a lie when len != strlen). */
static void put_dir(const char *const *e, const u16 *len, int n, int cut)
{
	u8 *count;

	r_begin(P9_TREADDIR + 1);
	count = p9_putspace(&rb, 4);
	for (int i = 0; i < n; i++) {
		r_qid(100 + i);
		p9_put64(&rb, i + 1);
		p9_put8(&rb, DT_REG);
		p9_put16(&rb, len[i]);
		memcpy(p9_putspace(&rb, strlen(e[i])), e[i], strlen(e[i]));
	}
	u32 c = rb.at - 11 - cut;
	memcpy(count, &c, 4);
	rb.at -= cut;
	r_end();
}

static void readdir_entries(void **state)
{
	const char *good[] = { "one", "two" }, *slash[] = { "a/b" },
		   *nul[] = { "a\0b" };
	u16 good_len[] = { 3, 3 }, three[] = { 3 }, zero[] = { 0 },
	    long_len[] = { 300 };

	(void)state;
	nseen = 0;
	put_dir(good, good_len, 2, 0);
	assert_int_equal(p9_readdir(&cl, 5, 0, 4096, collect, NULL), 2);
	assert_int_equal(nseen, 2);
	assert_string_equal(names_seen[1], "two");
	put_dir(good, good_len, 2, 4); /* the last entry cut short */
	assert_int_equal(p9_readdir(&cl, 5, 0, 4096, collect, NULL), -EIO);
	put_dir(slash, three, 1, 0);
	assert_int_equal(p9_readdir(&cl, 5, 0, 4096, collect, NULL), -EIO);
	put_dir(nul, three, 1, 0);
	assert_int_equal(p9_readdir(&cl, 5, 0, 4096, collect, NULL), -EIO);
	put_dir(good, zero, 1, 0);
	assert_int_equal(p9_readdir(&cl, 5, 0, 4096, collect, NULL), -EIO);
	put_dir(good, long_len, 1, 0); /* a name past the data */
	assert_int_equal(p9_readdir(&cl, 5, 0, 4096, collect, NULL), -EIO);
	put_dir(good, good_len, 2, 0); /* more than asked for */
	assert_int_equal(p9_readdir(&cl, 5, 0, 10, collect, NULL), -EIO);
}

static void readlink_target(void **state)
{
	char buf[64];

	(void)state;
	r_begin(P9_TREADLINK + 1);
	p9_putstr(&rb, "../target");
	r_end();
	assert_int_equal(p9_readlink(&cl, 6, buf, sizeof(buf)), 9);
	assert_memory_equal(buf, "../target", 9);
	r_begin(P9_TREADLINK + 1);
	p9_put16(&rb, 3);
	memcpy(p9_putspace(&rb, 3), "a\0b", 3);
	r_end();
	assert_int_equal(p9_readlink(&cl, 6, buf, sizeof(buf)), -EIO);
	r_begin(P9_TREADLINK + 1);
	p9_putstr(&rb, "");
	r_end();
	assert_int_equal(p9_readlink(&cl, 6, buf, sizeof(buf)), -EIO);
}

static void setattr_message(void **state)
{
	struct p9_setattr s = { .valid = P9_SETATTR_SIZE, .size = 0x0102030405ull };

	(void)state;
	r_begin(P9_TSETATTR + 1);
	r_end();
	assert_int_equal(p9_setattr(&cl, 9, &s), 0);
	assert_int_equal(last_txlen, 67);
	assert_int_equal(last_tx[4], P9_TSETATTR);
	assert_int_equal(last_tx[7], 9);		/* fid */
	assert_int_equal(last_tx[11], P9_SETATTR_SIZE);	/* valid */
	assert_int_equal(last_tx[27], 0x05);		/* size, little-endian */
	assert_int_equal(last_tx[31], 0x01);
}

static void transport_failure(void **state)
{
	struct p9_attr a;

	(void)state;
	put_attr(0x3fff);
	transport_status = -EIO;
	assert_int_equal(p9_getattr(&cl, 3, &a), -EIO);
	transport_status = 0;
	assert_int_equal(p9_getattr(&cl, 3, &a), -EIO); /* dead from now on */
}

static void buffers(void **state)
{
	u8 mem[8];
	struct p9_buf b;

	(void)state;
	p9_begin(&b, mem, sizeof(mem), P9_TCLUNK);
	p9_put32(&b, 1); /* 7 + 4 > 8 */
	assert_int_equal(p9_end(&b), -EINVAL);
	b = (struct p9_buf){ .p = mem, .len = 3 };
	assert_int_equal(p9_get32(&b), 0);
	assert_true(b.bad);
	assert_false(p9_name_ok("..", 0));
	assert_true(p9_name_ok("..", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buffers),
		cmocka_unit_test(version_refused),
		cmocka_unit_test_setup(walk_message, setup),
		cmocka_unit_test_setup(getattr_fields, setup),
		cmocka_unit_test_setup(lerror, setup),
		cmocka_unit_test_setup(read_counts, setup),
		cmocka_unit_test_setup(readdir_entries, setup),
		cmocka_unit_test_setup(readlink_target, setup),
		cmocka_unit_test_setup(setattr_message, setup),
		cmocka_unit_test_setup(transport_failure, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

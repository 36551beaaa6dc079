/* SOURCES: -I. -Inet/lwip/include -Ibuild/deps/lwip-2.1.3/src/include net/inet.c net/tcp.c net/tcp_io.c net/tcp_opt.c net/udp.c net/msg.c net/lwip/sys_arch.c net/lwip/libc.c net/lwip/isn.c net/lwip/timewait.c net/netif.c net/ifconf.c lib/printf.c lib/strconv.c build/deps/lwip-2.1.3/src/core/[a-z]*.c build/deps/lwip-2.1.3/src/core/ipv4/[a-z]*.c build/deps/lwip-2.1.3/src/core/ipv6/[a-z]*.c build/deps/lwip-2.1.3/src/netif/ethernet.c */
/*
 * net/inet.c, tcp*.c, udp.c over lwIP on the host, single-threaded with
 * nonblocking calls only, under ASan/UBSan: what the callbacks may do to
 * a socket's memory. A connection whose pcb goes to TIME_WAIT while the
 * socket is open, then lwIP's timers free that pcb (two minutes later)
 * before and after the socket is released; a new connection from the
 * port of one the server closed first (its pcb in TIME_WAIT); a listener released with
 * connections it never accepted (they are reset, their state freed);
 * close with unread data (the peer reads ECONNRESET, then EOF); and a
 * UDP socket released with datagrams queued.
 */
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/net.h>
#include <skiff/netdev.h>
#include <skiff/sched.h>
#include <skiff/time.h>
#include <stdlib.h>
#include "shim.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "net/inet.h"
#include "net/lwip/port.h"
#include "net/netif.h"

/* ---- The kernel services net/ uses, for one single-threaded test ---- */

static struct thread *me = (struct thread *)&me;
struct thread *thread_current(void) { return me; }
static u64 now_ns = 1000000000ull;
u64 time_monotonic_ns(void) { return now_ns; }
void random_fill(void *buf, size_t len) { memset(buf, 0x5a, len); }
void ktimer_set(struct ktimer *k, u64 deadline_ns) { k->node.deadline = deadline_ns; }
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg,
			     bool program) { return me; }
void thread_start(struct thread *t, void (*fn)(void *), void *arg) {}
int waitq_sleep(struct waitq *wq, struct spinlock *lk, u64 deadline_ns)
{
	return -ETIMEDOUT;
}
struct netdev *netdev_get(unsigned i) { return NULL; }
int netdev_up(struct netdev *d) { return 0; }
void vfs_poll_notify(struct inode *ino, u32 events) {}
int copy_to_user(void *udst, const void *src, size_t len)
{
	memcpy(udst, src, len);
	return 0;
}

int iobuf_copy_in(struct iobuf *io, size_t at, void *dst, size_t n)
{
	memcpy(dst, io->base + at, n);
	return 0;
}

int iobuf_copy_out(struct iobuf *io, size_t at, const void *src, size_t n)
{
	memcpy(io->base + at, src, n);
	return 0;
}

static const struct net_family *fam[2];
void net_family_register(const struct net_family *f)
{
	fam[f->family == AF_INET6] = f;
}

struct socket *sock_alloc_child(struct socket *parent)
{
	struct socket *sk = calloc(1, sizeof(*sk));

	sk->family = parent->family;
	sk->type = parent->type;
	sk->ops = parent->ops;
	return sk;
}

/* ---- Helpers ---- */

static struct socket *new_sock(int family, int type)
{
	struct socket *sk = calloc(1, sizeof(*sk));

	sk->family = family;
	sk->type = type;
	sk->rcvlowat = 1;
	assert_int_equal(fam[family == AF_INET6]->create(sk, type, 0), 0);
	return sk;
}

static void release(struct socket *sk)
{
	sk->ops->release(sk);
	free(sk);
}

struct sin {
	u16 family, port;
	u32 addr;
	u8 zero[8];
};

static struct sin lo4(u16 port)
{
	struct sin s = { AF_INET, (u16)(port << 8 | port >> 8), 0x0100007f, {0} };

	return s;
}

static u16 port_of(struct socket *sk)
{
	struct sin s;
	u32 len = sizeof(s);

	assert_int_equal(sk->ops->getname(sk, &s, &len, false), 0);
	return (u16)(s.port << 8 | s.port >> 8);
}

static long xfer(struct socket *sk, void *buf, size_t n, bool send, int flags)
{
	struct iobuf io = { buf, n, false };
	struct sock_msg m;

	msg_init(&m, &io, 1, flags);
	return send ? sk->ops->sendmsg(sk, &m, true) : sk->ops->recvmsg(sk, &m, true);
}

/* A listener on 127.0.0.1 and a connected pair (c, a) through it. */
static struct socket *pair(struct socket **c, struct socket **a)
{
	struct socket *l = new_sock(AF_INET, SOCK_STREAM);
	struct sin s = lo4(0);

	assert_int_equal(l->ops->bind(l, &s, sizeof(s)), 0);
	assert_int_equal(l->ops->listen(l, 8), 0);
	s = lo4(port_of(l));
	*c = new_sock(AF_INET, SOCK_STREAM);
	/* EINPROGRESS; net_unlock delivered the handshake */
	assert_int_equal((*c)->ops->connect(*c, &s, sizeof(s), true), -EINPROGRESS);
	assert_int_equal((*c)->ops->connect(*c, &s, sizeof(s), true), 0);
	if (a)
		assert_int_equal(l->ops->accept(l, a, NULL, NULL, true), 0);
	return l;
}

/* lwIP's timers over n tenths of a second of (fake) time. */
static void run_timers(int n)
{
	net_lock();
	for (int i = 0; i < n; i++) {
		now_ns += 100000000ull;
		sys_check_timeouts();
	}
	net_unlock();
}

static int setup(void **state)
{
	net_port_init();
	net_netif_attach();
	inet_init();
	net_netif_init("");
	net_port_start_timers();
	return 0;
}

/* ---- Tests ---- */

static void test_time_wait(void **state)
{
	struct socket *c, *a, *l = pair(&c, &a);
	char buf[8];

	assert_int_equal(xfer(c, "hi", 2, true, 0), 2);
	assert_int_equal(xfer(a, buf, sizeof(buf), false, 0), 2);
	assert_int_equal(c->ops->shutdown(c, SHUT_WR), 0);
	assert_int_equal(xfer(a, buf, sizeof(buf), false, 0), 0);
	assert_int_equal(a->ops->shutdown(a, SHUT_WR), 0);
	/* c went to TIME_WAIT (given up), a's LAST_ACK ended (ERR_CLSD) */
	assert_int_equal(inet_tcp_state(inet_of(c)), ITCP_CLOSE);
	assert_int_equal(inet_tcp_state(inet_of(a)), ITCP_CLOSE);
	assert_int_equal(c->ops->poll(c) & (POLLHUP | POLLIN), POLLHUP | POLLIN);
	run_timers(2 * 60 * 10 + 50);	/* TIME_WAIT pcbs freed */
	assert_int_equal(xfer(c, buf, sizeof(buf), false, 0), 0);
	assert_int_equal(xfer(c, "x", 1, true, 0), -EPIPE);
	release(c);
	release(a);
	release(l);
	run_timers(10);
}

/* The server closes first, so its pcb waits in TIME_WAIT; a new
 * connection from the client's port must get through (a SYN beyond the
 * old sequence numbers:), not hang in SYN_SENT. */
static void test_time_wait_new_syn(void **state)
{
	struct socket *c, *a, *c2, *a2, *l = pair(&c, &a);
	struct sin s = lo4(port_of(l)), me = lo4(port_of(c));
	char buf[8];

	assert_int_equal(a->ops->shutdown(a, SHUT_WR), 0);
	assert_int_equal(xfer(c, buf, sizeof(buf), false, 0), 0);
	assert_int_equal(c->ops->shutdown(c, SHUT_WR), 0);
	release(c);
	release(a);
	run_timers(1);		/* the ISN clock moves on */
	c2 = new_sock(AF_INET, SOCK_STREAM);
	assert_int_equal(c2->ops->bind(c2, &me, sizeof(me)), 0);
	assert_int_equal(c2->ops->connect(c2, &s, sizeof(s), true), -EINPROGRESS);
	assert_int_equal(c2->ops->connect(c2, &s, sizeof(s), true), 0);
	assert_int_equal(l->ops->accept(l, &a2, NULL, NULL, true), 0);
	assert_int_equal(xfer(c2, "hi", 2, true, 0), 2);
	assert_int_equal(xfer(a2, buf, sizeof(buf), false, 0), 2);
	release(c2);
	release(a2);
	release(l);
	run_timers(2 * 60 * 10 + 50);
}

static void test_listener_with_queue(void **state)
{
	struct socket *c1, *c2, *l = pair(&c1, NULL);
	struct sin s = lo4(port_of(l));
	char buf[4];

	c2 = new_sock(AF_INET, SOCK_STREAM);
	assert_int_equal(c2->ops->connect(c2, &s, sizeof(s), true), -EINPROGRESS);
	assert_int_equal(xfer(c2, "data", 4, true, 0), 4);
	assert_int_equal(inet_of(l)->aq_len, 2);
	release(l);		/* both reset */
	assert_int_equal(xfer(c1, buf, 4, false, 0), -ECONNRESET);
	assert_int_equal(xfer(c2, buf, 4, false, 0), -ECONNRESET);
	assert_int_equal(xfer(c2, buf, 4, false, 0), 0);
	release(c1);
	release(c2);
	run_timers(10);
}

static void test_close_unread(void **state)
{
	struct socket *c, *a, *l = pair(&c, &a);
	char buf[4];

	assert_int_equal(xfer(c, "unread", 6, true, 0), 6);
	release(a);
	assert_int_equal(c->ops->poll(c) & POLLERR, POLLERR);
	assert_int_equal(xfer(c, buf, 4, false, 0), -ECONNRESET);
	assert_int_equal(xfer(c, buf, 4, false, 0), 0);
	release(c);
	release(l);
	run_timers(10);
}

static void test_udp_queue(void **state)
{
	struct socket *u = new_sock(AF_INET, SOCK_DGRAM);
	struct socket *v = new_sock(AF_INET, SOCK_DGRAM);
	struct sin s = lo4(0);
	struct iobuf io = { "dgram", 5, false };
	struct sock_msg m;
	char buf[8];

	assert_int_equal(u->ops->bind(u, &s, sizeof(s)), 0);
	s = lo4(port_of(u));
	for (int i = 0; i < 3; i++) {
		msg_init(&m, &io, 1, 0);
		m.name = &s;
		m.namelen = sizeof(s);
		assert_int_equal(v->ops->sendmsg(v, &m, true), 5);
	}
	assert_int_equal(xfer(u, buf, 2, false, MSG_PEEK), 2);
	assert_int_equal(xfer(u, buf, 2, false, MSG_TRUNC), 5);
	release(u);		/* two datagrams still queued */
	release(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_wait),
		cmocka_unit_test(test_time_wait_new_syn),
		cmocka_unit_test(test_listener_with_queue),
		cmocka_unit_test(test_close_unread),
		cmocka_unit_test(test_udp_queue),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

/* SOURCES: -I. -Inet/lwip/include -Ibuild/deps/lwip-2.1.3/src/include net/lwip/sys_arch.c net/lwip/libc.c net/lwip/isn.c net/lwip/timewait.c net/netif.c net/ifconf.c net/procnet.c lib/printf.c lib/strconv.c build/deps/lwip-2.1.3/src/core/[a-z]*.c build/deps/lwip-2.1.3/src/core/ipv4/[a-z]*.c build/deps/lwip-2.1.3/src/core/ipv6/[a-z]*.c build/deps/lwip-2.1.3/src/netif/ethernet.c */
/*
 * net/ over lwIP on the host (build/deps holds lwIP: `make all` fetches
 * it): the loopback path (a TCP connection over 127.0.0.1 and over eth0's
 * own address, delivered by net_unlock), a fake device on eth0 (frames
 * out as netdev_seg pieces with the TCP checksum offloaded, a frame in
 * with and without the device's csum_ok, a full device queue), the
 * interfaces as net_iface_* shows them, /proc/net's text, lwIP's timers,
 * and 30,000 hostile frames (random fields and payloads, under ASan and
 * UBSan: a packet never panics the kernel).
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

/* ---- A fake eth0 that keeps what it is given to send ---- */

#define MAXF 16
static u8 frames[MAXF][2048];
static u32 frame_len[MAXF];
static struct netdev_tx frame_tx[MAXF];
static int nframes;
static bool queue_full;

static int fake_xmit(struct netdev *d, const struct netdev_tx *tx)
{
	u32 off = 0;

	if (queue_full)
		return -105;	/* ENOBUFS */
	if (nframes == MAXF)
		nframes = 0;
	for (u32 i = 0; i < tx->nseg; i++) {
		assert_true(off + tx->seg[i].len <= sizeof(frames[0]));
		memcpy(frames[nframes] + off, tx->seg[i].base, tx->seg[i].len);
		off += tx->seg[i].len;
	}
	assert_int_equal(off, tx->len);
	frame_len[nframes] = off;
	frame_tx[nframes++] = *tx;
	return 0;
}

static struct netdev fake = {
	.name = "eth0",
	.mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
	.mtu = 1500,
	.features = NETDEV_F_TX_CSUM | NETDEV_F_RX_CSUM,
	.xmit = fake_xmit,
};
static const u8 gw_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

struct netdev *netdev_get(unsigned i) { return i == 0 ? &fake : NULL; }
int netdev_up(struct netdev *d) { return 0; }

/* ---- Checksums, computed here independently of net/ and lwIP ---- */

static u32 add16(u32 sum, const u8 *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sum += (i & 1) ? b[i] : (u32)b[i] << 8;
	return sum;
}

static u16 fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)sum;
}

/* What the device does for a NEEDS_CSUM frame (virtio 1.2 5.1.6.2). */
static void device_csum(u8 *f, u32 len, const struct netdev_tx *tx)
{
	u16 c = (u16)~fold(add16(0, f + tx->csum_start, len - tx->csum_start));

	f[tx->csum_start + tx->csum_offset] = (u8)(c >> 8);
	f[tx->csum_start + tx->csum_offset + 1] = (u8)c;
}

/* Whether an Ethernet+IPv4+TCP frame's TCP checksum is right. */
static bool tcp4_csum_ok(const u8 *f, u32 len)
{
	const u8 *ip = f + 14;
	u32 ihl = (ip[0] & 15) * 4u, tl = (u32)ip[2] << 8 | ip[3];
	u32 sum = add16(0, ip + 12, 8) + 6 + (tl - ihl);

	return fold(add16(sum, ip + ihl, tl - ihl)) == 0xffff;
}

/* ---- Frames sent to eth0 ---- */

static void put16(u8 *p, u32 v) { p[0] = (u8)(v >> 8); p[1] = (u8)v; }

static void deliver(const u8 *f, u32 len, bool csum_ok)
{
	struct netdev_rx rx = { f, len, csum_ok };

	fake.rx(&fake, &rx);
}

/* A SYN from 10.0.2.2:40000 to 10.0.2.15:port, TCP checksum wrong. */
static u32 make_syn(u8 *f, u16 port)
{
	u8 *ip = f + 14, *tcp = ip + 20;

	memset(f, 0, 54);
	memcpy(f, fake.mac, 6);
	memcpy(f + 6, gw_mac, 6);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, 40);
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, (u8[]){ 10, 0, 2, 2, 10, 0, 2, 15 }, 8);
	put16(ip + 10, (u16)~fold(add16(0, ip, 20)));
	put16(tcp, 40000);
	put16(tcp + 2, port);
	put16(tcp + 4, 0x1234);
	tcp[12] = 5 << 4;
	tcp[13] = 0x02;
	put16(tcp + 14, 65535);
	put16(tcp + 16, 0xdead);
	return 54;
}

/* The ARP reply of 10.0.2.2 to eth0. */
static u32 make_arp_reply(u8 *f)
{
	u8 *a = f + 14;

	memcpy(f, fake.mac, 6);
	memcpy(f + 6, gw_mac, 6);
	put16(f + 12, 0x0806);
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 2);
	memcpy(a + 8, gw_mac, 6);
	memcpy(a + 14, (u8[]){ 10, 0, 2, 2 }, 4);
	memcpy(a + 18, fake.mac, 6);
	memcpy(a + 24, (u8[]){ 10, 0, 2, 15 }, 4);
	return 42;
}

/* ---- Setup: what net_init does, without the families ---- */

static int setup(void **state)
{
	str_lcpy(boot_opts.gw, "10.0.2.2", sizeof(boot_opts.gw));
	net_port_init();
	net_netif_attach();
	net_netif_init("10.0.2.15/24");
	net_port_start_timers();
	return 0;
}

/* ---- TCP over the loopback paths ---- */

static struct tcp_pcb *accepted;
static char got[64];
static size_t ngot;
static bool connected;

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	if (!p)
		return ERR_OK;
	ngot += pbuf_copy_partial(p, got + ngot, (u16)(sizeof(got) - ngot), 0);
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	accepted = pcb;
	tcp_recv(pcb, on_recv);
	return ERR_OK;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	connected = true;
	return ERR_OK;
}

static struct tcp_pcb *listen_on(const ip_addr_t *a, u16 port)
{
	struct tcp_pcb *l = tcp_new_ip_type(IP_GET_TYPE(a));

	assert_non_null(l);
	assert_int_equal(tcp_bind(l, a, port), ERR_OK);
	l = tcp_listen(l);
	assert_non_null(l);
	tcp_accept(l, on_accept);
	return l;
}

/* A connection to addr:port and "hello" over it; both ends left open. */
static void tcp_pair(const char *addr, u16 port)
{
	ip_addr_t a;
	struct tcp_pcb *c;

	assert_true(ipaddr_aton(addr, &a));
	accepted = NULL;
	connected = false;
	ngot = 0;
	net_lock();
	listen_on(&a, port);
	c = tcp_new_ip_type(IP_GET_TYPE(&a));
	assert_int_equal(tcp_connect(c, &a, port, on_connected), ERR_OK);
	net_unlock();	/* delivers SYN, SYN-ACK, ACK */
	assert_true(connected);
	assert_non_null(accepted);
	net_lock();
	assert_int_equal(tcp_write(c, "hello", 5, TCP_WRITE_FLAG_COPY), ERR_OK);
	assert_int_equal(tcp_output(c), ERR_OK);
	net_unlock();
	assert_int_equal(ngot, 5);
	assert_memory_equal(got, "hello", 5);
}

static void test_loopback_v4(void **state)
{
	struct net_iface lo;

	nframes = 0;
	tcp_pair("127.0.0.1", 8080);
	assert_int_equal(net_iface_get(0, &lo), 0);
	assert_true(lo.rx_packets >= 4 && lo.rx_packets == lo.tx_packets);
	assert_int_equal(nframes, 0);	/* nothing went to the device */
}

static void test_loopback_v6(void **state)
{
	tcp_pair("::1", 8081);
}

/* eth0's own address loops on eth0, whose TCP checksums are offloaded
 * (so absent): they must not be checked on the way back in. */
static void test_loopback_own_address(void **state)
{
	nframes = 0;
	tcp_pair("10.0.2.15", 8082);
	assert_int_equal(nframes, 0);
}

/* ---- eth0 ---- */

static void test_rx_csum_and_tx_offload(void **state)
{
	u8 f[64];
	ip_addr_t any;
	u32 n;

	ip_addr_set_any(0, &any);
	net_lock();
	listen_on(&any, 80);
	net_unlock();
	nframes = 0;
	n = make_syn(f, 80);
	deliver(f, n, false);	/* bad checksum, not verified: dropped */
	assert_int_equal(nframes, 0);
	deliver(f, n, true);	/* the device vouches for it: answered */
	assert_int_equal(nframes, 1);
	assert_int_equal(frames[0][12] << 8 | frames[0][13], 0x0806);
	n = make_arp_reply(f);
	deliver(f, n, false);	/* the SYN-ACK waiting for ARP goes */
	assert_int_equal(nframes, 2);
	u8 *syn_ack = frames[1];
	assert_int_equal(syn_ack[12] << 8 | syn_ack[13], 0x0800);
	assert_int_equal(syn_ack[14 + 9], 6);
	assert_int_equal(syn_ack[34 + 13], 0x12);
	assert_memory_equal(syn_ack, gw_mac, 6);
	assert_true(frame_tx[1].csum);
	assert_int_equal(frame_tx[1].csum_start, 34);
	assert_int_equal(frame_tx[1].csum_offset, 16);
	assert_false(tcp4_csum_ok(syn_ack, frame_len[1]));
	device_csum(syn_ack, frame_len[1], &frame_tx[1]);
	assert_true(tcp4_csum_ok(syn_ack, frame_len[1]));
}

/* A full device queue keeps the SYN unsent; tx_room sends it. */
static void test_queue_full(void **state)
{
	ip_addr_t gw;
	struct tcp_pcb *c;

	IP_ADDR4(&gw, 10, 0, 2, 2);
	nframes = 0;
	queue_full = true;
	net_lock();
	c = tcp_new_ip_type(IPADDR_TYPE_V4);
	assert_int_equal(tcp_connect(c, &gw, 9, on_connected), ERR_OK);
	assert_non_null(c->unsent);
	net_unlock();
	assert_int_equal(nframes, 0);
	queue_full = false;
	fake.tx_room(&fake);
	assert_int_equal(nframes, 1);
	assert_int_equal(frames[0][34 + 13], 0x02);	/* SYN */
	assert_true(frame_tx[0].csum);
	device_csum(frames[0], frame_len[0], &frame_tx[0]);
	assert_true(tcp4_csum_ok(frames[0], frame_len[0]));
	net_lock();
	assert_null(c->unsent);
	tcp_abort(c);
	net_unlock();
}

/* ---- What the socket layer and /proc see ---- */

static void test_ifaces(void **state)
{
	struct net_iface lo, eth;

	assert_int_equal(net_iface_get(0, &lo), 0);
	assert_int_equal(lo.index, 1);
	assert_string_equal(lo.name, "lo");
	assert_true(lo.flags & NET_IFF_LOOPBACK);
	assert_true(lo.flags & NET_IFF_UP);
	assert_true(lo.has_ipv4);
	assert_memory_equal(lo.ipv4, ((u8[]){ 127, 0, 0, 1 }), 4);
	assert_int_equal(lo.ipv4_prefix, 8);
	assert_int_equal(lo.nipv6, 1);
	assert_int_equal(lo.ipv6[0][15], 1);
	assert_int_equal(lo.ipv6_scope[0], 254);

	assert_int_equal(net_iface_by_name("eth0", &eth), 0);
	assert_int_equal(eth.index, 2);
	assert_memory_equal(eth.mac, fake.mac, 6);
	assert_int_equal(eth.mtu, 1500);
	assert_memory_equal(eth.ipv4, ((u8[]){ 10, 0, 2, 15 }), 4);
	assert_memory_equal(eth.ipv4_mask, ((u8[]){ 255, 255, 255, 0 }), 4);
	assert_memory_equal(eth.ipv4_bcast, ((u8[]){ 10, 0, 2, 255 }), 4);
	assert_int_equal(eth.ipv4_prefix, 24);
	assert_true(eth.nipv6 >= 1);
	assert_int_equal(eth.ipv6[0][0], 0xfe);
	assert_int_equal(eth.ipv6[0][1], 0x80);
	assert_int_equal(eth.ipv6_scope[0], 253);
	/* EUI-64 from the MAC: 5054:00ff:fe12:3456. */
	assert_memory_equal(eth.ipv6[0] + 8,
			    ((u8[]){ 0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56 }), 8);

	assert_int_equal(net_iface_by_index(2, &eth), 0);
	assert_string_equal(eth.name, "eth0");
	assert_int_equal(net_iface_by_index(3, &eth), -ENODEV);
	assert_int_equal(net_iface_by_index(0, &eth), -ENODEV);
	assert_int_equal(net_iface_by_name("eth1", &eth), -ENODEV);
	assert_int_equal(net_iface_get(2, &eth), -ENODEV);
}

static char *text(const char *name)
{
	char *buf;
	long n = net_proc_text(name, &buf);

	assert_true(n > 0);
	assert_int_equal(strlen(buf), n);
	return buf;
}

static void test_proc_net(void **state)
{
	char *t, *buf;

	t = text("dev");
	assert_non_null(strstr(t, "\n    lo: "));
	assert_non_null(strstr(t, "\n  eth0: "));
	free(t);
	t = text("tcp");
	/* The listeners of 127.0.0.1:8080, 10.0.2.15:8082, 0.0.0.0:80 */
	assert_non_null(strstr(t, ": 0100007F:1F90 00000000:0000 0A "));
	assert_non_null(strstr(t, ": 0F02000A:1F92 00000000:0000 0A "));
	assert_non_null(strstr(t, ": 00000000:0050 00000000:0000 0A "));
	/* an established connection, each line 149 characters and '\n' */
	assert_non_null(strstr(t, ":1F90 01 "));
	for (char *l = t; *l; l = strchr(l, '\n') + 1)
		assert_int_equal(strchr(l, '\n') - l, 149);
	free(t);
	net_lock();
	listen_on(IP_ANY_TYPE, 8083);	/* dual-stack: "::" in tcp6 */
	net_unlock();
	t = text("tcp6");
	assert_non_null(strstr(t,
		": 00000000000000000000000000000000:1F93 "
		"00000000000000000000000000000000:0000 0A "));
	assert_non_null(strstr(t,
		": 00000000000000000000000001000000:1F91 "
		"00000000000000000000000000000000:0000 0A "));
	free(t);
	t = text("udp");
	assert_non_null(strstr(t, "   sl  local_address"));
	free(t);
	t = text("unix");
	assert_string_equal(t, "Num       RefCount Protocol Flags    Type St Inode Path\n");
	free(t);
	assert_int_equal(net_proc_text("nope", &buf), -ENOENT);
}

/* Runs lwIP's timers over n tenths of a second of (fake) time. */
static void run_timers(int n)
{
	net_lock();
	for (int i = 0; i < n; i++) {
		now_ns += 100000000ull;
		sys_check_timeouts();
	}
	net_unlock();
}

/* Booting with a static address sends nothing (no gratuitous ARP, as
 * Linux). Ten seconds with no connection: eth0's link-local passes duplicate
 * address detection, and the stack sends nothing through lo (lwIP would
 * send router solicitations there). */
static void test_idle(void **state)
{
	struct net_iface lo0, lo1;

	assert_int_equal(nframes, 0);	/* booting sent nothing */
	assert_int_equal(net_iface_get(0, &lo0), 0);
	run_timers(100);
	assert_int_equal(net_iface_get(0, &lo1), 0);
	assert_int_equal(lo1.tx_packets, lo0.tx_packets);
	assert_true(ip6_addr_ispreferred(
		netif_ip6_addr_state(net_nif_at(1)->netif, 0)));
}

/* ---- Hostile frames: a packet never panics the kernel ---- */

static u64 rng = 0x9e3779b97f4a7c15ull;

static u32 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (u32)(rng >> 16);
}

/* IPv4 or IPv6 to eth0, TCP (often to the listener on port 80), UDP or
 * ICMP, with random fields, lengths and payload; csum_ok set so that
 * lwIP's parsers, not its checksum check, see the garbage. */
static u32 garbage(u8 *f)
{
	u32 len = 14 + rnd() % 1500;

	for (u32 i = 0; i < len; i++)
		f[i] = (u8)rnd();
	memcpy(f, fake.mac, 6);
	memcpy(f + 6, gw_mac, 6);
	u8 *ip = f + 14;
	u32 kind = rnd() % 8;
	if (kind < 5 && len >= 54) {
		put16(f + 12, 0x0800);
		ip[0] = (u8)(0x40 | (rnd() % 4 ? 5 : 5 + rnd() % 11));
		if (rnd() % 4)
			put16(ip + 2, len - 14);
		if (rnd() % 2)
			put16(ip + 6, 0x4000);	/* no fragment */
		ip[9] = (u8[]){ 6, 6, 6, 17, 1 }[rnd() % 5];
		memcpy(ip + 12, (u8[]){ 10, 0, 2, 2, 10, 0, 2, 15 }, 8);
		put16(ip + 10, 0);
		put16(ip + 10, (u16)~fold(add16(0, ip, 20)));
		if (ip[9] == 6 && rnd() % 2)
			put16(ip + 22, 80);
	} else if (kind < 7 && len >= 74) {
		put16(f + 12, 0x86dd);
		ip[0] = 0x60;
		if (rnd() % 4)
			put16(ip + 4, len - 54);
		ip[6] = (u8[]){ 6, 17, 58, 44, 0 }[rnd() % 5];
		memcpy(ip + 24, netif_ip6_addr(net_nif_at(1)->netif, 0)->addr, 16);
		if (ip[6] == 6 && rnd() % 2)
			put16(ip + 42, 80);
	} else {
		put16(f + 12, 0x0806);
	}
	return len;
}

static void test_rx_garbage(void **state)
{
	static u8 f[1600];

	for (int i = 0; i < 30000; i++) {
		nframes = 0;	/* what the stack answers is not kept */
		u32 n = garbage(f);
		deliver(f, n, rnd() % 4 != 0);
		if (i % 500 == 0)
			run_timers(10);
	}
	run_timers(600);
}

/* Two minutes of every timer, on the connections left open above. */
static void test_timers(void **state)
{
	run_timers(1200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_loopback_v4),
		cmocka_unit_test(test_loopback_v6),
		cmocka_unit_test(test_loopback_own_address),
		cmocka_unit_test(test_rx_csum_and_tx_offload),
		cmocka_unit_test(test_queue_full),
		cmocka_unit_test(test_ifaces),
		cmocka_unit_test(test_proc_net),
		cmocka_unit_test(test_timers),
		cmocka_unit_test(test_rx_garbage),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}

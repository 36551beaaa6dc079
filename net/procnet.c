/*
 * net/procnet.c: the text of /proc/net/{dev,tcp,tcp6,udp,udp6,unix}
 * (net_proc_text, skiff/net.h), in Linux's formats (proc(5); the column
 * widths and line padding of Linux 6.1, which tools such as netstat, ss
 * and psutil parse). Layer: net. fs/procfs/net.c serves the files.
 *
 * The sockets come from lwIP's PCB lists, read under the network lock:
 * TCP listening, active and TIME-WAIT PCBs (bound-only ones are not shown,
 * as on Linux), every UDP PCB. An address is shown in the IPv4 file or
 * the IPv6 one by the PCB's address type (a dual-stack listener bound to
 * :: is in tcp6; the connections it accepts from IPv4 peers are in tcp,
 * where Linux shows them in tcp6 as ::ffff:a.b.c.d). DIVERGENCE: inode,
 * uid and the timer columns are 0.
 */
#include <skiff/alloc.h>
#include <skiff/errno.h>
#include <skiff/lib.h>
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "lwip/port.h"
#include "netif.h"

/* A growing text; on allocation failure it stops growing and says so. */
struct text {
	char *buf;
	size_t len, cap;
	bool oom;
};

static void __printf(2, 3) put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (t->oom || n < 0)
		return;
	if (t->len + (size_t)n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 1024;
		while (cap < t->len + (size_t)n + 1)
			cap *= 2;
		char *p = krealloc(t->buf, cap);
		if (!p) {
			t->oom = true;
			return;
		}
		t->buf = p;
		t->cap = cap;
	}
	va_start(ap, fmt);
	fmt_vsnprintf(t->buf + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/* Pads the current line with spaces to width characters, then ends it
 * (Linux pads the lines of tcp and udp so). */
static void end_line(struct text *t, size_t line_start, size_t width)
{
	size_t used = t->len - line_start;

	put(t, "%*s\n", used < width ? (int)(width - used) : 0, "");
}

/* ---- dev ---- */

static void show_dev(struct text *t)
{
	struct net_iface f;

	put(t, "Inter-|   Receive                                                |  Transmit\n"
	       " face |bytes    packets errs drop fifo frame compressed multicast|"
	       "bytes    packets errs drop fifo colls carrier compressed\n");
	for (unsigned i = 0; net_iface_get(i, &f) == 0; i++)
		put(t, "%6s: %7lu %7lu %4u %4lu %4u %5u %10u %9u "
		       "%8lu %7lu %4u %4lu %4u %5u %7u %10u\n",
		    f.name, f.rx_bytes, f.rx_packets, 0, f.rx_dropped, 0, 0, 0,
		    0, f.tx_bytes, f.tx_packets, 0, f.tx_dropped, 0, 0, 0, 0);
}

/* ---- tcp, tcp6, udp, udp6 ---- */

/* An address and port as Linux prints them: the address's 32-bit words
 * as the CPU reads them from memory, in hex, then the port. */
static void put_addr(struct text *t, const ip_addr_t *a, u16 port, bool v6)
{
	if (!v6) {
		put(t, "%08X:%04X", ip4_addr_get_u32(ip_2_ip4(a)), port);
		return;
	}
	if (IP_IS_V6(a)) {
		const u32 *w = ip_2_ip6(a)->addr;
		put(t, "%08X%08X%08X%08X:%04X", w[0], w[1], w[2], w[3], port);
	} else if (IP_IS_ANY_TYPE_VAL(*a)) {	/* dual-stack: :: */
		put(t, "%032X:%04X", 0, port);
	} else {	/* IPv4 on an IPv6 list: ::ffff:a.b.c.d */
		put(t, "%08X%08X%08X%08X:%04X", 0, 0, lwip_htonl(0xffff),
		    ip4_addr_get_u32(ip_2_ip4(a)), port);
	}
}

/* Whether a PCB with local address a belongs in the IPv6 file. */
static bool on_v6_list(const ip_addr_t *a)
{
	return IP_IS_V6(a) || IP_IS_ANY_TYPE_VAL(*a);
}

/* Linux's TCP state numbers (include/net/tcp_states.h) by lwIP state. */
static const u8 linux_state[] = {
	[CLOSED] = 7, [LISTEN] = 10, [SYN_SENT] = 2, [SYN_RCVD] = 3,
	[ESTABLISHED] = 1, [FIN_WAIT_1] = 4, [FIN_WAIT_2] = 5,
	[CLOSE_WAIT] = 8, [CLOSING] = 11, [LAST_ACK] = 9, [TIME_WAIT] = 6,
};

static void tcp_line(struct text *t, int sl, struct tcp_pcb *pcb, bool v6)
{
	size_t start = t->len;
	u32 txq = 0, rxq = 0;

	if (pcb->state == LISTEN) {
		struct tcp_pcb_listen *l = (struct tcp_pcb_listen *)pcb;
		rxq = l->accepts_pending;
		txq = l->backlog;
	} else if (pcb->state != TIME_WAIT) {
		txq = pcb->snd_lbb - pcb->lastack;
		if (TCP_WND_MAX(pcb) > pcb->rcv_wnd)
			rxq = TCP_WND_MAX(pcb) - pcb->rcv_wnd;
	}
	put(t, "%4d: ", sl);
	put_addr(t, &pcb->local_ip, pcb->local_port, v6);
	put(t, " ");
	if (pcb->state == LISTEN)	/* a tcp_pcb_listen has no remote */
		put_addr(t, v6 ? IP6_ADDR_ANY : IP4_ADDR_ANY, 0, v6);
	else
		put_addr(t, &pcb->remote_ip, pcb->remote_port, v6);
	put(t, " %02X %08X:%08X 00:00000000 00000000 %5u %8d %lu %d "
	       "0000000000000000",
	    linux_state[pcb->state], txq, rxq, 0, 0, 0ul, 1);
	if (pcb->state == LISTEN) {
		put(t, " 100 0 0 10 0");
	} else if (pcb->state != TIME_WAIT) {
		/* rto (lwIP: slow-timer ticks) and cwnd in Linux's units:
		 * clock ticks of 10 ms and segments. */
		u32 rto = (u32)pcb->rto * TCP_SLOW_INTERVAL / 10;
		u32 cwnd = pcb->mss ? pcb->cwnd / pcb->mss : 0;
		u32 ssthresh = pcb->mss ? pcb->ssthresh / pcb->mss : 0;
		put(t, " %u 4 0 %u %d", rto, cwnd,
		    ssthresh >= 0xffff ? -1 : (int)ssthresh);
	}
	if (!v6)
		end_line(t, start, 149);
	else
		put(t, "\n");
}

static void show_tcp(struct text *t, bool v6)
{
	struct tcp_pcb *lists[] = { tcp_listen_pcbs.pcbs, tcp_active_pcbs,
				    tcp_tw_pcbs };
	size_t start = t->len;
	int sl = 0;

	if (!v6) {
		put(t, "  sl  local_address rem_address   st tx_queue rx_queue tr "
		       "tm->when retrnsmt   uid  timeout inode");
		end_line(t, start, 149);
	} else {
		put(t, "  sl  local_address                         "
		       "remote_address                        st tx_queue "
		       "rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
	}
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		for (struct tcp_pcb *pcb = lists[i]; pcb; pcb = pcb->next)
			if (on_v6_list(&pcb->local_ip) == v6)
				tcp_line(t, sl++, pcb, v6);
}

static void show_udp(struct text *t, bool v6)
{
	size_t start = t->len;
	int sl = 0;

	if (!v6)
		put(t, "   sl  local_address rem_address   st tx_queue rx_queue "
		       "tr tm->when retrnsmt   uid  timeout inode ref pointer "
		       "drops");
	else
		put(t, "  sl  local_address                         "
		       "remote_address                        st tx_queue "
		       "rx_queue tr tm->when retrnsmt   uid  timeout inode ref "
		       "pointer drops");
	if (!v6)
		end_line(t, start, 127);
	else
		put(t, "\n");
	for (struct udp_pcb *pcb = udp_pcbs; pcb; pcb = pcb->next) {
		/* Not the kernel's own DHCP client (Linux's runs in a
		 * program, on a packet socket). */
		if (on_v6_list(&pcb->local_ip) != v6 ||
		    (pcb->local_port == 68 && pcb->remote_port == 67))
			continue;
		start = t->len;
		put(t, "%5d: ", sl++);
		put_addr(t, &pcb->local_ip, pcb->local_port, v6);
		put(t, " ");
		put_addr(t, &pcb->remote_ip, pcb->remote_port, v6);
		put(t, " %02X %08X:%08X 00:00000000 00000000 %5u %8d %lu 2 "
		       "0000000000000000 0",
		    (pcb->flags & UDP_FLAGS_CONNECTED) ? 1 : 7, 0, 0, 0, 0, 0ul);
		if (!v6)
			end_line(t, start, 127);
		else
			put(t, "\n");
	}
}

/* ---- unix ---- */

/*
 * AF_UNIX's own text (net/unix.c, declared in net/unix.h): its length and
 * the kmalloc'd buffer in *buf, or -ENOMEM. This weak stand-in, for a
 * tree without net/unix.c, lists no socket.
 */
long unix_proc_text(char **buf);
__attribute__((weak)) long unix_proc_text(char **buf)
{
	static const char head[] =
		"Num       RefCount Protocol Flags    Type St Inode Path\n";

	*buf = kmalloc(sizeof(head));
	if (!*buf)
		return -ENOMEM;
	memcpy(*buf, head, sizeof(head));
	return sizeof(head) - 1;
}

long net_proc_text(const char *name, char **buf)
{
	struct text t = { 0 };

	if (!strcmp(name, "unix"))
		return unix_proc_text(buf);
	if (!strcmp(name, "dev")) {
		show_dev(&t);	/* net_iface_get takes the lock */
	} else {
		bool v6 = name[3] == '6';
		if (strcmp(name, "tcp") && strcmp(name, "tcp6") &&
		    strcmp(name, "udp") && strcmp(name, "udp6"))
			return -ENOENT;
		net_lock();
		if (name[0] == 't')
			show_tcp(&t, v6);
		else
			show_udp(&t, v6);
		net_unlock();
	}
	if (t.oom || !t.buf) {
		kfree(t.buf);
		return -ENOMEM;
	}
	*buf = t.buf;
	return (long)t.len;
}

/*
 * net/netif.c: lwIP's interfaces over struct netdev (skiff/netdev.h):
 * frames in and out, checksum offload, and the loopback path. Layer: net.
 * Interface: net/netif.h.
 *
 * Receive. The driver's receive thread calls nif_rx with one Ethernet
 * frame; it is copied into a pbuf of its size (PBUF_RAM: one kmalloc)
 * and handed to lwIP's ethernet_input under the network lock. lwIP's
 * callbacks (a socket's recv, accept, ...) run from there, in that
 * thread. If the device verified the TCP/UDP checksum (csum_ok), lwIP's
 * check is switched off for that one packet (the netif's chksum_flags,
 * restored after the synchronous input).
 *
 * Transmit. lwIP calls nif_linkoutput (under the lock) with a pbuf
 * chain; its pieces become struct netdev_seg entries, and the device
 * copies them (netdev.h): no copy here. With NETDEV_F_TX_CSUM, lwIP
 * computes no TCP checksum on that netif (NETIF_CHECKSUM_GEN_TCP off):
 * nif_linkoutput finds the TCP header in the frame, puts the pseudo-
 * header sum in the checksum field (in a copy of the headers, the first
 * piece) and asks the device to finish it (csum_start, csum_offset), as
 * virtio-net's NEEDS_CSUM wants. UDP checksums stay in software: a
 * fragmented datagram cannot be completed by the device, and IPv6 has no
 * checksum-less UDP. No TSO: lwIP cuts segments at the MSS itself.
 * A full device queue (-ENOBUFS) is ERR_MEM for lwIP: TCP keeps the
 * segment unsent; when the device has room again (tx_room) every
 * connection with unsent data is pushed.
 *
 * Loopback. lwIP's own loop interface holds 127.0.0.1/8 and ::1; a
 * packet to one of eth0's own addresses is looped on eth0. Either waits
 * in the netif's queue until net_netif_loop_flush (run by net_unlock)
 * delivers it, without checksum checks: it never left memory.
 */
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/ip.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "netif/ethernet.h"
#include "lwip/port.h"
#include "netif.h"

#ifndef ENOBUFS
#define ENOBUFS 105	/* netdev.h's "queue full" (Linux's value) */
#endif

static struct net_nif *nifs[NET_NIF_MAX];
static unsigned nnifs;

struct net_nif *net_nif_at(unsigned i)
{
	return i < nnifs ? nifs[i] : NULL;
}

/* ---- Receive ---- */

static void nif_rx(struct netdev *d, const struct netdev_rx *rx)
{
	struct net_nif *nif = d->net;
	struct netif *n = nif->netif;
	struct pbuf *p;

	if (rx->len < SIZEOF_ETH_HDR || rx->len > 0xffff) {
		d->rx_dropped++;
		return;
	}
	net_lock();
	p = pbuf_alloc(PBUF_RAW, (u16_t)rx->len, PBUF_RAM);
	if (!p) {
		d->rx_dropped++;
		net_unlock();
		return;
	}
	memcpy(p->payload, rx->data, rx->len);
	u16 flags = n->chksum_flags;
	if (rx->csum_ok)
		n->chksum_flags &= ~(NETIF_CHECKSUM_CHECK_TCP |
				     NETIF_CHECKSUM_CHECK_UDP);
	if (n->input(p, n) != ERR_OK)
		pbuf_free(p);
	n->chksum_flags = flags;
	net_unlock();
}

/* The device has room again: push connections that could not send. */
static void nif_tx_room(struct netdev *d)
{
	net_lock();
	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
		if (pcb->unsent)
			tcp_output(pcb);
	net_unlock();
}

/* ---- Transmit ---- */

/* Bytes of a frame's headers copied for the checksum offload: Ethernet,
 * IPv6 and the largest TCP header fit. */
#define HEAD_MAX 128
#define NSEG_MAX 32

/* The one's complement sum (folded, not inverted) of n bytes at b, as
 * big-endian 16-bit words, added to sum. */
static u32 sum16(u32 sum, const u8 *b, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (u32)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (u32)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/*
 * If the frame in head (its first hlen bytes) is a TCP segment over IPv4
 * or IPv6, stores the pseudo-header sum in its checksum field and fills
 * tx's offload request; else leaves both alone.
 */
static void tx_csum(u8 *head, u32 hlen, struct netdev_tx *tx)
{
	u32 type = (u32)head[12] << 8 | head[13], l4, len, sum;
	const u8 *ip = head + SIZEOF_ETH_HDR;

	if (type == ETHTYPE_IP && hlen >= SIZEOF_ETH_HDR + 20) {
		u32 ihl = (ip[0] & 0xf) * 4u;
		if (ip[9] != IP_PROTO_TCP || ihl < 20 ||
		    (((u32)ip[6] << 8 | ip[7]) & 0x3fff))	/* a fragment */
			return;
		l4 = SIZEOF_ETH_HDR + ihl;
		len = ((u32)ip[2] << 8 | ip[3]) - ihl;
		sum = sum16(0, ip + 12, 8);
	} else if (type == ETHTYPE_IPV6 && hlen >= SIZEOF_ETH_HDR + 40) {
		if (ip[6] != IP6_NEXTH_TCP)
			return;
		l4 = SIZEOF_ETH_HDR + 40;
		len = (u32)ip[4] << 8 | ip[5];
		sum = sum16(0, ip + 8, 32);
	} else {
		return;
	}
	if (l4 + 18 > hlen || len > 0xffff)
		return;
	sum = sum16(sum + IP_PROTO_TCP + len, NULL, 0);
	head[l4 + 16] = (u8)(sum >> 8);
	head[l4 + 17] = (u8)sum;
	tx->csum = true;
	tx->csum_start = (u16)l4;
	tx->csum_offset = 16;
}

/*
 * The pieces of p from byte off on, after the pieces already in seg;
 * false if they do not fit in NSEG_MAX.
 */
static bool tx_segs(struct pbuf *p, u32 off, struct netdev_seg *seg,
		    u32 *nseg)
{
	for (struct pbuf *q = p; q; q = q->next) {
		if (off >= q->len) {
			off -= q->len;
			continue;
		}
		if (*nseg == NSEG_MAX)
			return false;
		seg[(*nseg)++] = (struct netdev_seg){ (u8 *)q->payload + off,
						      q->len - off };
		off = 0;
	}
	return true;
}

static err_t nif_linkoutput(struct netif *n, struct pbuf *p)
{
	struct net_nif *nif = n->state;
	struct netdev_seg seg[NSEG_MAX];
	struct netdev_tx tx = { .seg = seg, .len = p->tot_len };
	u8 head[HEAD_MAX];
	void *flat = NULL;
	u32 hlen = 0;
	int r;

	if (!(n->chksum_flags & NETIF_CHECKSUM_GEN_TCP)) {
		hlen = pbuf_copy_partial(p, head, HEAD_MAX, 0);
		tx_csum(head, hlen, &tx);
		seg[tx.nseg++] = (struct netdev_seg){ head, hlen };
	}
	if (!tx_segs(p, hlen, seg, &tx.nseg)) {
		/* A long chain: one flat copy (headers patched as above). */
		flat = kmalloc(p->tot_len);
		if (!flat) {
			nif->dev->tx_dropped++;
			return ERR_MEM;
		}
		pbuf_copy_partial(p, flat, p->tot_len, 0);
		memcpy(flat, head, hlen);
		seg[0] = (struct netdev_seg){ flat, p->tot_len };
		tx.nseg = 1;
	}
	r = nif->dev->xmit(nif->dev, &tx);
	kfree(flat);
	if (r == -ENOBUFS)
		return ERR_MEM;
	return r ? ERR_IF : ERR_OK;
}

/* ---- Attaching ---- */

static err_t nif_init(struct netif *n)
{
	struct net_nif *nif = n->state;
	struct netdev *d = nif->dev;

	n->name[0] = 'e';
	n->name[1] = 'n';
	n->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(n->hwaddr, d->mac, ETH_HWADDR_LEN);
	n->mtu = (u16_t)MIN(d->mtu, 0xffffu);
	n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
		   NETIF_FLAG_ETHERNET | NETIF_FLAG_MLD6;
	n->output = etharp_output;
	n->output_ip6 = ethip6_output;
	n->linkoutput = nif_linkoutput;
	NETIF_SET_CHECKSUM_CTRL(n, NETIF_CHECKSUM_ENABLE_ALL);
	if (d->features & NETDEV_F_TX_CSUM)
		NETIF_SET_CHECKSUM_CTRL(n, NETIF_CHECKSUM_ENABLE_ALL &
					       ~NETIF_CHECKSUM_GEN_TCP);
	return ERR_OK;
}

/* Attaches device d as the next interface; false if it cannot. */
static bool attach(struct netdev *d)
{
	struct net_nif *nif = kzalloc(sizeof(*nif));
	struct netif *n = kzalloc(sizeof(*n));

	if (!nif || !n || !d->xmit)
		goto out_free;
	nif->dev = d;
	nif->netif = n;
	str_lcpy(nif->name, d->name ? d->name : "eth", sizeof(nif->name));
	if (!netif_add_noaddr(n, nif, nif_init, ethernet_input))
		goto out_free;
	netif_set_link_up(n);
	netif_set_up(n);
	netif_create_ip6_linklocal_address(n, 1);
	netif_set_ip6_autoconfig_enabled(n, 1);
	d->net = nif;
	d->rx = nif_rx;
	d->tx_room = nif_tx_room;
	nifs[nnifs++] = nif;
	return true;

out_free:
	kfree(n);
	kfree(nif);
	return false;
}

void net_netif_attach(void)
{
	static struct net_nif lo = { .name = "lo" };
	struct netdev *d;

	net_lock();
	lo.netif = netif_get_by_index(1);
	if (!lo.netif)
		panic("lwIP made no loopback interface");
	nifs[nnifs++] = &lo;
	lo.netif->rs_count = 0;	/* no router solicitations on lo */
	for (unsigned i = 0; (d = netdev_get(i)) && nnifs < NET_NIF_MAX; i++)
		if (!attach(d))
			klog("net: cannot attach %s", d->name);
	net_unlock();
	/* Started outside the lock: the driver may deliver at once. */
	for (unsigned i = 1; i < nnifs; i++)
		if (netdev_up(nifs[i]->dev))
			klog("net: %s did not come up", nifs[i]->name);
}

/* ---- Loopback ---- */

/* Delivers n's loopback queue, counting the packets as lo's. */
static void loop_deliver(struct netif *n)
{
	struct net_nif *lo = nifs[0];

	while (n->loop_first) {
		struct pbuf *in = n->loop_first, *end = in;
		while (end->len != end->tot_len && end->next)
			end = end->next;
		if (end == n->loop_last)
			n->loop_first = n->loop_last = NULL;
		else
			n->loop_first = end->next;
		end->next = NULL;
		in->if_idx = netif_get_index(n);
		lo->rx_packets++;
		lo->tx_packets++;
		lo->rx_bytes += in->tot_len;
		lo->tx_bytes += in->tot_len;
		if (ip_input(in, n) != ERR_OK)
			pbuf_free(in);
	}
}

bool net_netif_loop_flush(void)
{
	const u16 checks = NETIF_CHECKSUM_CHECK_IP | NETIF_CHECKSUM_CHECK_UDP |
			   NETIF_CHECKSUM_CHECK_TCP | NETIF_CHECKSUM_CHECK_ICMP |
			   NETIF_CHECKSUM_CHECK_ICMP6;
	bool again = nnifs > 0, any = false;

	while (again) {
		again = false;
		for (unsigned i = 0; i < nnifs; i++) {
			struct netif *n = nifs[i]->netif;
			if (!n->loop_first)
				continue;
			u16 flags = n->chksum_flags;
			n->chksum_flags &= ~checks;
			loop_deliver(n);
			n->chksum_flags = flags;
			again = any = true;
		}
	}
	return any;
}

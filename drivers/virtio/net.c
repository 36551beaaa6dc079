/*
 * drivers/virtio/net.c: the virtio network device, virtio 1.2 section 5.1,
 * over either transport. Layer: drivers. Interface: a struct netdev
 * (skiff/netdev.h) per device, registered at probe; virtio_net_driver for
 * the table of drivers/virtio/virtio.c.
 *
 * QEMU: `-netdev user,id=n0` and then, on microvm,
 * `-device virtio-net-device,netdev=n0` (with
 * `-global virtio-mmio.force-legacy=false`), on q35
 * `-device virtio-net-pci,netdev=n0`. One receive and one transmit queue
 * (queues 0 and 1), no control queue.
 *
 * Features (5.1.3) taken when offered: VERSION_1, MAC, MTU, STATUS,
 * CSUM and HOST_TSO4/6 (the device fills checksums and cuts TCP segments
 * we send), GUEST_CSUM (it tells us which received checksums it checked),
 * MRG_RXBUF (page-sized receive buffers, a frame may span several),
 * EVENT_IDX, INDIRECT_DESC. Not GUEST_TSO*: received frames stay within
 * the MTU, as the stack expects.
 *
 * Receive: pages posted to the receive queue (RX_FIRST_POSTS at netdev_up,
 * every free descriptor from the first poll on). Its interrupt callback only
 * turns the queue's interrupts off and wakes the device's kernel thread
 * (skiff/kthread.h), which drains used buffers, hands each whole frame to
 * netdev->rx (the page itself, past the header, or a kmalloc'd copy when
 * the frame spans several), reposts the pages, and turns interrupts back
 * on only when the queue is empty (NAPI: no interrupts while it polls).
 *
 * Transmit: netdev->xmit copies the frame after a virtio_net_hdr into a
 * kmalloc'd buffer of one descriptor, adds it and notifies the device
 * (every frame, see vnet_xmit); buffers the device
 * is done with are freed at the next xmit. The transmit queue's interrupts
 * stay off except when xmit found it full: then its callback wakes the
 * thread, which calls netdev->tx_room. Only xmit (always under the
 * network lock, see netdev.h) touches the transmit queue, so it needs no
 * lock; only the thread touches the receive queue, except vq_disable_cb
 * in its interrupt callback.
 */
#include <skiff/alloc.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/kthread.h>
#include <skiff/lib.h>
#include <skiff/netdev.h>
#include <skiff/paging.h>
#include <skiff/virtio.h>

/* Feature bits (5.1.3). */
#define F_CSUM (1ull << 0)
#define F_GUEST_CSUM (1ull << 1)
#define F_MTU (1ull << 3)
#define F_MAC (1ull << 5)
#define F_HOST_TSO4 (1ull << 11)
#define F_HOST_TSO6 (1ull << 12)
#define F_MRG_RXBUF (1ull << 15)
#define F_STATUS (1ull << 16)

/* Configuration (5.1.4). */
#define CFG_MAC 0
#define CFG_STATUS 6
#define CFG_MTU 10
#define S_LINK_UP 1

/* The header before every frame (5.1.6); 12 bytes with VERSION_1. */
struct virtio_net_hdr {
	u8 flags;
	u8 gso_type;
	u16 hdr_len;
	u16 gso_size;
	u16 csum_start;
	u16 csum_offset;
	u16 num_buffers;
} __packed;
_Static_assert(sizeof(struct virtio_net_hdr) == 12, "virtio 1.2 5.1.6");
#define HDR_LEN sizeof(struct virtio_net_hdr)
#define HDR_F_NEEDS_CSUM 1
#define HDR_F_DATA_VALID 2

#define QUEUE_MAX 256		/* descriptors a queue, at most */
/*
 * Receive buffers posted at netdev_up: enough for the first burst (the
 * device holds frames back while the queue is empty; QEMU queues them),
 * while the rest of the ring, allocated and posted by the thread's first
 * poll, stays off the boot (~0.2 ms for 256 pages under TCG).
 */
#define RX_FIRST_POSTS 32
#define ETH_HLEN 14
#define MAX_PARTS 18		/* receive buffers of one frame we keep */
#define TX_MAX (65535 + ETH_HLEN + 4) /* with TSO */

struct vnet {
	struct netdev nd;
	struct virtio_dev *vd;
	struct virtq *rxq, *txq;
	struct kthread *thread;	/* NULL until netdev_up */
	u32 rx_buf_len;		/* bytes of a receive buffer (pages) */
	bool mrg;		/* MRG_RXBUF */
	bool tx_stopped;	/* xmit found the ring full (atomic) */
	bool tx_wake;		/* the thread owes a tx_room call (atomic) */
	/* The frame being received, buffer by buffer. */
	struct { void *buf; u32 len; } part[MAX_PARTS];
	u16 nparts, want;	/* buffers held, and of the frame in all */
	u16 skip;		/* buffers left of a frame being dropped */
};

/* ---- Receive ---- */

static void rx_post(struct vnet *n, void *buf)
{
	struct vq_buf b = { buf, n->rx_buf_len };

	if (vq_add(n->rxq, NULL, 0, &b, 1, buf))
		page_free(buf, n->rx_buf_len / PAGE_SIZE);
}

/* Posts new buffers into free descriptors, at most max; how many. */
static unsigned rx_fill(struct vnet *n, unsigned max)
{
	unsigned posted = 0;

	while (posted < max && vq_num_free(n->rxq)) {
		void *buf = page_alloc_dirty(n->rx_buf_len / PAGE_SIZE);
		if (!buf)
			break;
		rx_post(n, buf);
		posted++;
	}
	return posted;
}

/* Hands the frame in n->part to the stack, then reposts its buffers. */
static void rx_deliver(struct vnet *n)
{
	struct virtio_net_hdr *h = n->part[0].buf;
	u32 total = 0;
	u8 *copy = NULL;

	for (u16 i = 0; i < n->nparts; i++)
		total += n->part[i].len;
	total -= HDR_LEN;
	const void *data = (u8 *)h + HDR_LEN;
	if (n->nparts > 1 && total >= ETH_HLEN && (copy = kmalloc(total))) {
		u32 at = n->part[0].len - HDR_LEN;
		memcpy(copy, data, at);
		for (u16 i = 1; i < n->nparts; i++) {
			memcpy(copy + at, n->part[i].buf, n->part[i].len);
			at += n->part[i].len;
		}
		data = copy;
	}
	if (total < ETH_HLEN || (n->nparts > 1 && !copy) || !n->nd.rx) {
		n->nd.rx_dropped++;
	} else {
		/* NEEDS_CSUM: a local sender left the checksum to the
		 * hardware; the data is as good as verified. */
		struct netdev_rx rx = {
			.data = data, .len = total,
			.csum_ok = (n->vd->features & F_GUEST_CSUM) &&
				   (h->flags & (HDR_F_DATA_VALID | HDR_F_NEEDS_CSUM)),
		};
		n->nd.rx(&n->nd, &rx);
		n->nd.rx_packets++;
		n->nd.rx_bytes += total;
	}
	kfree(copy);
	for (u16 i = 0; i < n->nparts; i++)
		rx_post(n, n->part[i].buf);
	n->nparts = 0;
}

/* One used receive buffer: the start of a frame, or more of one. */
static void rx_buffer(struct vnet *n, void *buf, u32 len)
{
	if (n->skip) {
		n->skip--;
		rx_post(n, buf);
		return;
	}
	if (!n->nparts) {
		struct virtio_net_hdr *h = buf;
		u16 nb = n->mrg && len >= HDR_LEN ? h->num_buffers : 1;
		if (len < HDR_LEN || len > n->rx_buf_len || !nb || nb > MAX_PARTS) {
			n->nd.rx_dropped++;
			n->skip = nb ? nb - 1 : 0;
			rx_post(n, buf);
			return;
		}
		n->want = nb;
	}
	n->part[n->nparts].buf = buf;
	n->part[n->nparts++].len = MIN(len, n->rx_buf_len);
	if (n->nparts == n->want)
		rx_deliver(n);
}

static void rx_poll(struct vnet *n)
{
	void *buf;
	u32 len;

	while ((buf = vq_get_used(n->rxq, &len)))
		rx_buffer(n, buf, len);
	rx_fill(n, QUEUE_MAX);
	vq_kick(n->rxq);
}

static void vnet_thread(struct kthread *self, void *arg)
{
	struct vnet *n = arg;

	for (;;) {
		kthread_wait(self);
		if (__atomic_exchange_n(&n->tx_wake, false, __ATOMIC_ACQ_REL) &&
		    n->nd.tx_room)
			n->nd.tx_room(&n->nd);
		/* Interrupts stay off while buffers keep coming. */
		for (;;) {
			rx_poll(n);
			if (vq_enable_cb(n->rxq))
				break;
			vq_disable_cb(n->rxq);
		}
	}
}

/* Interrupt callbacks: interrupts off, must not sleep. */
static void rx_callback(struct virtq *vq)
{
	struct vnet *n = vq->dev->priv;
	struct kthread *t = n ? __atomic_load_n(&n->thread, __ATOMIC_ACQUIRE) : NULL;

	if (t) {
		vq_disable_cb(vq);
		kthread_wake(t);
	}
}

static void tx_callback(struct virtq *vq)
{
	struct vnet *n = vq->dev->priv;
	struct kthread *t = n ? __atomic_load_n(&n->thread, __ATOMIC_ACQUIRE) : NULL;

	if (t && __atomic_load_n(&n->tx_stopped, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&n->tx_wake, true, __ATOMIC_RELEASE);
		kthread_wake(t);
	}
}

static int vnet_up(struct netdev *nd)
{
	struct vnet *n = container_of(nd, struct vnet, nd);

	if (n->thread)
		return 0;
	if (!rx_fill(n, RX_FIRST_POSTS))
		return -ENOMEM;
	struct kthread *t = kthread_run(nd->name, vnet_thread, n);
	if (!t)
		return -ENOMEM; /* the posted pages stay with the queue */
	__atomic_store_n(&n->thread, t, __ATOMIC_RELEASE);
	vq_kick(n->rxq);
	return 0;
}

/* ---- Transmit ---- */

static void tx_reclaim(struct vnet *n)
{
	void *buf;
	u32 len;

	while ((buf = vq_get_used(n->txq, &len)))
		kfree(buf);
	if (vq_num_free(n->txq) &&
	    __atomic_load_n(&n->tx_stopped, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&n->tx_stopped, false, __ATOMIC_RELEASE);
		vq_disable_cb(n->txq);
	}
}

/* The ring is full: interrupts on until the device frees a buffer.
 * Whether there is room now after all. */
static bool tx_stop(struct vnet *n)
{
	__atomic_store_n(&n->tx_stopped, true, __ATOMIC_RELEASE);
	if (!vq_enable_cb(n->txq))
		tx_reclaim(n); /* done meanwhile */
	return vq_num_free(n->txq) > 0;
}

/* Whether the device can do what tx asks: 0 or -EINVAL. */
static int tx_check(struct vnet *n, const struct netdev_tx *tx)
{
	u32 sum = 0, max = n->nd.mtu + ETH_HLEN + 4;

	for (u32 i = 0; i < tx->nseg; i++)
		sum += tx->seg[i].len;
	if (!tx->nseg || sum != tx->len || tx->len < ETH_HLEN)
		return -EINVAL;
	if (tx->csum && (!(n->nd.features & NETDEV_F_TX_CSUM) ||
			 (u32)tx->csum_start + tx->csum_offset + 2 > tx->len))
		return -EINVAL;
	if (tx->gso_type == NETDEV_GSO_NONE)
		return tx->len <= max ? 0 : -EINVAL;
	u32 need = tx->gso_type == NETDEV_GSO_TCPV4 ? NETDEV_F_TSO4 :
		   tx->gso_type == NETDEV_GSO_TCPV6 ? NETDEV_F_TSO6 : 0;
	if (!need || !(n->nd.features & need) || !tx->csum || !tx->gso_size ||
	    tx->hdr_len > tx->len || tx->len > TX_MAX)
		return -EINVAL;
	return 0;
}

static int vnet_xmit(struct netdev *nd, const struct netdev_tx *tx)
{
	struct vnet *n = container_of(nd, struct vnet, nd);
	int r = tx_check(n, tx);

	if (r) {
		nd->tx_dropped++;
		return r;
	}
	tx_reclaim(n);
	u8 *buf = vq_num_free(n->txq) || tx_stop(n) ? kmalloc(HDR_LEN + tx->len) : NULL;
	if (!buf) {
		nd->tx_dropped++;
		return -ENOBUFS;
	}
	*(struct virtio_net_hdr *)buf = (struct virtio_net_hdr){
		.flags = tx->csum ? HDR_F_NEEDS_CSUM : 0,
		.gso_type = tx->gso_type,
		.hdr_len = tx->gso_type ? tx->hdr_len : 0,
		.gso_size = tx->gso_type ? tx->gso_size : 0,
		.csum_start = tx->csum ? tx->csum_start : 0,
		.csum_offset = tx->csum ? tx->csum_offset : 0,
	};
	u32 at = HDR_LEN;
	for (u32 i = 0; i < tx->nseg; at += tx->seg[i++].len)
		memcpy(buf + at, tx->seg[i].base, tx->seg[i].len);
	struct vq_buf b = { buf, HDR_LEN + tx->len };
	if (vq_add(n->txq, &b, 1, NULL, 0, buf)) {
		kfree(buf);
		nd->tx_dropped++;
		return -ENOBUFS;
	}
	/*
	 * Notify the device of every frame, even when its avail_event says
	 * it needs none (EVENT_IDX). With the suppression QEMU's virtio-net
	 * (7.2, user and tap backends) now and then stopped at an avail_event
	 * behind frames we had already published and never looked again:
	 * seen as avail->idx 130 ahead of the device's avail_event and used
	 * index, nothing in flight on its side, and no notification due
	 * from us; the frames sat in the ring until a retransmission
	 * happened to cross avail_event (tens of seconds with TCP's backed-
	 * off RTO), or forever once the ring was full. QEMU later changed
	 * the device side of this ("virtio-net: fix network stall under
	 * load", 2024, after 7.2: it re-checks the ring after re-enabling
	 * notifications). One MMIO write per frame is cheap next to the copy
	 * above under TCG; under KVM it is a VM exit per frame: revisit with
	 * a QEMU that has the fix.
	 */
	if (!vq_kick(n->txq) && n->txq->notify)
		n->txq->notify(n->txq);
	nd->tx_packets++;
	nd->tx_bytes += tx->len;
	return 0;
}

/* ---- Probe ---- */

/* MAC, MTU, features for the stack, from the negotiated features. */
static void read_config(struct vnet *n)
{
	struct virtio_dev *vd = n->vd;
	u16 mtu = 1500;

	if (vd->features & F_MAC) {
		virtio_config_read(vd, CFG_MAC, n->nd.mac, 6);
	} else {
		random_fill(n->nd.mac, 6);
		n->nd.mac[0] = (n->nd.mac[0] & ~1) | 2; /* unicast, local */
	}
	if (vd->features & F_MTU) {
		virtio_config_read(vd, CFG_MTU, &mtu, 2);
		if (mtu < 68)
			mtu = 1500;
	}
	n->nd.mtu = mtu;
	n->mrg = vd->features & F_MRG_RXBUF;
	n->rx_buf_len = n->mrg ? PAGE_SIZE :
		ALIGN_UP(HDR_LEN + ETH_HLEN + 4 + mtu, PAGE_SIZE);
	n->nd.features = (vd->features & F_CSUM ? NETDEV_F_TX_CSUM : 0) |
			 (vd->features & F_GUEST_CSUM ? NETDEV_F_RX_CSUM : 0) |
			 (vd->features & F_HOST_TSO4 ? NETDEV_F_TSO4 : 0) |
			 (vd->features & F_HOST_TSO6 ? NETDEV_F_TSO6 : 0);
}

/* The probe's one line: "eth0: virtio-net 52:54:00:12:34:56 mtu 1500 ...". */
static void log_device(struct vnet *n)
{
	const u8 *m = n->nd.mac;
	u64 f = n->vd->features;
	u16 status = S_LINK_UP;

	/* Its config read and formatting serve the log alone. */
	if (!boot_opts.verbose)
		return;
	if (f & F_STATUS)
		virtio_config_read(n->vd, CFG_STATUS, &status, 2);
	klog("%s: virtio-net %02x:%02x:%02x:%02x:%02x:%02x mtu %u%s%s%s%s%s%s%s "
	     "(%s)%s", n->nd.name, m[0], m[1], m[2], m[3], m[4], m[5],
	     n->nd.mtu, f & F_CSUM ? " csum" : "",
	     f & F_GUEST_CSUM ? " rxcsum" : "", f & F_HOST_TSO4 ? " tso4" : "",
	     f & F_HOST_TSO6 ? " tso6" : "", f & F_MRG_RXBUF ? " mrg" : "",
	     f & VIRTIO_F_EVENT_IDX ? " event-idx" : "",
	     f & VIRTIO_F_INDIRECT_DESC ? " indirect" : "", n->vd->where,
	     status & S_LINK_UP ? "" : ", link down");
}

static int vnet_probe(struct virtio_dev *vd)
{
	static void (*const callbacks[2])(struct virtq *) = { rx_callback,
							      tx_callback };
	u64 want = F_CSUM | F_GUEST_CSUM | F_MTU | F_MAC | F_HOST_TSO4 |
		   F_HOST_TSO6 | F_MRG_RXBUF | F_STATUS | VIRTIO_F_EVENT_IDX |
		   VIRTIO_F_INDIRECT_DESC;
	struct vnet *n = kzalloc(sizeof(*n));
	struct virtq *q[2];
	int r;

	if (!n)
		return -ENOMEM;
	n->vd = vd;
	/* TSO depends on CSUM (5.1.3.1). */
	if (!(vd->ops->get_features(vd) & F_CSUM))
		want &= ~(F_HOST_TSO4 | F_HOST_TSO6);
	if ((r = virtio_negotiate(vd, want)))
		goto out_free;
	read_config(n);
	vd->priv = n;
	if ((r = virtio_setup_vqs(vd, 2, q, callbacks, QUEUE_MAX)))
		goto out_free;
	n->rxq = q[0];
	n->txq = q[1];
	vq_disable_cb(n->txq); /* on only while the ring is full */
	n->nd.xmit = vnet_xmit;
	n->nd.up = vnet_up;
	n->nd.priv = n;
	if ((r = netdev_register(&n->nd)))
		goto out_free;
	virtio_ready(vd);
	log_device(n);
	return 0;
out_free:
	vd->priv = NULL;
	kfree(n);
	return r;
}

const struct virtio_driver virtio_net_driver = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.probe = vnet_probe,
};

/*
 * Network devices, as the network stack sees them: a driver (virtio-net,
 * drivers/virtio/net.c) registers a struct netdev; net/ attaches to it,
 * sends frames with netdev->xmit and receives them through the rx hook it
 * sets. Layer: drivers (the hook is the upward call, set by net/).
 *
 * Frames are whole Ethernet frames (destination MAC first), without the
 * virtio-net header: offload requests travel in struct netdev_tx and
 * struct netdev_rx instead.
 *
 * Context: xmit may be called from any thread with the network lock held;
 * it never sleeps. rx is called from the driver's receive thread (its
 * interrupt's bottom half), never from an interrupt handler, so it may
 * take the network lock (a mutex).
 */
#ifndef SKIFF_NETDEV_H
#define SKIFF_NETDEV_H

#include <skiff/types.h>

/* Features: what the device does for the stack (struct netdev.features). */
#define NETDEV_F_TX_CSUM 1	/* fills a TCP/UDP checksum (netdev_tx.csum) */
#define NETDEV_F_RX_CSUM 2	/* reports checksums it verified (csum_ok) */
#define NETDEV_F_TSO4 4		/* segments TCP over IPv4 (gso) */
#define NETDEV_F_TSO6 8		/* segments TCP over IPv6 (gso) */

/* One piece of a frame to send, in kernel memory. */
struct netdev_seg {
	const void *base;
	u32 len;
};

/* GSO types (virtio-net's values, virtio 1.2 section 5.1.6). */
#define NETDEV_GSO_NONE 0
#define NETDEV_GSO_TCPV4 1
#define NETDEV_GSO_TCPV6 4

/* A frame to send: its pieces in order, and what the device should do. */
struct netdev_tx {
	const struct netdev_seg *seg;
	u32 nseg;
	u32 len;		/* sum of the seg lengths */
	bool csum;		/* the device computes the checksum: */
	u16 csum_start;		/*   from this offset to the frame's end, */
	u16 csum_offset;	/*   stored at csum_start + csum_offset */
	u8 gso_type;		/* NETDEV_GSO_*: the device cuts the frame */
	u16 gso_size;		/*   into segments of this payload size */
	u16 hdr_len;		/*   after headers of this length */
};

/* A received frame, valid only during the rx call. */
struct netdev_rx {
	const void *data;
	u32 len;
	bool csum_ok;		/* the device verified the TCP/UDP checksum */
};

struct netdev {
	const char *name;	/* "eth0": set by netdev_register if NULL */
	u8 mac[6];
	u32 mtu;		/* payload bytes of one frame (1500) */
	u32 features;		/* NETDEV_F_* */
	/*
	 * Queues one frame: 0, or -ENOBUFS when the device's queue is full
	 * (the caller drops it, as a full NIC ring does) or -EINVAL. The
	 * driver copies or holds the bytes itself: the caller's buffers may
	 * be reused when it returns. Never sleeps.
	 */
	int (*xmit)(struct netdev *d, const struct netdev_tx *tx);
	/* Set by the driver: netdev_up's work (fill the receive queue,
	 * start the receive thread). 0 or -ENOMEM. */
	int (*up)(struct netdev *d);
	/* Set by net/ before netdev_up: a frame arrived. */
	void (*rx)(struct netdev *d, const struct netdev_rx *rx);
	/* Set by net/: the link or the transmit queue has room again (may be
	 * NULL). Called from the driver's thread. */
	void (*tx_room)(struct netdev *d);
	void *net;		/* net/'s own state for this device */
	void *priv;		/* the driver's */
	u64 rx_packets, rx_bytes, tx_packets, tx_bytes, rx_dropped, tx_dropped;
};

/*
 * A driver announces a probed device: 0 or -ENOSPC (too many). A device
 * without a name gets "eth0", "eth1", ... in the order of registration.
 * Boot only.
 */
int netdev_register(struct netdev *d);
/* The i-th registered device (0, 1, ...), or NULL past the last. */
struct netdev *netdev_get(unsigned i);
/*
 * net/ has set rx (and tx_room): the driver fills its receive queue and
 * starts delivering. Boot only; 0 or -ENOMEM.
 */
int netdev_up(struct netdev *d);

#endif

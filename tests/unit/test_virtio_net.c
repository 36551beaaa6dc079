/* SOURCES: drivers/virtio/net.c drivers/virtio/virtqueue.c drivers/netdev.c lib/printf.c lib/strconv.c */
/*
 * drivers/virtio/net.c with its queues real (virtqueue.c) and the rest
 * played here: the virtio core (negotiation, configuration, queue set-up)
 * over a fake device, the kernel thread (run one round at a time), and
 * the device's side of the rings (as in test_virtqueue.c). Covered: what
 * the driver negotiates and tells the stack, receive buffers posted at
 * netdev_up, a frame in one buffer and one spanning several (mergeable
 * buffers, also across two polls), malformed receive headers dropped, the
 * transmit header for checksum and TSO requests, invalid requests
 * refused, and a full transmit ring: -ENOBUFS, then tx_room once the
 * device frees a buffer. QEMU's user networking offers no offloads, so
 * these paths are tested here only.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/alloc.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/kthread.h>
#include <skiff/netdev.h>
#include <skiff/paging.h>
#include <skiff/virtio.h>
#include "shim.h"

#define F_CSUM (1ull << 0)
#define F_GUEST_CSUM (1ull << 1)
#define F_MTU (1ull << 3)
#define F_MAC (1ull << 5)
#define F_HOST_TSO4 (1ull << 11)
#define F_HOST_TSO6 (1ull << 12)
#define F_MRG_RXBUF (1ull << 15)
#define F_STATUS (1ull << 16)

struct hdr {
	u8 flags, gso_type;
	u16 hdr_len, gso_size, csum_start, csum_offset, num_buffers;
} __attribute__((packed));

/* ---- Kernel services ---- */

static long pages_out;

void *page_alloc(size_t n)
{
	void *p = aligned_alloc(PAGE_SIZE, n * PAGE_SIZE);
	memset(p, 0, n * PAGE_SIZE);
	pages_out += n;
	return p;
}

void *page_alloc_dirty(size_t n) { return page_alloc(n); }

void page_free(void *p, size_t n)
{
	pages_out -= n;
	free(p);
}

void random_fill(void *buf, size_t len) { memset(buf, 0x42, len); }

/* The thread: kthread_run records it; run_thread plays one round. */
struct kthread {
	void (*fn)(struct kthread *, void *);
	void *arg;
	int wakes, waits;
};
static struct kthread thread;
static jmp_buf thread_done;

struct kthread *kthread_run(const char *name,
			    void (*fn)(struct kthread *, void *), void *arg)
{
	thread = (struct kthread){ .fn = fn, .arg = arg };
	return &thread;
}

void kthread_wake(struct kthread *t) { t->wakes++; }

/* The first wait returns (woken), the second ends the round. */
void kthread_wait(struct kthread *t)
{
	if (t->waits++ % 2)
		longjmp(thread_done, 1);
}

static void run_thread(void)
{
	assert_non_null(thread.fn);
	thread.waits = 0;
	if (!setjmp(thread_done))
		thread.fn(&thread, thread.arg);
}

/* ---- The virtio core over a fake device ---- */

static struct {
	u64 offered;
	u8 config[16];
	struct virtq *vq[2];
	int kicks[2];
	bool ready;
} fake;

static u64 fake_features(struct virtio_dev *d) { return fake.offered; }
static const struct virtio_transport fake_ops = { .get_features = fake_features };

int virtio_negotiate(struct virtio_dev *d, u64 wanted)
{
	d->features = fake.offered & (wanted | VIRTIO_F_VERSION_1);
	return 0;
}

void virtio_config_read(struct virtio_dev *d, unsigned off, void *buf,
			unsigned len)
{
	memcpy(buf, fake.config + off, len);
}

static void count_kick(struct virtq *vq) { fake.kicks[vq->index]++; }

static u16 fake_qsize = 8;	/* descriptors of each fake queue */

int virtio_setup_vqs(struct virtio_dev *d, unsigned n, struct virtq *vqs[],
		     void (*const cb[])(struct virtq *), u16 max_size)
{
	assert_int_equal(n, 2);
	for (unsigned i = 0; i < n; i++) {
		vqs[i] = fake.vq[i] = vq_create(i, fake_qsize, d->features);
		vqs[i]->callback = cb[i];
		vqs[i]->dev = d;
		vqs[i]->notify = count_kick;
		d->vqs[d->nvqs++] = vqs[i];
	}
	return 0;
}

void virtio_ready(struct virtio_dev *d) { fake.ready = true; }

/* ---- The device's side of the rings ---- */

static u16 last_avail[2];

/* The next available buffer of queue q: its head and first piece. */
static bool dev_pop(int q, u16 *head, struct vring_desc *d)
{
	struct virtq *vq = fake.vq[q];

	if (vq->avail->idx == last_avail[q])
		return false;
	*head = vq->avail->ring[last_avail[q]++ % vq->size];
	*d = vq->desc[*head];
	return true;
}

static void dev_push(int q, u16 head, u32 len)
{
	struct virtq *vq = fake.vq[q];

	vq->used->ring[vq->used->idx % vq->size] = (struct vring_used_elem){ head, len };
	vq->used->idx++;
}

/* Writes bytes into the next receive buffer and returns it as used. */
static void dev_receive(const void *bytes, u32 len)
{
	u16 head;
	struct vring_desc d;

	assert_true(dev_pop(0, &head, &d));
	assert_true(d.flags & VRING_DESC_F_WRITE);
	assert_true(len <= d.len);
	memcpy(phys_to_virt(d.addr), bytes, len);
	dev_push(0, head, len);
}

/* ---- The stack ---- */

static struct {
	int frames, rooms;
	u8 data[20000];
	u32 len;
	bool csum_ok;
} got;

static void stack_rx(struct netdev *d, const struct netdev_rx *rx)
{
	got.frames++;
	assert_true(rx->len <= sizeof(got.data));
	memcpy(got.data, rx->data, rx->len);
	got.len = rx->len;
	got.csum_ok = rx->csum_ok;
}

static void stack_tx_room(struct netdev *d) { got.rooms++; }

static struct virtio_dev vdev;

/* Probes a device offering features, brings it up; its netdev. */
static struct netdev *setup(u64 offered)
{
	static const u8 mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };

	memset(&fake, 0, sizeof(fake));
	memset(&got, 0, sizeof(got));
	memset(last_avail, 0, sizeof(last_avail));
	vdev = (struct virtio_dev){ .ops = &fake_ops, .device_id = VIRTIO_ID_NET };
	fake.offered = offered | VIRTIO_F_VERSION_1;
	memcpy(fake.config, mac, 6);
	fake.config[6] = 1; /* link up */
	fake.config[10] = 0xdc; /* mtu 1500 */
	fake.config[11] = 0x05;
	assert_int_equal(virtio_net_driver.probe(&vdev), 0);
	assert_true(fake.ready);
	struct netdev *nd = NULL;
	for (unsigned i = 0; netdev_get(i); i++)
		nd = netdev_get(i); /* the newest */
	assert_non_null(nd);
	nd->rx = stack_rx;
	nd->tx_room = stack_tx_room;
	assert_int_equal(netdev_up(nd), 0);
	return nd;
}

static void teardown(struct netdev *nd)
{
	void *buf;

	for (int q = 0; q < 2; q++) {
		while ((buf = vq_detach(fake.vq[q])))
			q ? kfree(buf) : page_free(buf, 1);
		vq_destroy(fake.vq[q]);
	}
	kfree(nd->priv);
	assert_int_equal(pages_out, 0); /* every receive page came back */
}

/* An interrupt for queue q, then one round of the thread. */
static void interrupt(int q)
{
	fake.vq[q]->callback(fake.vq[q]);
	run_thread();
}

static void negotiation(void **state)
{
	struct netdev *nd = setup(F_CSUM | F_GUEST_CSUM | F_MTU | F_MAC |
				  F_HOST_TSO4 | F_HOST_TSO6 | F_MRG_RXBUF |
				  F_STATUS | VIRTIO_F_EVENT_IDX | (1ull << 7));

	assert_string_equal(nd->name, "eth0");
	assert_memory_equal(nd->mac, "\x52\x54\x00\x12\x34\x56", 6);
	assert_int_equal(nd->mtu, 1500);
	assert_int_equal(nd->features, NETDEV_F_TX_CSUM | NETDEV_F_RX_CSUM |
					       NETDEV_F_TSO4 | NETDEV_F_TSO6);
	assert_false(vdev.features & (1ull << 7)); /* GUEST_TSO4: not asked */
	/* netdev_up filled the receive queue and told the device. */
	assert_int_equal(vq_num_free(fake.vq[0]), 0);
	assert_int_equal(fake.kicks[0], 1);
	assert_int_equal(netdev_up(nd), 0); /* twice: nothing more */
	assert_int_equal(fake.kicks[0], 1);
	teardown(nd);

	/* TSO without CSUM is not taken (5.1.3.1); no MAC: a local one. */
	nd = setup(F_HOST_TSO4 | F_MRG_RXBUF);
	assert_int_equal(nd->features, 0);
	assert_false(vdev.features & F_HOST_TSO4);
	assert_int_equal(nd->mac[0] & 3, 2); /* locally administered, unicast */
	assert_string_equal(nd->name, "eth1");
	teardown(nd);
}

static void receive_one(void **state)
{
	struct netdev *nd = setup(F_GUEST_CSUM | F_MRG_RXBUF | VIRTIO_F_EVENT_IDX);
	u8 frame[12 + 60];
	struct hdr h = { .flags = 2 /* DATA_VALID */, .num_buffers = 1 };

	memcpy(frame, &h, 12);
	for (int i = 0; i < 60; i++)
		frame[12 + i] = i;
	dev_receive(frame, sizeof(frame));
	interrupt(0);
	assert_int_equal(thread.wakes, 1);
	assert_int_equal(got.frames, 1);
	assert_int_equal(got.len, 60);
	assert_memory_equal(got.data, frame + 12, 60);
	assert_true(got.csum_ok);
	assert_int_equal(nd->rx_packets, 1);
	assert_int_equal(nd->rx_bytes, 60);
	/* The buffer went back: the queue is full of buffers again, and
	 * interrupts are on again (the queue was drained). */
	assert_int_equal(vq_num_free(fake.vq[0]), 0);
	assert_true(fake.vq[0]->cb_enabled);
	teardown(nd);
}

/* A ring larger than what netdev_up posts (32 buffers, to keep the boot
 * short) is filled whole by the thread's first poll. */
static void receive_ring_filled_lazily(void **state)
{
	fake_qsize = 64;
	struct netdev *nd = setup(F_MRG_RXBUF | VIRTIO_F_EVENT_IDX);
	u8 frame[12 + 60] = { 0 };

	assert_int_equal(vq_num_free(fake.vq[0]), 64 - 32);
	assert_int_equal(fake.kicks[0], 1);
	frame[10] = 1; /* num_buffers */
	dev_receive(frame, sizeof(frame));
	interrupt(0);
	assert_int_equal(got.frames, 1);
	assert_int_equal(vq_num_free(fake.vq[0]), 0);
	teardown(nd);
	fake_qsize = 8;
}

/* A frame over three page buffers arrives as one contiguous copy, even
 * when its last buffer comes in a later poll. */
static void receive_merged(void **state)
{
	struct netdev *nd = setup(F_MRG_RXBUF);
	static u8 page[3][4096];
	struct hdr h = { .num_buffers = 3 };
	u32 lens[3] = { 4096, 4096, 1000 };

	for (int b = 0; b < 3; b++)
		for (int i = 0; i < 4096; i++)
			page[b][i] = (u8)(b * 7 + i);
	memcpy(page[0], &h, 12);
	dev_receive(page[0], lens[0]);
	dev_receive(page[1], lens[1]);
	interrupt(0);
	assert_int_equal(got.frames, 0); /* waiting for the third */
	dev_receive(page[2], lens[2]);
	interrupt(0);
	assert_int_equal(got.frames, 1);
	assert_int_equal(got.len, 4084 + 4096 + 1000);
	assert_memory_equal(got.data, page[0] + 12, 4084);
	assert_memory_equal(got.data + 4084, page[1], 4096);
	assert_memory_equal(got.data + 4084 + 4096, page[2], 1000);
	assert_false(got.csum_ok); /* no GUEST_CSUM */
	teardown(nd);
}

/* Malformed headers from the device are dropped, never trusted. */
static void receive_malformed(void **state)
{
	struct netdev *nd = setup(F_MRG_RXBUF);
	u8 buf[64] = { 0 };
	struct hdr h = { .num_buffers = 0 };

	dev_receive(buf, 8); /* shorter than the header */
	memcpy(buf, &h, 12);
	dev_receive(buf, 64); /* num_buffers 0 */
	h.num_buffers = 1;
	memcpy(buf, &h, 12);
	dev_receive(buf, 12 + 10); /* shorter than an Ethernet header */
	h.num_buffers = 200; /* more than a frame can span: dropped ... */
	memcpy(buf, &h, 12);
	dev_receive(buf, 64);
	interrupt(0);
	assert_int_equal(got.frames, 0);
	assert_int_equal(nd->rx_dropped, 4);
	/* ... with the rest of its buffers, so later frames are intact. */
	for (int i = 0; i < 199; i++) {
		memset(buf, 0xee, 64);
		dev_receive(buf, 64);
		interrupt(0);
	}
	assert_int_equal(got.frames, 0);
	h.num_buffers = 1;
	memcpy(buf, &h, 12);
	dev_receive(buf, 64);
	interrupt(0);
	assert_int_equal(got.frames, 1);
	assert_int_equal(got.len, 52);
	teardown(nd);
}

/* What the device finds in the next transmit buffer. */
static struct hdr dev_transmit(u8 *frame, u32 *len)
{
	u16 head;
	struct vring_desc d;
	struct hdr h;

	assert_true(dev_pop(1, &head, &d));
	assert_false(d.flags & (VRING_DESC_F_WRITE | VRING_DESC_F_NEXT));
	memcpy(&h, phys_to_virt(d.addr), 12);
	*len = d.len - 12;
	memcpy(frame, (u8 *)phys_to_virt(d.addr) + 12, *len);
	dev_push(1, head, 0);
	return h;
}

static void transmit_offloads(void **state)
{
	struct netdev *nd = setup(F_CSUM | F_HOST_TSO4 | F_MRG_RXBUF);
	static u8 a[54], b[3000], seen[4000];
	struct netdev_seg seg[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct netdev_tx tx = { .seg = seg, .nseg = 2, .len = 3054, .csum = true,
				.csum_start = 34, .csum_offset = 16,
				.gso_type = NETDEV_GSO_TCPV4, .gso_size = 1448,
				.hdr_len = 54 };
	u32 len;

	memset(a, 1, sizeof(a));
	memset(b, 2, sizeof(b));
	assert_int_equal(nd->xmit(nd, &tx), 0);
	assert_int_equal(fake.kicks[1], 1);
	struct hdr h = dev_transmit(seen, &len);
	assert_int_equal(len, 3054);
	assert_memory_equal(seen, a, 54);
	assert_memory_equal(seen + 54, b, 3000);
	assert_int_equal(h.flags, 1); /* NEEDS_CSUM */
	assert_int_equal(h.csum_start, 34);
	assert_int_equal(h.csum_offset, 16);
	assert_int_equal(h.gso_type, 1);
	assert_int_equal(h.gso_size, 1448);
	assert_int_equal(h.hdr_len, 54);
	assert_int_equal(nd->tx_packets, 1);
	/* Plain: no offload fields. */
	struct netdev_tx plain = { .seg = seg, .nseg = 1, .len = 54 };
	assert_int_equal(nd->xmit(nd, &plain), 0);
	h = dev_transmit(seen, &len);
	assert_int_equal(len, 54);
	assert_int_equal(h.flags | h.gso_type | h.csum_start | h.gso_size, 0);
	/* Refused: lengths that disagree, a checksum past the end, TSO
	 * without a checksum, TSO6 (not negotiated), too big without TSO. */
	struct netdev_tx bad = tx;
	bad.len = 3000;
	assert_int_equal(nd->xmit(nd, &bad), -EINVAL);
	bad = tx;
	bad.csum_offset = 3054;
	assert_int_equal(nd->xmit(nd, &bad), -EINVAL);
	bad = tx;
	bad.csum = false;
	assert_int_equal(nd->xmit(nd, &bad), -EINVAL);
	bad = tx;
	bad.gso_type = NETDEV_GSO_TCPV6;
	assert_int_equal(nd->xmit(nd, &bad), -EINVAL);
	bad = tx;
	bad.gso_type = NETDEV_GSO_NONE;
	assert_int_equal(nd->xmit(nd, &bad), -EINVAL);
	assert_int_equal(nd->tx_dropped, 5);
	teardown(nd);
}

/* A full ring: -ENOBUFS; a buffer freed: the interrupt, tx_room, and
 * room again. */
static void transmit_full(void **state)
{
	struct netdev *nd = setup(F_MRG_RXBUF | VIRTIO_F_EVENT_IDX);
	static u8 a[60], seen[100];
	struct netdev_seg seg = { a, sizeof(a) };
	struct netdev_tx tx = { .seg = &seg, .nseg = 1, .len = 60 };
	u32 len;

	assert_false(fake.vq[1]->cb_enabled); /* off while there is room */
	for (int i = 0; i < 8; i++)
		assert_int_equal(nd->xmit(nd, &tx), 0);
	assert_int_equal(nd->xmit(nd, &tx), -ENOBUFS);
	assert_int_equal(nd->tx_dropped, 1);
	assert_true(fake.vq[1]->cb_enabled); /* wants to hear of room */
	/* An interrupt for the receive queue alone does not call tx_room. */
	interrupt(0);
	assert_int_equal(got.rooms, 0);
	dev_transmit(seen, &len);
	interrupt(1);
	assert_int_equal(got.rooms, 1);
	assert_int_equal(nd->xmit(nd, &tx), 0);
	assert_false(fake.vq[1]->cb_enabled); /* off again */
	assert_int_equal(nd->tx_packets, 9);
	teardown(nd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(negotiation),
		cmocka_unit_test(receive_one),
		cmocka_unit_test(receive_ring_filled_lazily),
		cmocka_unit_test(receive_merged),
		cmocka_unit_test(receive_malformed),
		cmocka_unit_test(transmit_offloads),
		cmocka_unit_test(transmit_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * drivers/virtio/blk.c: the virtio block device, virtio 1.2 section 5.2,
 * over either transport. Layer: drivers. Interface: a struct blkdev
 * (skiff/blkdev.h) per device, named vda, vdb, ... in probe order;
 * virtio_blk_driver for the table of drivers/virtio/virtio.c.
 *
 * QEMU: `-drive file=IMG,format=raw,if=none,id=d0[,readonly=on]` and then,
 * on microvm, `-device virtio-blk-device,drive=d0` (with
 * `-global virtio-mmio.force-legacy=false`), on q35
 * `-device virtio-blk-pci,drive=d0`. One request queue (queue 0).
 *
 * Features taken when offered: RO (writes refused with -EROFS before they
 * reach the device), FLUSH, DISCARD, BLK_SIZE (logged only), EVENT_IDX,
 * INDIRECT_DESC. A request is three pieces (5.2.6): a device-readable
 * header (type, sector), the data (device-readable for a write,
 * device-writable for a read; a discard segment for a discard) and one
 * device-writable status byte. Many requests are in flight at once; one
 * that finds the ring full waits on the driver's list and is added by
 * reap as descriptors come back. The interrupt callback only calls the
 * user's bd->irq; bd->reap, under the user's lock, takes the used buffers.
 * A status other than OK is -EIO (-EOPNOTSUPP for UNSUPP), never a panic.
 */
#include <skiff/alloc.h>
#include <skiff/blkdev.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/virtio.h>

/* Feature bits (5.2.3). */
#define F_SIZE_MAX (1ull << 1)
#define F_SEG_MAX (1ull << 2)
#define F_RO (1ull << 5)
#define F_BLK_SIZE (1ull << 6)
#define F_FLUSH (1ull << 9)
#define F_DISCARD (1ull << 13)

/* Configuration (5.2.4). */
#define CFG_CAPACITY 0
#define CFG_BLK_SIZE 20

/* Request types and status (5.2.6). */
#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_DISCARD 11
#define S_OK 0
#define S_UNSUPP 2

#define QUEUE_MAX 128

struct virtio_blk_hdr {
	u32 type;
	u32 reserved;
	u64 sector;
} __packed;
_Static_assert(sizeof(struct virtio_blk_hdr) == 16, "virtio 1.2 5.2.6");

struct virtio_blk_discard {
	u64 sector;
	u32 num_sectors;
	u32 flags;
} __packed;
_Static_assert(sizeof(struct virtio_blk_discard) == 16, "virtio 1.2 5.2.6");

/* What a request in flight needs in memory the device reads and writes. */
struct vblk_cmd {
	struct virtio_blk_hdr hdr;
	struct virtio_blk_discard seg;
	u8 status;
};

struct vblk {
	struct blkdev bd;
	struct virtio_dev *vd;
	struct virtq *vq;
	struct blk_req *wait_head, *wait_tail; /* not yet in the ring */
};

static unsigned disk_count;

static int check_req(struct vblk *b, struct blk_req *r)
{
	u64 sectors = r->len / 512;

	if (r->op == BLK_FLUSH)
		return b->bd.can_flush ? 0 : -EOPNOTSUPP;
	if (r->op == BLK_DISCARD && !b->bd.can_discard)
		return -EOPNOTSUPP;
	if (!r->len || r->len % 512 || r->sector > b->bd.sectors ||
	    sectors > b->bd.sectors - r->sector)
		return -EINVAL;
	if (r->op != BLK_READ && b->bd.ro)
		return -EROFS;
	return 0;
}

/* Adds r to the ring: 0, or -ENOSPC when the ring is full. */
static int vblk_add(struct vblk *b, struct blk_req *r)
{
	struct vblk_cmd *c = r->drv;
	struct vq_buf out[2], in[2];
	unsigned nout = 1, nin = 0;

	out[0] = (struct vq_buf){ &c->hdr, sizeof(c->hdr) };
	if (r->op == BLK_WRITE)
		out[nout++] = (struct vq_buf){ r->buf, r->len };
	else if (r->op == BLK_READ)
		in[nin++] = (struct vq_buf){ r->buf, r->len };
	else if (r->op == BLK_DISCARD)
		out[nout++] = (struct vq_buf){ &c->seg, sizeof(c->seg) };
	in[nin++] = (struct vq_buf){ &c->status, 1 };
	return vq_add(b->vq, out, nout, in, nin, r);
}

static void finish(struct blk_req *r, int status)
{
	kfree(r->drv);
	r->drv = NULL;
	r->status = status;
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
}

static int vblk_submit(struct blkdev *bd, struct blk_req *r)
{
	struct vblk *b = bd->priv;
	static const u32 types[] = { T_IN, T_OUT, T_FLUSH, T_DISCARD };
	struct vblk_cmd *c;
	int e = check_req(b, r);

	if (e)
		return e;
	if (!(c = kzalloc(sizeof(*c))))
		return -ENOMEM;
	c->hdr.type = types[r->op];
	c->hdr.sector = r->op == BLK_FLUSH ? 0 : r->sector;
	c->seg.sector = r->sector;
	c->seg.num_sectors = r->len / 512;
	c->status = 0xff;
	r->drv = c;
	r->done = false;
	r->next = NULL;
	if (!b->wait_head && vblk_add(b, r) == 0)
		return 0;
	if (b->vq->broken) {
		finish(r, -EIO);
		return 0;
	}
	if (b->wait_tail)
		b->wait_tail->next = r;
	else
		b->wait_head = r;
	b->wait_tail = r;
	return 0;
}

static void vblk_kick(struct blkdev *bd)
{
	struct vblk *b = bd->priv;

	vq_kick(b->vq);
}

/* Moves waiting requests into the ring while it has room. */
static void start_waiting(struct vblk *b)
{
	bool added = false;

	while (b->wait_head && vblk_add(b, b->wait_head) == 0) {
		b->wait_head = b->wait_head->next;
		added = true;
	}
	if (!b->wait_head)
		b->wait_tail = NULL;
	if (b->vq->broken)
		for (; b->wait_head; b->wait_head = b->wait_head->next)
			finish(b->wait_head, -EIO);
	if (added)
		vq_kick(b->vq);
}

/* Counts a request done without error (struct blkdev's counters). */
static void count(struct blkdev *bd, const struct blk_req *r)
{
	if (r->op == BLK_READ) {
		__atomic_store_n(&bd->rd_ios, bd->rd_ios + 1, __ATOMIC_RELAXED);
		__atomic_store_n(&bd->rd_bytes, bd->rd_bytes + r->len,
				 __ATOMIC_RELAXED);
	} else if (r->op == BLK_WRITE) {
		__atomic_store_n(&bd->wr_ios, bd->wr_ios + 1, __ATOMIC_RELAXED);
		__atomic_store_n(&bd->wr_bytes, bd->wr_bytes + r->len,
				 __ATOMIC_RELAXED);
	} else if (r->op == BLK_FLUSH) {
		__atomic_store_n(&bd->flush_ios, bd->flush_ios + 1,
				 __ATOMIC_RELAXED);
	}
}

static unsigned vblk_reap(struct blkdev *bd)
{
	struct vblk *b = bd->priv;
	struct blk_req *r;
	unsigned n = 0;
	u32 len;

	while ((r = vq_get_used(b->vq, &len))) {
		u8 s = ((struct vblk_cmd *)r->drv)->status;

		if (s == S_OK)
			count(&b->bd, r);
		finish(r, s == S_OK ? 0 : s == S_UNSUPP ? -EOPNOTSUPP : -EIO);
		n++;
	}
	start_waiting(b);
	return n;
}

static void vblk_callback(struct virtq *vq)
{
	struct vblk *b = vq->dev->priv;

	if (b && b->bd.irq)
		b->bd.irq(&b->bd);
}

static int vblk_probe(struct virtio_dev *vd)
{
	static void (*const callbacks[1])(struct virtq *) = { vblk_callback };
	u64 want = F_RO | F_BLK_SIZE | F_FLUSH | F_DISCARD |
		   VIRTIO_F_EVENT_IDX | VIRTIO_F_INDIRECT_DESC;
	struct vblk *b = kzalloc(sizeof(*b));
	u32 blk_size = 512;
	int r;

	if (!b)
		return -ENOMEM;
	b->vd = vd;
	if ((r = virtio_negotiate(vd, want)))
		goto out_free;
	virtio_config_read(vd, CFG_CAPACITY, &b->bd.sectors, 8);
	if (vd->features & F_BLK_SIZE)
		virtio_config_read(vd, CFG_BLK_SIZE, &blk_size, 4);
	b->bd.ro = vd->features & F_RO;
	b->bd.can_flush = vd->features & F_FLUSH;
	b->bd.can_discard = vd->features & F_DISCARD;
	fmt_snprintf(b->bd.name, sizeof(b->bd.name), "vd%c", 'a' + disk_count);
	b->bd.submit = vblk_submit;
	b->bd.kick = vblk_kick;
	b->bd.reap = vblk_reap;
	b->bd.priv = b;
	vd->priv = b;
	if ((r = virtio_setup_vqs(vd, 1, &b->vq, callbacks, QUEUE_MAX)))
		goto out_free;
	if (disk_count >= 26 || (r = blkdev_register(&b->bd)))
		goto out_free;
	disk_count++;
	virtio_ready(vd);
	klog("%s: virtio-blk %lu sectors (%lu MiB), block %u%s%s%s, %s",
	     b->bd.name, (unsigned long)b->bd.sectors,
	     (unsigned long)(b->bd.sectors >> 11), blk_size,
	     b->bd.ro ? ", read-only" : "", b->bd.can_flush ? ", flush" : "",
	     b->bd.can_discard ? ", discard" : "", vd->where);
	return 0;
out_free:
	vd->priv = NULL;
	kfree(b);
	return r ? r : -ENOSPC;
}

const struct virtio_driver virtio_blk_driver = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.probe = vblk_probe,
};

/*
 * drivers/virtio/9p.c: the virtio 9P transport, device ID 9 of virtio 1.2
 * section 5 ("9P transport"), over either transport. Layer: drivers.
 * Interface: a struct p9_chan (skiff/p9chan.h) per device, known by its
 * mount tag; virtio_9p_driver for the table of drivers/virtio/virtio.c.
 *
 * QEMU: `-fsdev local,id=fs0,path=HOSTDIR,security_model=none[,readonly=on]`
 * and then, on microvm, `-device virtio-9p-device,fsdev=fs0,mount_tag=TAG`
 * (with `-global virtio-mmio.force-legacy=false`), on q35
 * `-device virtio-9p-pci,fsdev=fs0,mount_tag=TAG,disable-legacy=on`.
 *
 * The device as QEMU and Linux lay it out (the virtio specification lists
 * the device type, not its layout): feature bit 0 (MOUNT_TAG) says the
 * configuration holds the tag, { le16 tag_len; u8 tag[tag_len]; }; one
 * queue, "requests". A request is two pieces: the T-message, device-
 * readable, and room for the R-message, device-writable (9P framing is in
 * the messages: the device answers each request in its own buffer, in
 * any order). Many are in flight; one that finds the ring full waits on
 * the driver's list and is added by reap as descriptors come back. The
 * interrupt callback only calls the user's c->irq; c->reap, under the
 * user's lock, takes the used buffers. A broken queue fails every request
 * with -EIO; what the device wrote is checked by the client (fs/9p/).
 */
#include <skiff/alloc.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/p9chan.h>
#include <skiff/virtio.h>

#define F_MOUNT_TAG (1ull << 0)
#define CFG_TAG_LEN 0
#define CFG_TAG 2
#define QUEUE_MAX 128

struct v9p {
	struct p9_chan chan;
	struct virtio_dev *vd;
	struct virtq *vq;
	struct p9_req *wait_head, *wait_tail; /* not yet in the ring */
};

static int v9p_add(struct v9p *v, struct p9_req *r)
{
	struct vq_buf out = { r->tx, r->txlen }, in = { r->rx, r->rxcap };

	return vq_add(v->vq, &out, 1, &in, 1, r);
}

static void finish(struct p9_req *r, int status, u32 len)
{
	r->status = status;
	r->rxlen = len;
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
}

static int v9p_submit(struct p9_chan *c, struct p9_req *r)
{
	struct v9p *v = c->priv;

	if (v->vq->broken)
		return -EIO;
	if (!r->txlen || !r->rxcap)
		return -EINVAL;
	r->done = false;
	r->next = NULL;
	if (!v->wait_head && v9p_add(v, r) == 0)
		return 0;
	if (v->wait_tail)
		v->wait_tail->next = r;
	else
		v->wait_head = r;
	v->wait_tail = r;
	return 0;
}

static void v9p_kick(struct p9_chan *c)
{
	struct v9p *v = c->priv;

	vq_kick(v->vq);
}

/* Moves waiting requests into the ring while it has room. */
static void start_waiting(struct v9p *v)
{
	bool added = false;

	while (v->wait_head && v9p_add(v, v->wait_head) == 0) {
		v->wait_head = v->wait_head->next;
		added = true;
	}
	if (!v->wait_head)
		v->wait_tail = NULL;
	if (v->vq->broken)
		for (; v->wait_head; v->wait_head = v->wait_head->next)
			finish(v->wait_head, -EIO, 0);
	if (added)
		vq_kick(v->vq);
}

static unsigned v9p_reap(struct p9_chan *c)
{
	struct v9p *v = c->priv;
	struct p9_req *r;
	unsigned n = 0;
	u32 len;

	while ((r = vq_get_used(v->vq, &len))) {
		finish(r, 0, MIN(len, r->rxcap));
		n++;
	}
	/* A device that used a buffer not in flight is broken: what it
	 * still holds will not come back, so its waiters fail now. */
	while (v->vq->broken && (r = vq_detach(v->vq))) {
		finish(r, -EIO, 0);
		n++;
	}
	start_waiting(v);
	return n;
}

static void v9p_callback(struct virtq *vq)
{
	struct v9p *v = vq->dev->priv;

	if (v && v->chan.irq)
		v->chan.irq(&v->chan);
}

/* The mount tag from the configuration: 0, or -EINVAL (none, too long). */
static int read_tag(struct v9p *v)
{
	u16 len = 0;

	if (!(v->vd->features & F_MOUNT_TAG))
		return -EINVAL;
	virtio_config_read(v->vd, CFG_TAG_LEN, &len, 2);
	if (!len || len >= sizeof(v->chan.tag))
		return -EINVAL;
	virtio_config_read(v->vd, CFG_TAG, v->chan.tag, len);
	v->chan.tag[len] = 0;
	return strlen(v->chan.tag) == len ? 0 : -EINVAL;
}

static int v9p_probe(struct virtio_dev *vd)
{
	static void (*const callbacks[1])(struct virtq *) = { v9p_callback };
	u64 want = F_MOUNT_TAG | VIRTIO_F_EVENT_IDX | VIRTIO_F_INDIRECT_DESC;
	struct v9p *v = kzalloc(sizeof(*v));
	int r;

	if (!v)
		return -ENOMEM;
	v->vd = vd;
	if ((r = virtio_negotiate(vd, want)) || (r = read_tag(v)))
		goto out_free;
	v->chan.submit = v9p_submit;
	v->chan.kick = v9p_kick;
	v->chan.reap = v9p_reap;
	v->chan.priv = v;
	vd->priv = v;
	if ((r = virtio_setup_vqs(vd, 1, &v->vq, callbacks, QUEUE_MAX)) ||
	    (r = p9_chan_register(&v->chan)))
		goto out_free;
	virtio_ready(vd);
	klog("virtio-9p: tag %s, %s", v->chan.tag, vd->where);
	return 0;
out_free:
	vd->priv = NULL;
	kfree(v);
	return r;
}

const struct virtio_driver virtio_9p_driver = {
	.name = "virtio-9p",
	.device_id = VIRTIO_ID_9P,
	.probe = v9p_probe,
};

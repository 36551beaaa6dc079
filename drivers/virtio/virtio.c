/*
 * drivers/virtio/virtio.c: what every virtio device goes through,
 * whatever its transport (virtio 1.2 sections 2.1, 2.2, 2.5 and 3.1): the
 * status handshake, feature negotiation, reading the configuration,
 * setting up queues, and matching a device with its driver. Layer:
 * drivers. Interface: skiff/virtio.h, parts 2 and 3.
 *
 * A transport (mmio.c, pci.c) finds a device and calls virtio_dev_probe;
 * the core resets it, sets ACKNOWLEDGE and DRIVER and runs the probe of the
 * driver for its type, which calls back virtio_negotiate,
 * virtio_config_read, virtio_setup_vqs and virtio_ready (the order of
 * section 3.1.1). A failure is one klog line: the device is reset, its
 * queues freed and FAILED set, and the boot goes on.
 */
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/virtio.h>

static const struct virtio_driver *const drivers[] = {
	&virtio_net_driver,
	&virtio_blk_driver,
	&virtio_console_driver,
	&virtio_9p_driver,
};

static const struct virtio_driver *driver_for(u32 device_id)
{
	for (unsigned i = 0; i < ARRAY_SIZE(drivers); i++)
		if (drivers[i]->device_id == device_id)
			return drivers[i];
	return NULL;
}

static void add_status(struct virtio_dev *d, u8 bits)
{
	d->ops->set_status(d, d->ops->get_status(d) | bits);
}

/* Resets the device, frees its queues and marks it FAILED. */
static void fail(struct virtio_dev *d)
{
	d->ops->set_status(d, 0);
	for (unsigned i = 0; i < d->nvqs; i++) {
		vq_destroy(d->vqs[i]);
		d->vqs[i] = NULL;
	}
	d->nvqs = 0;
	d->ops->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_FAILED);
}

void virtio_dev_probe(struct virtio_dev *d)
{
	const struct virtio_driver *drv = driver_for(d->device_id);

	d->ops->set_status(d, 0);
	d->ops->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	if (!drv) {
		klog("virtio: %s: device type %u has no driver, left alone",
		     d->where, d->device_id);
		return;
	}
	add_status(d, VIRTIO_STATUS_DRIVER);
	int r = drv->probe(d);
	if (r) {
		klog("%s at %s: probe failed (error %d), device disabled",
		     drv->name, d->where, r);
		fail(d);
	}
}

int virtio_negotiate(struct virtio_dev *d, u64 wanted)
{
	u64 offered = d->ops->get_features(d);
	u64 f = offered & (wanted | VIRTIO_F_VERSION_1);

	if (!(offered & VIRTIO_F_VERSION_1))
		return -ENODEV;
	d->ops->set_features(d, f);
	add_status(d, VIRTIO_STATUS_FEATURES_OK);
	if (!(d->ops->get_status(d) & VIRTIO_STATUS_FEATURES_OK))
		return -ENODEV;
	d->features = f;
	return 0;
}

void virtio_config_read(struct virtio_dev *d, unsigned off, void *buf,
			unsigned len)
{
	/* A device changes its generation only around a configuration
	 * change; a few retries cover any real one. */
	for (int tries = 0; tries < 16; tries++) {
		u32 gen = d->ops->config_generation(d);
		d->ops->config_read(d, off, buf, len);
		if (d->ops->config_generation(d) == gen)
			return;
	}
}

/* The largest power of 2 at most n (n > 0). */
static u16 pow2_floor(u16 n)
{
	u16 p = 1;

	while (p <= n / 2)
		p *= 2;
	return p;
}

int virtio_setup_vqs(struct virtio_dev *d, unsigned n, struct virtq *vqs[],
		     void (*const cb[])(struct virtq *), u16 max_size)
{
	if (n > VIRTIO_MAX_VQS || d->nvqs || !max_size)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		u16 max = d->ops->queue_max(d, i);
		if (!max)
			return -ENODEV;
		struct virtq *vq = vq_create(i, pow2_floor(MIN(max, max_size)),
					     d->features);
		if (!vq)
			return -ENOMEM;
		vq->dev = d;
		vq->callback = cb ? cb[i] : NULL;
		d->vqs[d->nvqs++] = vq;
		vqs[i] = vq;
		int r = d->ops->setup_vq(d, vq);
		if (r)
			return r;
	}
	return 0;
}

void virtio_ready(struct virtio_dev *d)
{
	add_status(d, VIRTIO_STATUS_DRIVER_OK);
}

void virtio_init(void)
{
	virtio_mmio_probe_all();
	virtio_pci_probe_all();
}

void virtio_window_read(volatile u8 *win, size_t size, unsigned off,
			void *buf, unsigned len)
{
	volatile u8 *c = win + off;

	if (off + len > size || off + len < off) {
		memset(buf, 0xff, len);
		return;
	}
	if (len == 2 && !(off & 1)) {
		u16 v = *(volatile u16 *)c;
		memcpy(buf, &v, 2);
	} else if ((len == 4 || len == 8) && !(off & 3)) {
		for (unsigned i = 0; i < len; i += 4) {
			u32 v = *(volatile u32 *)(c + i);
			memcpy((u8 *)buf + i, &v, 4);
		}
	} else {
		for (unsigned i = 0; i < len; i++)
			((u8 *)buf)[i] = c[i];
	}
}

u64 virtio_features_read(volatile u8 *select, volatile u8 *value)
{
	volatile u32 *sel = (volatile u32 *)select, *val = (volatile u32 *)value;

	*sel = 1;
	u64 hi = *val;
	*sel = 0;
	return hi << 32 | *val;
}

void virtio_features_write(volatile u8 *select, volatile u8 *value, u64 f)
{
	volatile u32 *sel = (volatile u32 *)select, *val = (volatile u32 *)value;

	*sel = 0;
	*val = (u32)f;
	*sel = 1;
	*val = (u32)(f >> 32);
}

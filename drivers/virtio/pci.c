/*
 * drivers/virtio/pci.c: the virtio-pci transport, virtio 1.2 section 4.1,
 * modern interface only (4.1.4: the structures the vendor capabilities
 * point at; no legacy I/O BAR). Layer: drivers. Interface: the ops of
 * struct virtio_transport (skiff/virtio.h), and virtio_pci_probe_all.
 *
 * QEMU: `-M q35 -netdev user,id=n0 -device virtio-net-pci,netdev=n0`
 * (transitional, device 0x1000, with the modern capabilities too) or
 * `...,disable-legacy=on` (modern only, device 0x1041). A device with
 * `disable-modern=on` (legacy only) is refused with one line.
 *
 * Devices: vendor 0x1af4, device 0x1040 + type (modern) or 0x1000-0x103f
 * (transitional: the type in the subsystem id) (4.1.2). Capabilities
 * (4.1.4): the first usable one of each of common configuration,
 * notifications (with notify_off_multiplier), ISR and device
 * configuration. Interrupts: MSI-X only (4.1.5.1.2): table entry 0 for
 * configuration changes and for any queue without an entry of its own,
 * entry 1 + i for queue i while the table has room. With MSI-X the ISR is
 * not read.
 */
#include <skiff/alloc.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/paging.h>
#include <skiff/pci.h>
#include <skiff/virtio.h>

#define VENDOR_VIRTIO 0x1af4

/* Capability (4.1.4): cfg_type at +3, bar +4, offset +8, length +12. */
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR 3
#define CAP_DEVICE 4

/* struct virtio_pci_common_cfg (4.1.4.3). */
#define C_DFSELECT 0x00
#define C_DF 0x04
#define C_GFSELECT 0x08
#define C_GF 0x0c
#define C_MSIX_CONFIG 0x10
#define C_NUM_QUEUES 0x12
#define C_STATUS 0x14
#define C_CFG_GENERATION 0x15
#define C_Q_SELECT 0x16
#define C_Q_SIZE 0x18
#define C_Q_MSIX 0x1a
#define C_Q_ENABLE 0x1c
#define C_Q_NOTIFY_OFF 0x1e
#define C_Q_DESC 0x20
#define C_Q_DRIVER 0x28
#define C_Q_DEVICE 0x30
#define COMMON_LEN 0x38
#define NO_VECTOR 0xffff

struct vpci {
	struct virtio_dev vd;
	const struct pci_dev *pci;
	volatile u8 *common;
	volatile u8 *device;	/* device configuration */
	u32 device_len;
	volatile u8 *notify;	/* notification area */
	u32 notify_len, notify_mult;
	struct pci_msix msix;
	u32 shared;		/* queues on MSI-X entry 0, a bit each */
	/* A queue's own entry's handler argument: the queue is looked up
	 * at each interrupt, so a failed probe's freed queue is not used. */
	struct vpci_queue {
		struct vpci *p;
		u16 index;
	} q[VIRTIO_MAX_VQS];
};

static struct vpci *vpci_of(struct virtio_dev *d)
{
	return container_of(d, struct vpci, vd);
}

static u8 rd8(struct vpci *p, unsigned off) { return p->common[off]; }
static u16 rd16(struct vpci *p, unsigned off) { return *(volatile u16 *)(p->common + off); }
static void wr8(struct vpci *p, unsigned off, u8 v) { p->common[off] = v; }
static void wr16(struct vpci *p, unsigned off, u16 v) { *(volatile u16 *)(p->common + off) = v; }
static void wr32(struct vpci *p, unsigned off, u32 v) { *(volatile u32 *)(p->common + off) = v; }

/* A 64-bit field as two 32-bit writes, low first (4.1.3.1). */
static void wr64(struct vpci *p, unsigned off, u64 v)
{
	wr32(p, off, (u32)v);
	wr32(p, off + 4, (u32)(v >> 32));
}

static u64 get_features(struct virtio_dev *d)
{
	struct vpci *p = vpci_of(d);

	return virtio_features_read(p->common + C_DFSELECT, p->common + C_DF);
}

static void set_features(struct virtio_dev *d, u64 f)
{
	struct vpci *p = vpci_of(d);

	virtio_features_write(p->common + C_GFSELECT, p->common + C_GF, f);
}

static u8 get_status(struct virtio_dev *d)
{
	return rd8(vpci_of(d), C_STATUS);
}

static void set_status(struct virtio_dev *d, u8 s)
{
	struct vpci *p = vpci_of(d);

	wr8(p, C_STATUS, s);
	/* A reset is done when status reads 0 (4.1.4.3.2); QEMU's is
	 * synchronous, so this reads once. */
	for (int i = 0; s == 0 && i < 1000 && rd8(p, C_STATUS); i++)
		;
}

static u16 queue_max(struct virtio_dev *d, unsigned i)
{
	struct vpci *p = vpci_of(d);

	if (i >= rd16(p, C_NUM_QUEUES))
		return 0;
	wr16(p, C_Q_SELECT, i);
	return rd16(p, C_Q_SIZE);
}

static void notify(struct virtq *vq)
{
	*(volatile u16 *)vq->notify_reg = vq->index;
}

/* A queue's own MSI-X entry. */
static void queue_irq(void *arg)
{
	struct vpci_queue *q = arg;
	struct virtq *vq = q->index < q->p->vd.nvqs ? q->p->vd.vqs[q->index] : NULL;

	if (vq && vq->callback)
		vq->callback(vq);
}

/* Entry 0: configuration changes and the queues without an entry. */
static void shared_irq(void *arg)
{
	struct vpci *p = arg;

	if (p->vd.config_changed)
		p->vd.config_changed(&p->vd);
	for (unsigned i = 0; i < p->vd.nvqs; i++)
		if ((p->shared & (1u << i)) && p->vd.vqs[i]->callback)
			p->vd.vqs[i]->callback(p->vd.vqs[i]);
}

/* Points queue vq (selected) at an MSI-X entry: 0 or -Exxx. */
static int queue_vector(struct vpci *p, struct virtq *vq)
{
	u16 entry = 0;

	if (vq->index + 1u < p->msix.size) {
		p->q[vq->index] = (struct vpci_queue){ p, vq->index };
		int r = pci_msix_route(&p->msix, vq->index + 1, queue_irq,
				       &p->q[vq->index]);
		if (r)
			return r;
		entry = vq->index + 1;
	} else {
		p->shared |= 1u << vq->index;
	}
	wr16(p, C_Q_MSIX, entry);
	return rd16(p, C_Q_MSIX) == NO_VECTOR ? -EBUSY : 0;
}

static int setup_vq(struct virtio_dev *d, struct virtq *vq)
{
	struct vpci *p = vpci_of(d);

	/* The reset cleared the configuration vector: set it again. */
	if (vq->index == 0) {
		wr16(p, C_MSIX_CONFIG, 0);
		if (rd16(p, C_MSIX_CONFIG) == NO_VECTOR)
			return -EBUSY;
	}
	wr16(p, C_Q_SELECT, vq->index);
	u64 off = (u64)rd16(p, C_Q_NOTIFY_OFF) * p->notify_mult;
	if (off + 2 > p->notify_len)
		return -EINVAL;
	wr16(p, C_Q_SIZE, vq->size);
	wr64(p, C_Q_DESC, virt_to_phys(vq->desc));
	wr64(p, C_Q_DRIVER, virt_to_phys(vq->avail));
	wr64(p, C_Q_DEVICE, virt_to_phys(vq->used));
	int r = queue_vector(p, vq);
	if (r)
		return r;
	vq->notify_reg = p->notify + off;
	vq->notify = notify;
	wr16(p, C_Q_ENABLE, 1);
	return 0;
}

/* Device configuration: accesses as wide as the field (4.1.3.1). */
static void config_read(struct virtio_dev *d, unsigned off, void *buf,
			unsigned len)
{
	struct vpci *p = vpci_of(d);

	virtio_window_read(p->device, p->device_len, off, buf, len);
}

static u32 config_generation(struct virtio_dev *d)
{
	return rd8(vpci_of(d), C_CFG_GENERATION);
}

static const struct virtio_transport vpci_ops = {
	.name = "virtio-pci",
	.get_features = get_features,
	.set_features = set_features,
	.get_status = get_status,
	.set_status = set_status,
	.queue_max = queue_max,
	.setup_vq = setup_vq,
	.config_read = config_read,
	.config_generation = config_generation,
};

/* Maps the structure one vendor capability points at; false if unusable. */
static bool map_cap(struct vpci *p, u8 cap, volatile u8 **where, u32 *len)
{
	u8 bar = pci_read8(p->pci, cap + 4);
	u32 off = pci_read32(p->pci, cap + 8), n = pci_read32(p->pci, cap + 12);

	if (*where || bar > 5 || !n)
		return false; /* the first usable one only (4.1.4) */
	*where = pci_map_bar(p->pci, bar, off, n);
	*len = n;
	return *where != NULL;
}

/* Finds and maps the modern structures: 0, or -ENODEV (legacy only). */
static int map_caps(struct vpci *p)
{
	volatile u8 *isr = NULL;
	u32 len, common_len = 0;

	for (u8 cap = pci_find_cap(p->pci, PCI_CAP_VENDOR, 0); cap;
	     cap = pci_find_cap(p->pci, PCI_CAP_VENDOR, cap)) {
		switch (pci_read8(p->pci, cap + 3)) {
		case CAP_COMMON:
			map_cap(p, cap, &p->common, &common_len);
			break;
		case CAP_NOTIFY:
			if (map_cap(p, cap, &p->notify, &p->notify_len))
				p->notify_mult = pci_read32(p->pci, cap + 16);
			break;
		case CAP_ISR:
			map_cap(p, cap, &isr, &len);
			break;
		case CAP_DEVICE:
			map_cap(p, cap, &p->device, &p->device_len);
			break;
		}
	}
	if (!p->common || common_len < COMMON_LEN || !p->notify)
		return -ENODEV;
	return 0;
}

/* The virtio type of a PCI device, 0 if it is no virtio device. */
static u32 virtio_type(const struct pci_dev *d)
{
	if (d->vendor != VENDOR_VIRTIO)
		return 0;
	if (d->device >= 0x1040 && d->device <= 0x107f)
		return d->device - 0x1040;
	if (d->device >= 0x1000 && d->device <= 0x103f)
		return d->subsys_id;
	return 0;
}

static void probe(const struct pci_dev *pci, u32 type)
{
	struct vpci *p = kzalloc(sizeof(*p));

	if (!p) {
		klog("virtio-pci %s: out of memory", pci->name);
		return;
	}
	p->pci = pci;
	p->vd.ops = &vpci_ops;
	p->vd.transport = p;
	p->vd.device_id = type;
	fmt_snprintf(p->vd.where, sizeof(p->vd.where), "pci %s", pci->name);
	pci_enable(pci);
	if (map_caps(p)) {
		klog("virtio-pci %s: legacy device (no modern capabilities) "
		     "refused: give QEMU disable-modern=off", pci->name);
		goto out_free;
	}
	int r = pci_msix_init(pci, &p->msix);
	if (!r)
		r = pci_msix_route(&p->msix, 0, shared_irq, p);
	if (r) {
		klog("virtio-pci %s: no usable MSI-X (error %d): device "
		     "ignored", pci->name, r);
		goto out_free;
	}
	virtio_dev_probe(&p->vd);
	return;
out_free:
	kfree(p);
}

void virtio_pci_probe_all(void)
{
	struct pci_dev *d;

	for (unsigned i = 0; (d = pci_get(i)); i++) {
		u32 type = virtio_type(d);
		if (type)
			probe(d, type);
	}
}

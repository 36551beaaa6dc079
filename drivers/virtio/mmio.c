/*
 * drivers/virtio/mmio.c: the virtio-mmio transport, virtio 1.2 section 4.2,
 * the modern register layout (version 2, 4.2.2) only. Layer: drivers.
 * Interface: the ops of struct virtio_transport (skiff/virtio.h), and
 * virtio_mmio_probe_all.
 *
 * QEMU: `-M microvm,acpi=off -global virtio-mmio.force-legacy=false
 * -netdev user,id=n0 -device virtio-net-device,netdev=n0`. QEMU 7.2's
 * microvm lists the transports that have a device on the kernel command
 * line, `virtio_mmio.device=512@0xfeb00e00:12` (the last of its eight
 * transports first), but only with ACPI off: with ACPI they are described
 * in the DSDT instead, which Skiff does not read. kernel/cmdline.c parses
 * the list into boot_opts.mmio[]. QEMU's transports are legacy (version 1)
 * unless force-legacy=false; a legacy one is refused with one line.
 *
 * Interrupt: the transport's line is I/O APIC input irq (GSI 5-12 with
 * ACPI off; 24 and up with microvm's second I/O APIC), which QEMU holds
 * high while InterruptStatus is nonzero: routed level-triggered, and the
 * handler writes InterruptACK (4.2.3.4) before the EOI lowers it.
 */
#include <skiff/alloc.h>
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/paging.h>
#include <skiff/virtio.h>

/* Registers (4.2.2), 32 bits wide. */
#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DEVICE_FEATURES 0x010
#define R_DEVICE_FEATURES_SEL 0x014
#define R_DRIVER_FEATURES 0x020
#define R_DRIVER_FEATURES_SEL 0x024
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_READY 0x044
#define R_QUEUE_NOTIFY 0x050
#define R_INTERRUPT_STATUS 0x060
#define R_INTERRUPT_ACK 0x064
#define R_STATUS 0x070
#define R_QUEUE_DESC 0x080	/* low, then high at +4 */
#define R_QUEUE_DRIVER 0x090
#define R_QUEUE_DEVICE 0x0a0
#define R_CONFIG_GENERATION 0x0fc
#define R_CONFIG 0x100

#define MAGIC 0x74726976	/* "virt" */
#define INT_USED_BUFFER 1
#define INT_CONFIG 2

struct vmmio {
	struct virtio_dev vd;
	volatile u8 *regs;
	u64 size;		/* of the register window */
};

static struct vmmio *vmmio_of(struct virtio_dev *d)
{
	return container_of(d, struct vmmio, vd);
}

static u32 rd(struct vmmio *m, unsigned off)
{
	return *(volatile u32 *)(m->regs + off);
}

static void wr(struct vmmio *m, unsigned off, u32 v)
{
	*(volatile u32 *)(m->regs + off) = v;
}

static u64 get_features(struct virtio_dev *d)
{
	struct vmmio *m = vmmio_of(d);

	return virtio_features_read(m->regs + R_DEVICE_FEATURES_SEL,
				    m->regs + R_DEVICE_FEATURES);
}

static void set_features(struct virtio_dev *d, u64 f)
{
	struct vmmio *m = vmmio_of(d);

	virtio_features_write(m->regs + R_DRIVER_FEATURES_SEL,
			      m->regs + R_DRIVER_FEATURES, f);
}

static u8 get_status(struct virtio_dev *d)
{
	return rd(vmmio_of(d), R_STATUS) & 0xff;
}

static void set_status(struct virtio_dev *d, u8 s)
{
	struct vmmio *m = vmmio_of(d);

	wr(m, R_STATUS, s);
	/* A reset is done when status reads 0 (4.2.3.1); QEMU's is
	 * synchronous, so this reads once. */
	for (int i = 0; s == 0 && i < 1000 && rd(m, R_STATUS); i++)
		;
}

static u16 queue_max(struct virtio_dev *d, unsigned i)
{
	struct vmmio *m = vmmio_of(d);

	wr(m, R_QUEUE_SEL, i);
	if (rd(m, R_QUEUE_READY))
		return 0; /* in use already: the spec forbids touching it */
	u32 max = rd(m, R_QUEUE_NUM_MAX);
	return max > 32768 ? 32768 : max;
}

static void notify(struct virtq *vq)
{
	*(volatile u32 *)vq->notify_reg = vq->index;
}

static void wr64(struct vmmio *m, unsigned off, u64 v)
{
	wr(m, off, (u32)v);
	wr(m, off + 4, (u32)(v >> 32));
}

static int setup_vq(struct virtio_dev *d, struct virtq *vq)
{
	struct vmmio *m = vmmio_of(d);

	wr(m, R_QUEUE_SEL, vq->index);
	wr(m, R_QUEUE_NUM, vq->size);
	wr64(m, R_QUEUE_DESC, virt_to_phys(vq->desc));
	wr64(m, R_QUEUE_DRIVER, virt_to_phys(vq->avail));
	wr64(m, R_QUEUE_DEVICE, virt_to_phys(vq->used));
	vq->notify_reg = m->regs + R_QUEUE_NOTIFY;
	vq->notify = notify;
	wr(m, R_QUEUE_READY, 1);
	return rd(m, R_QUEUE_READY) ? 0 : -EIO;
}

/* Device configuration: accesses as wide as the field (4.2.2.2). */
static void config_read(struct virtio_dev *d, unsigned off, void *buf,
			unsigned len)
{
	struct vmmio *m = vmmio_of(d);

	virtio_window_read(m->regs + R_CONFIG, m->size > R_CONFIG ?
			   m->size - R_CONFIG : 0, off, buf, len);
}

static u32 config_generation(struct virtio_dev *d)
{
	return rd(vmmio_of(d), R_CONFIG_GENERATION);
}

static const struct virtio_transport vmmio_ops = {
	.name = "virtio-mmio",
	.get_features = get_features,
	.set_features = set_features,
	.get_status = get_status,
	.set_status = set_status,
	.queue_max = queue_max,
	.setup_vq = setup_vq,
	.config_read = config_read,
	.config_generation = config_generation,
};

/* The transport's line: acknowledge, then tell the queues and driver. */
static void interrupt(void *arg)
{
	struct vmmio *m = arg;
	u32 st = rd(m, R_INTERRUPT_STATUS);

	wr(m, R_INTERRUPT_ACK, st); /* lowers the line before the EOI */
	if (st & INT_USED_BUFFER)
		for (unsigned i = 0; i < m->vd.nvqs; i++)
			if (m->vd.vqs[i]->callback)
				m->vd.vqs[i]->callback(m->vd.vqs[i]);
	if ((st & INT_CONFIG) && m->vd.config_changed)
		m->vd.config_changed(&m->vd);
}

/*
 * d->where, "mmio 0xfeb00e00 irq 12", without the printf engine (its
 * first use costs ~0.4 ms of translation under TCG: lib/strconv.c).
 */
static void set_where(struct virtio_dev *d, const struct boot_mmio *b)
{
	char num[STR_U64_LEN];

	str_lcpy(d->where, "mmio 0x", sizeof(d->where));
	str_lcat(d->where, str_u64(num, b->base, 16), sizeof(d->where));
	str_lcat(d->where, " irq ", sizeof(d->where));
	str_lcat(d->where, str_u64(num, b->irq, 10), sizeof(d->where));
}

/* Checks what answers at b; the device's type, 0 for none. */
static u32 identify(volatile u8 *regs, const struct boot_mmio *b)
{
	u32 magic = *(volatile u32 *)(regs + R_MAGIC);
	u32 version = *(volatile u32 *)(regs + R_VERSION);

	if (magic != MAGIC) {
		klog("virtio-mmio at %#lx: no virtio device (magic %#x)",
		     (unsigned long)b->base, magic);
		return 0;
	}
	if (version == 1) {
		klog("virtio-mmio at %#lx: legacy device (version 1) refused: "
		     "give QEMU -global virtio-mmio.force-legacy=false",
		     (unsigned long)b->base);
		return 0;
	}
	if (version != 2) {
		klog("virtio-mmio at %#lx: unknown version %u, ignored",
		     (unsigned long)b->base, version);
		return 0;
	}
	/* 0: a transport with nothing plugged in. */
	return *(volatile u32 *)(regs + R_DEVICE_ID);
}

static void probe(const struct boot_mmio *b)
{
	if (b->size < R_CONFIG) {
		klog("virtio-mmio at %#lx: window of %lu bytes too small",
		     (unsigned long)b->base, (unsigned long)b->size);
		return;
	}
	volatile u8 *regs = io_map(b->base, b->size);
	u32 type = regs ? identify(regs, b) : 0;
	if (!type)
		return;
	struct vmmio *m = kzalloc(sizeof(*m));
	if (!m) {
		klog("virtio-mmio at %#lx: out of memory", (unsigned long)b->base);
		return;
	}
	m->regs = regs;
	m->size = b->size;
	m->vd.ops = &vmmio_ops;
	m->vd.transport = m;
	m->vd.device_id = type;
	set_where(&m->vd, b);
	if (irq_route_gsi(b->irq, true, interrupt, m)) {
		klog("virtio-mmio at %#lx: cannot route irq %u, device ignored",
		     (unsigned long)b->base, b->irq);
		kfree(m);
		return;
	}
	virtio_dev_probe(&m->vd);
}

void virtio_mmio_probe_all(void)
{
	for (u32 i = 0; i < boot_opts.nmmio; i++)
		probe(&boot_opts.mmio[i]);
}

/*
 * virtio (OASIS virtio 1.2), as every virtio driver sees it. Layer: drivers.
 *
 * Three parts:
 *  1. struct virtq, one split virtqueue (section 2.7), drivers/virtio/
 *     virtqueue.c: vq_add puts a buffer (device-readable pieces, then
 *     device-writable ones) with a token of the caller's; vq_kick tells
 *     the device when it asked to be told; vq_get_used hands back the
 *     token of a buffer the device is done with. VIRTIO_F_EVENT_IDX and
 *     VIRTIO_F_INDIRECT_DESC are used when negotiated. Not locked: its
 *     user serializes every call on one queue, except that
 *     vq_disable_cb may run in the queue's interrupt callback.
 *  2. struct virtio_dev and struct virtio_transport: a device found by a
 *     transport (virtio-mmio, drivers/virtio/mmio.c, on microvm; virtio-pci,
 *     drivers/virtio/pci.c, on q35), which hands it to virtio_dev_probe
 *     (drivers/virtio/virtio.c).
 *  3. struct virtio_driver: a device type's driver (drivers/virtio/net.c),
 *     listed in virtio.c's table. Its probe negotiates (virtio_negotiate),
 *     sets up its queues (virtio_setup_vqs), then virtio_ready.
 *
 * A driver's probe, in order (section 3.1.1; the core has reset the
 * device and set ACKNOWLEDGE and DRIVER):
 *     virtio_negotiate(d, features_it_can_use)  -> FEATURES_OK
 *     virtio_config_read(d, ...)                 its configuration
 *     virtio_setup_vqs(d, n, vqs, callbacks, max_size)
 *     virtio_ready(d)                            -> DRIVER_OK
 * An error return makes the core log one line, reset the device, free
 * the queues in d->vqs and set FAILED; the driver frees what it allocated
 * itself before returning the error. Buffers are added to a queue only
 * after virtio_ready (or the driver frees them itself on failure).
 *
 * Interrupts: each queue's callback runs in its interrupt handler
 * (interrupts off, on the boot CPU; must not sleep): typically
 * vq_disable_cb and a wake-up of the driver's thread (skiff/kthread.h),
 * which polls with vq_get_used and ends with vq_enable_cb.
 */
#ifndef SKIFF_VIRTIO_H
#define SKIFF_VIRTIO_H

#include <skiff/types.h>

/* Device status bits (section 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* Device-independent feature bits (section 6). */
#define VIRTIO_F_INDIRECT_DESC (1ull << 28)
#define VIRTIO_F_EVENT_IDX (1ull << 29)
#define VIRTIO_F_VERSION_1 (1ull << 32)

/* Device types (section 5). */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_9P 9

/* ---- 1. The split virtqueue (section 2.7) ---- */

/* The rings' layout (sections 2.7.5, 2.7.6, 2.7.8), little-endian. */
struct vring_desc {
	u64 addr;	/* guest-physical address of the piece */
	u32 len;
	u16 flags;	/* VRING_DESC_F_* */
	u16 next;	/* the chain's next descriptor, with F_NEXT */
};
#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2	/* device-writable */
#define VRING_DESC_F_INDIRECT 4	/* addr holds a table of descriptors */

struct vring_avail {
	u16 flags;	/* VRING_AVAIL_F_NO_INTERRUPT */
	u16 idx;	/* where the driver puts the next entry (mod 2^16) */
	u16 ring[];	/* head descriptors; then u16 used_event */
};
#define VRING_AVAIL_F_NO_INTERRUPT 1

struct vring_used_elem {
	u32 id;		/* head descriptor of the buffer */
	u32 len;	/* bytes the device wrote into it */
};

struct vring_used {
	u16 flags;	/* VRING_USED_F_NO_NOTIFY */
	u16 idx;	/* where the device puts the next entry (mod 2^16) */
	struct vring_used_elem ring[]; /* then u16 avail_event */
};
#define VRING_USED_F_NO_NOTIFY 1

_Static_assert(sizeof(struct vring_desc) == 16, "virtio 1.2 2.7.5");
_Static_assert(sizeof(struct vring_used_elem) == 8, "virtio 1.2 2.7.8");

/* One piece of a buffer: kernel memory (direct map or kernel image),
 * physically contiguous (a kmalloc'd object or a page_alloc run is). */
struct vq_buf {
	void *addr;
	u32 len;
};

/* What the queue keeps per head descriptor of a buffer in flight. */
struct vq_slot {
	void *token;		/* the caller's; NULL: slot free */
	struct vring_desc *indirect; /* its kmalloc'd table, or NULL */
	u16 ndesc;		/* descriptors of the chain (1 if indirect) */
};

struct virtq {
	u16 index;		/* queue number on its device */
	u16 size;		/* descriptors (a power of 2) */
	bool event_idx;		/* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;		/* VIRTIO_F_INDIRECT_DESC negotiated */
	bool cb_enabled;	/* the driver wants interrupts (shadow) */
	bool broken;		/* the device returned a bad id: stopped */
	u16 num_free;		/* descriptors on the free list */
	u16 free_head;		/* first free descriptor (chained by next) */
	u16 avail_idx;		/* shadow of avail->idx: next entry to fill */
	u16 kicked_idx;		/* avail_idx when vq_kick last ran */
	u16 last_used;		/* next used->ring entry to consume */
	struct vring_desc *desc;	/* descriptor table */
	struct vring_avail *avail;	/* driver area */
	struct vring_used *used;	/* device area */
	u32 ring_pages;		/* pages of desc+avail+used (one run) */
	struct vq_slot *slots;	/* by head descriptor */
	/* Set by the transport: tells the device the queue has buffers. */
	void (*notify)(struct virtq *vq);
	volatile void *notify_reg; /* the transport's notification address */
	/* Set by the driver: runs in the queue's interrupt (see the top). */
	void (*callback)(struct virtq *vq);
	struct virtio_dev *dev;
	void *priv;		/* the driver's */
};

/*
 * A queue of size descriptors (a power of 2, 1..32768), numbered index,
 * using the event index and indirect tables as features says (its
 * VIRTIO_F_EVENT_IDX and VIRTIO_F_INDIRECT_DESC bits). Rings from
 * page_alloc, zeroed; callbacks enabled. NULL on a bad size or without
 * memory. Never sleeps.
 */
struct virtq *vq_create(u16 index, u16 size, u64 features);
/* Frees the queue; the device must be reset (not using it) already. The
 * tokens of buffers still in it are dropped: vq_detach first. */
void vq_destroy(struct virtq *vq);
/*
 * Makes a buffer available: nout device-readable pieces, then nin
 * device-writable ones (either may be 0, not both), known by token (not
 * NULL; vq_get_used returns it). Uses one indirect table when negotiated
 * and the buffer has several pieces (falls back to a chain when kmalloc
 * fails). 0; -ENOSPC when the free descriptors are too few (the queue
 * is full); -EINVAL for no pieces, more than size pieces, an empty piece
 * or a NULL token; -EIO if the queue is broken. The device sees it at once
 * but is told only by vq_kick. Never sleeps.
 */
int vq_add(struct virtq *vq, const struct vq_buf *out, unsigned nout,
	   const struct vq_buf *in, unsigned nin, void *token);
/*
 * Notifies the device of the buffers added since the last kick, if it
 * asked for notifications (its avail_event with EVENT_IDX, else its
 * NO_NOTIFY flag). Returns whether it notified. Call it at least once
 * every 32768 vq_add. Never sleeps.
 */
bool vq_kick(struct virtq *vq);
/*
 * The next buffer the device is done with: its token, and in *len the
 * bytes the device wrote into its writable pieces (0 for none); NULL when
 * there is none. Its descriptors go back to the free list. Never sleeps.
 */
void *vq_get_used(struct virtq *vq, u32 *len);
/* Whether vq_get_used would return a buffer. */
bool vq_has_used(struct virtq *vq);
/*
 * Asks the device not to interrupt for used buffers (a hint: a callback
 * may still come). May run in the queue's interrupt callback.
 */
void vq_disable_cb(struct virtq *vq);
/*
 * Asks the device to interrupt at the next used buffer. Returns true when
 * no used buffer is pending: the caller may sleep until the callback;
 * false when buffers arrived meanwhile (callbacks stay enabled): the
 * caller polls again, NAPI-style (vq_disable_cb, vq_get_used...).
 */
bool vq_enable_cb(struct virtq *vq);
/* Free descriptors: a buffer of n pieces fits when n <= vq_num_free, or
 * when 1 <= vq_num_free with indirect tables. */
static inline unsigned vq_num_free(const struct virtq *vq)
{
	return vq->num_free;
}
/*
 * The token of a buffer still available (not used), taking it back; NULL
 * when none is left. Only with the device reset (after a failure).
 */
void *vq_detach(struct virtq *vq);

/* ---- 2. Devices and transports ---- */

#define VIRTIO_MAX_VQS 16

struct virtio_dev;

/* What a transport does for the core and the drivers (its ops). */
struct virtio_transport {
	const char *name;	/* "virtio-mmio", "virtio-pci" */
	u64 (*get_features)(struct virtio_dev *d);
	void (*set_features)(struct virtio_dev *d, u64 features);
	u8 (*get_status)(struct virtio_dev *d);
	/* Writes status; 0 resets the device (and waits for it). */
	void (*set_status)(struct virtio_dev *d, u8 status);
	/* Queue i's maximum size, 0 when the device has no queue i. */
	u16 (*queue_max)(struct virtio_dev *d, unsigned i);
	/* Gives vq (size, rings) to the device, routes its interrupt to
	 * vq->callback, sets vq->notify, enables it: 0 or -Exxx. */
	int (*setup_vq)(struct virtio_dev *d, struct virtq *vq);
	/* Reads device-specific configuration bytes [off, off+len). */
	void (*config_read)(struct virtio_dev *d, unsigned off, void *buf,
			    unsigned len);
	/* The configuration generation (section 2.5.1). */
	u32 (*config_generation)(struct virtio_dev *d);
};

/*
 * For transports: reads [off, off+len) of a device configuration window
 * of size bytes mapped at win, with accesses of the field's width (16- and
 * 32-bit fields must be read whole, section 4.1.3.1 / 4.2.2.2). Past the
 * window it gives 0xff bytes, as a missing device reads.
 */
void virtio_window_read(volatile u8 *win, size_t size, unsigned off,
			void *buf, unsigned len);
/*
 * For transports: the 64 feature bits through a 32-bit select register
 * and a 32-bit value register, as both transports lay them out (4.1.4.3,
 * 4.2.2): select 0 the low word, select 1 the high word.
 */
u64 virtio_features_read(volatile u8 *select, volatile u8 *value);
void virtio_features_write(volatile u8 *select, volatile u8 *value, u64 f);

struct virtio_dev {
	const struct virtio_transport *ops;
	void *transport;	/* the transport's per-device state */
	u32 device_id;		/* VIRTIO_ID_* */
	u64 features;		/* negotiated (virtio_negotiate) */
	char where[40];		/* "mmio 0xfeb00e00 irq 12", "pci 00:03.0" */
	struct virtq *vqs[VIRTIO_MAX_VQS];
	unsigned nvqs;
	/* Set by the driver (may be NULL): the configuration changed. Runs
	 * in an interrupt handler. */
	void (*config_changed)(struct virtio_dev *d);
	void *priv;		/* the driver's */
};

/*
 * A transport found a modern device: resets it, acknowledges it, and runs
 * its driver's probe (one klog line if there is no driver or the probe
 * fails). d stays allocated either way (a device is never removed).
 * Boot only; may not sleep.
 */
void virtio_dev_probe(struct virtio_dev *d);

/* ---- 3. Drivers ---- */

struct virtio_driver {
	const char *name;	/* "virtio-net" */
	u32 device_id;
	/* 0, or -Exxx (the core logs it and sets FAILED). */
	int (*probe)(struct virtio_dev *d);
};

/*
 * Offers the device's features masked with wanted, plus VERSION_1
 * (required), sets FEATURES_OK and checks the device kept it; the result
 * is in d->features. 0, or -ENODEV (no VERSION_1, or FEATURES_OK refused).
 */
int virtio_negotiate(struct virtio_dev *d, u64 wanted);
/* Reads a consistent copy of configuration bytes [off, off+len)
 * (retried while the generation changes, section 2.5.1). */
void virtio_config_read(struct virtio_dev *d, unsigned off, void *buf,
			unsigned len);
/*
 * Creates queues 0..n-1 (n <= VIRTIO_MAX_VQS), each at most max_size
 * (rounded down to a power of 2) and the device's maximum, with callback
 * cb[i] (may be NULL), and gives them to the device: d->vqs[] and vqs[].
 * 0; -ENODEV when the device lacks a queue; -ENOMEM; a transport's error.
 * On error the probe returns it: the core resets the device, then frees
 * the queues in d->vqs.
 */
int virtio_setup_vqs(struct virtio_dev *d, unsigned n, struct virtq *vqs[],
		     void (*const cb[])(struct virtq *), u16 max_size);
/* Sets DRIVER_OK: the device may use its queues. */
void virtio_ready(struct virtio_dev *d);

/* The drivers, listed in drivers/virtio/virtio.c's table. */
extern const struct virtio_driver virtio_net_driver;	/* net.c */
extern const struct virtio_driver virtio_blk_driver;	/* blk.c */
extern const struct virtio_driver virtio_console_driver; /* console.c */
extern const struct virtio_driver virtio_9p_driver;	/* 9p.c */

/*
 * Boot, once, after interrupts work (kernel/main.c): finds the devices of
 * both transports (virtio-mmio from boot_opts.mmio[]; virtio-pci on the
 * PCI bus scanned by pci_init) and probes them. Never panics.
 */
void virtio_init(void);

/* The transports' discovery (drivers/virtio/mmio.c, pci.c). */
void virtio_mmio_probe_all(void);
void virtio_pci_probe_all(void);

#endif

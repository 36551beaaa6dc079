/*
 * drivers/virtio/console.c: the virtio console device with
 * VIRTIO_CONSOLE_F_MULTIPORT (virtio 1.2 section 5.3), the fast path of
 * the console protocol of skiff/proto.h. Layer: drivers. Interface:
 * skiff/vconsole.h (used by kernel/console.c only); virtio_console_driver
 * for the table of drivers/virtio/virtio.c.
 *
 * QEMU: virtio-serial-device (microvm) or virtio-serial-pci (q35) with
 * max_ports=PROTO_VPORT_METRICS+1 and one virtserialport per port of
 * proto.h (nr=1 stdin, 2 stdout, 3 stderr, 4 control, 5 metrics: the
 * last only for detached instances; a device with max_ports=5 works
 * without it). Queues (5.3.2): port 0's
 * pair (0, 1, unused), the control pair (2, 3), then port n's receive
 * queue 2n+2 and transmit queue 2n+3.
 *
 * The probe does the multiport handshake by polling (QEMU answers a
 * control message while the guest's notification traps): DEVICE_READY,
 * then for each DEVICE_ADD of a port of ours PORT_READY and PORT_OPEN
 * (QEMU hands a port's input to the guest only once it is open). The
 * device is used only when all four ports came; else the console stays on
 * COM1 (kernel/console.c).
 *
 * Nothing here sleeps or locks: kernel/console.c serializes the calls
 * (under a spinlock, so the queues' interrupts cannot come in between) and
 * sleeps itself, woken by console_vcon_rx and console_vcon_tx_room.
 *
 * Output (stdout, stderr): each write is copied into kmalloc'd buffers of
 * up to TX_BUF bytes, added and notified; buffers the device is done with
 * are freed later. A full queue takes nothing (-EAGAIN); the transmit
 * interrupt says when there is room. QEMU returns a buffer once its bytes
 * are in the chardev, so a record sent after every buffer came back
 * (vcon_record) reaches the host after the output before it.
 *
 * Input: pages posted to the stdin port's receive queue; a reader takes
 * the used ones in order and reposts each once read. The host's text
 * lines on the control port's receive queue: "eof N" (stdin ends after N
 * bytes in all: counting keeps it ordered after the data, which travels
 * another queue), "signal N" (a forwarded signal), "winsize C R" (the
 * host terminal's new size: TIOCGWINSZ's, and SIGWINCH to the program)
 * and "time NS" (after a restore: the host's time, time_step).
 *
 * The metrics port (PROTO_VPORT_METRICS), when the device has it: its own
 * kernel thread (vcon-metrics) answers each batch of request lines with
 * metrics_text() and PROTO_METRICS_END. Its queues are that thread's
 * alone (their interrupts only wake it), so it needs no console lock.
 */
#include <skiff/alloc.h>
#include <skiff/arch.h>
#include <skiff/console.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/kthread.h>
#include <skiff/metrics.h>
#include <skiff/lib.h>
#include <skiff/paging.h>
#include <skiff/proto.h>
#include <skiff/vconsole.h>
#include <skiff/time.h>
#include <skiff/virtio.h>

#define F_MULTIPORT (1ull << 1)
#define CFG_MAX_PORTS 4		/* u32 max_nr_ports (5.3.4) */

/* Control messages (5.3.6.2). */
struct ctl_msg {
	u32 id;
	u16 event;
	u16 value;
};
_Static_assert(sizeof(struct ctl_msg) == 8, "virtio 1.2 5.3.6.2");
#define EV_DEVICE_READY 0
#define EV_DEVICE_ADD 1
#define EV_PORT_READY 3
#define EV_PORT_OPEN 6

#define NQUEUES (2 * PROTO_VPORT_METRICS + 4)
#define NQUEUES_BASIC (2 * PROTO_VPORT_MAX + 4) /* without metrics */
#define QUEUE_MAX 64
#define TX_BUF 65536
#define CTL_BUFS 16
#define SIGWINCH_NR 28
#define HANDSHAKE_NS 200000000ull /* QEMU answers at once: a bound only */

static struct vcon {
	struct virtio_dev *vd;
	struct virtq *q[NQUEUES];
	bool active;
	u32 ports_ready;	/* bit n: DEVICE_ADD of port n seen */
	/* stdin: the used buffer being read, and the byte counts. */
	u8 *cur;
	u32 cur_len, cur_off;
	u64 in_total;
	/* Set by the control queue's interrupt (atomic): stdin's length. */
	u64 eof_total;
	bool eof_known;
	/* the host's control lines (the control queue's interrupt only),
	 * and the signals they forwarded */
	u64 signals;
	char line[64];
	u32 line_len;
	u32 nqueues;		/* NQUEUES, or NQUEUES_BASIC */
	struct kthread *metrics; /* answers the metrics port, or NULL */
} vc;

static struct virtq *rxq(int port)
{
	return vc.q[2 * port + 2];
}

static struct virtq *txq(int port)
{
	return vc.q[2 * port + 3];
}

bool vcon_active(void)
{
	return __atomic_load_n(&vc.active, __ATOMIC_ACQUIRE);
}

/* Posts a page to a receive queue (the page is freed if it cannot be). */
static void post_page(struct virtq *q, void *page)
{
	struct vq_buf b = { page, PAGE_SIZE };

	if (vq_add(q, NULL, 0, &b, 1, page))
		page_free(page, 1);
}

static void fill_rx(struct virtq *q, unsigned max)
{
	for (unsigned i = 0; i < max && vq_num_free(q); i++) {
		void *p = page_alloc_dirty(1);
		if (!p)
			break;
		post_page(q, p);
	}
	vq_kick(q);
}

/* Frees the transmit buffers the device is done with. */
static void reclaim(struct virtq *q)
{
	void *b;
	u32 len;

	while ((b = vq_get_used(q, &len)))
		kfree(b);
}

/* ---- Output ---- */

long vcon_write_nowait(int port, const void *buf, size_t len)
{
	struct virtq *q = txq(port);
	size_t done = 0;

	reclaim(q);
	while (done < len && vq_num_free(q)) {
		size_t n = MIN(len - done, TX_BUF);
		void *b = kmalloc(n);
		struct vq_buf vb = { b, n };

		if (!b)
			break;
		memcpy(b, (const u8 *)buf + done, n);
		if (vq_add(q, &vb, 1, NULL, 0, b)) {
			kfree(b);
			break;
		}
		done += n;
	}
	if (done)
		vq_kick(q);
	return done ? (long)done : len ? -EAGAIN : 0;
}

/* Spins until the device is done with every buffer of q. */
static void drain_tx(struct virtq *q)
{
	while (vq_num_free(q) < q->size && !q->broken) {
		reclaim(q);
		cpu_relax();
	}
}

void vcon_record(const void *buf, size_t len)
{
	static u8 rec[320];
	struct vq_buf vb = { rec, MIN(len, sizeof(rec)) };
	u32 used;

	drain_tx(txq(PROTO_VPORT_STDOUT));
	drain_tx(txq(PROTO_VPORT_STDERR));
	reclaim(txq(PROTO_VPORT_CTL));
	memcpy(rec, buf, vb.len);
	if (!vq_add(txq(PROTO_VPORT_CTL), &vb, 1, NULL, 0, rec)) {
		vq_kick(txq(PROTO_VPORT_CTL));
		while (!txq(PROTO_VPORT_CTL)->broken &&
		       vq_get_used(txq(PROTO_VPORT_CTL), &used) != rec)
			cpu_relax();
	}
}

/* ---- Input ---- */

/* Takes the next used stdin buffer if none is being read. */
static bool next_input(void)
{
	if (vc.cur && vc.cur_off < vc.cur_len)
		return true;
	if (vc.cur)
		post_page(rxq(PROTO_VPORT_STDIN), vc.cur);
	vc.cur = vq_get_used(rxq(PROTO_VPORT_STDIN), &vc.cur_len);
	vc.cur_off = 0;
	if (vc.cur)
		vc.cur_len = MIN(vc.cur_len, PAGE_SIZE);
	return vc.cur && vc.cur_len;
}

static bool at_eof(void)
{
	return __atomic_load_n(&vc.eof_known, __ATOMIC_ACQUIRE) &&
	       vc.in_total >= vc.eof_total;
}

bool vcon_readable(void)
{
	return next_input() || at_eof();
}

long vcon_read_nowait(void *buf, size_t len)
{
	size_t n = 0;

	if (!next_input())
		return at_eof() ? 0 : -EAGAIN;
	while (n < len && next_input()) {
		u32 k = MIN(len - n, vc.cur_len - vc.cur_off);
		memcpy((u8 *)buf + n, vc.cur + vc.cur_off, k);
		vc.cur_off += k;
		vc.in_total += k;
		n += k;
	}
	if (vc.cur && vc.cur_off == vc.cur_len) {
		post_page(rxq(PROTO_VPORT_STDIN), vc.cur);
		vc.cur = NULL;
	}
	vq_kick(rxq(PROTO_VPORT_STDIN));
	return n;
}

/* One line from the host on the control port. */
static void host_line(const char *s)
{
	u64 v = 0;

	if (!strncmp(s, "eof ", 4)) {
		for (s += 4; *s >= '0' && *s <= '9'; s++)
			v = v * 10 + (*s - '0');
		vc.eof_total = v;
		__atomic_store_n(&vc.eof_known, true, __ATOMIC_RELEASE);
	} else if (!strncmp(s, "signal ", 7)) {
		for (s += 7; *s >= '0' && *s <= '9'; s++)
			v = v * 10 + (*s - '0');
		if (v >= 1 && v <= 64)
			vc.signals |= 1ull << (v - 1);
	} else if (!strncmp(s, "time ", 5)) {
		/* after a restore: the host's Unix time (skiff/proto.h) */
		for (s += 5; *s >= '0' && *s <= '9'; s++)
			v = v * 10 + (*s - '0');
		if (v)
			time_step(v);
	} else if (!strncmp(s, "winsize ", 8)) {
		u64 rows = 0;
		for (s += 8; *s >= '0' && *s <= '9'; s++)
			v = v * 10 + (*s - '0');
		for (s += *s == ' '; *s >= '0' && *s <= '9'; s++)
			rows = rows * 10 + (*s - '0');
		if (v && rows && v < 65536 && rows < 65536) {
			boot_opts.win_cols = v;
			boot_opts.win_rows = rows;
			vc.signals |= 1ull << (SIGWINCH_NR - 1);
		}
	}
}

static void ctl_bytes(const u8 *p, u32 len)
{
	for (u32 i = 0; i < len; i++) {
		if (p[i] != '\n') {
			if (vc.line_len < sizeof(vc.line) - 1)
				vc.line[vc.line_len++] = p[i];
			continue;
		}
		vc.line[vc.line_len] = '\0';
		vc.line_len = 0;
		host_line(vc.line);
	}
}

/* Interrupt callbacks: interrupts off, must not sleep. */
static void stdin_callback(struct virtq *q)
{
	console_vcon_rx();
}

static void ctl_callback(struct virtq *q)
{
	void *b;
	u32 len;

	while ((b = vq_get_used(q, &len))) {
		ctl_bytes(b, MIN(len, PAGE_SIZE));
		post_page(q, b);
	}
	vq_kick(q);
	bool eof = __atomic_load_n(&vc.eof_known, __ATOMIC_ACQUIRE);
	u64 sigs = vc.signals;
	vc.signals = 0;
	for (int s = 1; sigs && s <= 64; s++, sigs >>= 1)
		if (sigs & 1)
			console_host_signal(s);
	if (eof)
		stdin_callback(q);
}

static void tx_callback(struct virtq *q)
{
	console_vcon_tx_room();
}

/* ---- The metrics port ---- */

static void metrics_wake(struct virtq *q)
{
	if (vc.metrics)
		kthread_wake(vc.metrics);
}

/* How many request lines came (the used pages reposted). */
static unsigned metrics_requests(void)
{
	struct virtq *q = rxq(PROTO_VPORT_METRICS);
	unsigned lines = 0;
	u8 *b;
	u32 len;

	while ((b = vq_get_used(q, &len))) {
		for (u32 i = 0; i < MIN(len, PAGE_SIZE); i++)
			lines += b[i] == '\n';
		post_page(q, b);
	}
	vq_kick(q);
	return lines;
}

/* Sends len bytes on the metrics port, sleeping while its queue is full. */
static void metrics_send(struct kthread *self, const char *p, size_t len)
{
	while (len) {
		long n = vcon_write_nowait(PROTO_VPORT_METRICS, p, len);
		if (n == -EAGAIN) {
			kthread_wait(self); /* woken by the transmit interrupt */
			continue;
		}
		if (n <= 0 || txq(PROTO_VPORT_METRICS)->broken)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void metrics_thread(struct kthread *self, void *arg)
{
	for (;;) {
		size_t len;
		char *text;

		kthread_wait(self);
		if (!metrics_requests())
			continue;
		text = metrics_text(&len);
		if (text)
			metrics_send(self, text, len);
		kfree(text);
		metrics_send(self, PROTO_METRICS_END,
			     sizeof(PROTO_METRICS_END) - 1);
	}
}

/* After the handshake: the port's receive pages and its thread. */
static void metrics_start(void)
{
	if (!(vc.ports_ready & (1u << PROTO_VPORT_METRICS)))
		return;
	vc.metrics = kthread_run("vcon-metrics", metrics_thread, NULL);
	if (vc.metrics)
		fill_rx(rxq(PROTO_VPORT_METRICS), 4);
}

/* ---- The multiport handshake (5.3.6.2), by polling ---- */

static void ctl_send(u32 id, u16 event, u16 value)
{
	static struct ctl_msg m;
	struct virtq *q = vc.q[3];
	struct vq_buf b = { &m, sizeof(m) };
	u64 end = time_monotonic_ns() + HANDSHAKE_NS;
	u32 used;

	m = (struct ctl_msg){ id, event, value };
	if (vq_add(q, &b, 1, NULL, 0, &m))
		return;
	vq_kick(q);
	while (vq_get_used(q, &used) != &m && time_monotonic_ns() < end)
		cpu_relax();
}

/* Handles the device's control messages that arrived; a page each. */
static void ctl_poll(void)
{
	struct virtq *q = vc.q[2];
	struct ctl_msg *m;
	u32 len;

	while ((m = vq_get_used(q, &len))) {
		if (len >= sizeof(*m) && m->event == EV_DEVICE_ADD &&
		    m->id >= 1 && 2 * m->id + 3 < vc.nqueues &&
		    !(vc.ports_ready & (1u << m->id))) {
			u32 id = m->id;
			vc.ports_ready |= 1u << id;
			ctl_send(id, EV_PORT_READY, 1);
			ctl_send(id, EV_PORT_OPEN, 1);
		}
		post_page(q, m);
	}
	vq_kick(q);
}

static int handshake(void)
{
	u32 want = ((1u << PROTO_VPORT_MAX) - 1) << 1;
	u64 end = time_monotonic_ns() + HANDSHAKE_NS;

	fill_rx(vc.q[2], CTL_BUFS);
	ctl_send(0, EV_DEVICE_READY, 1);
	while ((vc.ports_ready & want) != want && time_monotonic_ns() < end) {
		ctl_poll();
		cpu_relax();
	}
	ctl_poll();
	return (vc.ports_ready & want) == want ? 0 : -ENODEV;
}

static int vcon_probe(struct virtio_dev *vd)
{
	static void (*const cb[NQUEUES])(struct virtq *) = {
		[2 * PROTO_VPORT_STDIN + 2] = stdin_callback,
		[2 * PROTO_VPORT_STDOUT + 3] = tx_callback,
		[2 * PROTO_VPORT_STDERR + 3] = tx_callback,
		[2 * PROTO_VPORT_CTL + 2] = ctl_callback,
		[2 * PROTO_VPORT_METRICS + 2] = metrics_wake,
		[2 * PROTO_VPORT_METRICS + 3] = metrics_wake,
	};
	u32 max_ports = 0;
	int r;

	if (vc.vd)
		return -EBUSY; /* one console */
	if ((r = virtio_negotiate(vd, F_MULTIPORT | VIRTIO_F_EVENT_IDX)))
		return r;
	if (!(vd->features & F_MULTIPORT))
		return -ENODEV;
	virtio_config_read(vd, CFG_MAX_PORTS, &max_ports, 4);
	if (max_ports < PROTO_VPORT_MAX + 1)
		return -ENODEV;
	/* The metrics port's queues only when the device has the port. */
	vc.nqueues = max_ports > PROTO_VPORT_METRICS ? NQUEUES : NQUEUES_BASIC;
	if ((r = virtio_setup_vqs(vd, vc.nqueues, vc.q, cb, QUEUE_MAX)))
		return r;
	vc.vd = vd;
	virtio_ready(vd);
	/* The control queue's messages are polled here, then left alone. */
	vq_disable_cb(vc.q[2]);
	if ((r = handshake())) {
		klog("virtio-console at %s: ports %#x of %#x came, not used",
		     vd->where, vc.ports_ready, ((1u << PROTO_VPORT_MAX) - 1) << 1);
		return 0; /* the device stays, unused: COM1 carries all */
	}
	vq_disable_cb(rxq(PROTO_VPORT_STDOUT));
	vq_disable_cb(rxq(PROTO_VPORT_STDERR));
	/*
	 * Active before the first input page is posted: QEMU fills a page
	 * as soon as it is posted, with stdin the host wrote early (skiff
	 * sends it after the first COM1 byte), and its interrupt must find
	 * the console on this device. Before this order, the terminal's
	 * interrupt handler (fs/devfs/tty.c) then read COM1, found nothing,
	 * and the input lay in the queue with no interrupt to come.
	 */
	__atomic_store_n(&vc.active, true, __ATOMIC_RELEASE);
	fill_rx(rxq(PROTO_VPORT_STDIN), QUEUE_MAX);
	fill_rx(rxq(PROTO_VPORT_CTL), CTL_BUFS);
	console_vcon_rx(); /* what came before the interrupt's handler ran */
	metrics_start();
	if (boot_opts.verbose)
		klog("virtio-console: %u ports (%s)", max_ports, vd->where);
	return 0;
}

const struct virtio_driver virtio_console_driver = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.probe = vcon_probe,
};

/*
 * kernel/console.c: the console channels of skiff/proto.h over the COM1
 * UART: the program's stdout/stderr, the kernel log, control records, and
 * the program's stdin decoded from the host's escaped stream.
 *
 * Output is synchronous (a write returns once every byte is in the UART).
 * Input moves from the UART into a ring on the receive interrupt (IRQ 4)
 * and whenever a reader looks; a reader with nothing to read sleeps until
 * the interrupt wakes it. When the ring is full the UART is left alone, so
 * QEMU stops taking bytes from the host: nothing is lost.
 *
 * When the VM has the virtio console (drivers/virtio/console.c, active
 * once virtio_init found it), the program's stdin, stdout and stderr and
 * the control records go there instead; COM1 keeps the kernel log, the
 * panic record, and serves any input that came before.
 *
 * With a plain console (console=ttyS0, or a boot through a boot loader:
 * no skiff on the other end) COM1 carries text, nothing framed or escaped
 * (plain_write).
 */
#include <skiff/console.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/proto.h>
#include <skiff/sched.h>
#include <skiff/serial.h>
#include <skiff/vconsole.h>

static struct spinlock out_lock = SPINLOCK_INIT;
static int out_channel = PROTO_CH_LOG; /* the channel the host is on */

static struct spinlock in_lock = SPINLOCK_INIT;
static u8 in_ring[4096];
static u32 in_head, in_tail; /* free-running indices into in_ring */
static bool in_esc;           /* the last byte seen was PROTO_ESC */
static bool in_eof;           /* the host sent PROTO_ESC PROTO_IN_EOF */
static int in_sig_state;      /* 1: PROTO_ESC PROTO_IN_SIGNAL seen, the
				 signal number is next */
static u64 in_signals;        /* forwarded signals not yet delivered */
static void (*signal_hook)(int signo);

void console_set_signal_hook(void (*fn)(int signo))
{
	signal_hook = fn;
}

static void (*tty_signal_hook)(int signo);

void console_set_tty_signal_hook(void (*fn)(int signo))
{
	tty_signal_hook = fn;
}

void console_tty_signal(int signo)
{
	if (tty_signal_hook)
		tty_signal_hook(signo);
	else
		console_host_signal(signo);
}

void console_host_signal(int signo)
{
	if (signal_hook)
		signal_hook(signo);
}
static struct waitq in_wq = { SPINLOCK_INIT, { &in_wq.sleepers, &in_wq.sleepers } };

/* The virtio console: every vcon_* call under vlock (skiff/vconsole.h). */
static struct spinlock vlock = SPINLOCK_INIT;
static struct waitq vin_wq = { SPINLOCK_INIT, { &vin_wq.sleepers,
						&vin_wq.sleepers } };
static struct waitq vout_wq = { SPINLOCK_INIT, { &vout_wq.sleepers,
						 &vout_wq.sleepers } };

void console_vcon_rx(void)
{
	waitq_wake_all(&vin_wq);
	console_input_ready();
}

void console_vcon_tx_room(void)
{
	waitq_wake_all(&vout_wq);
}

static int vport(int channel)
{
	return channel == PROTO_CH_STDERR && !boot_opts.one_stream
		       ? PROTO_VPORT_STDERR
		       : PROTO_VPORT_STDOUT;
}

/* The program's output over the virtio console: sleeps while it is full. */
static long vcon_out(int channel, const u8 *buf, size_t len)
{
	size_t done = 0;

	spin_lock(&vlock);
	while (done < len) {
		long r = vcon_write_nowait(vport(channel), buf + done,
					   len - done);
		if (r > 0) {
			done += r;
			continue;
		}
		if (r != -EAGAIN)
			break;
		int err = waitq_sleep(&vout_wq, &vlock, 0);
		if (err) {
			spin_unlock(&vlock);
			return done ? (long)done : err;
		}
	}
	spin_unlock(&vlock);
	return done ? (long)done : len ? -ENOMEM : 0;
}

/* stdin over the virtio console: sleeps until there is some. */
static long vcon_in(void *buf, size_t len)
{
	long r;

	spin_lock(&vlock);
	while ((r = vcon_read_nowait(buf, len)) == -EAGAIN) {
		int err = waitq_sleep(&vin_wq, &vlock, 0);
		if (err) {
			r = err;
			break;
		}
	}
	spin_unlock(&vlock);
	return r;
}

/*
 * A plain console (boot_opts.plain_console: a boot loader's boot, nobody
 * speaks skiff/proto.h on COM1): the program's output and the kernel log
 * as text, "\n" as "\r\n" as a Linux serial console writes it (ONLCR);
 * of the records, what a user must see: "skiff: error ..." or "skiff:
 * program killed by signal SIGNO ADDR RIP", not "exit" (the VM powers
 * off) nor "panic" (the log has it).
 */
static void plain_write(int channel, const u8 *p, size_t len)
{
	static const char prefix[] = "skiff: ", killed[] = "program killed by ";

	if (channel == PROTO_CH_CTL) {
		if (len >= 5 && (!memcmp(p, "exit ", 5) || !memcmp(p, "panic", 5)))
			return;
		for (size_t i = 0; i < sizeof(prefix) - 1; i++)
			serial_putc(prefix[i]);
		/* "signal SIGNO ADDR RIP": say what it means */
		for (size_t i = 0; len >= 7 && !memcmp(p, "signal ", 7) &&
				   i < sizeof(killed) - 1; i++)
			serial_putc(killed[i]);
	}
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n')
			serial_putc('\r');
		serial_putc(p[i]);
	}
}

void console_write(int channel, const void *buf, size_t len)
{
	const u8 *p = buf;

	if (boot_opts.plain_console) {
		spin_lock(&out_lock);
		plain_write(channel, p, len);
		spin_unlock(&out_lock);
		return;
	}
	spin_lock(&out_lock);
	if (channel != out_channel) {
		serial_putc(PROTO_ESC);
		serial_putc(channel);
		out_channel = channel;
	}
	for (size_t i = 0; i < len; i++) {
		if (p[i] == PROTO_ESC)
			serial_putc(PROTO_ESC);
		serial_putc(p[i]);
	}
	spin_unlock(&out_lock);
}

/*
 * Moves what the UART holds into the ring. Called with in_lock held. After
 * end of file the host sends only forwarded signals, so the UART is still
 * read for them; while the ring is full it is left alone (a signal sent
 * then waits until the program reads its stdin).
 */
static void poll_input(void)
{
	int c;

	while (in_head - in_tail < sizeof(in_ring) &&
	       (c = serial_getc()) >= 0) {
		if (boot_opts.plain_console) { /* no escapes: bytes as typed */
			in_ring[in_head++ % sizeof(in_ring)] = c;
			continue;
		}
		if (in_sig_state) {
			in_sig_state = 0;
			if (c >= 1 && c <= 64)
				in_signals |= 1ull << (c - 1);
			continue;
		}
		if (in_esc) {
			in_esc = false;
			if (c == PROTO_IN_EOF) {
				in_eof = true;
				continue;
			}
			if (c == PROTO_IN_SIGNAL) {
				in_sig_state = 1;
				continue;
			}
		} else if (c == PROTO_ESC) {
			in_esc = true;
			continue;
		}
		if (!in_eof)
			in_ring[in_head++ % sizeof(in_ring)] = c;
	}
}

long console_write_out(int channel, const void *buf, size_t len)
{
	if (vcon_active() && channel != PROTO_CH_LOG && channel != PROTO_CH_CTL)
		return vcon_out(channel, buf, len);
	console_write(channel, buf, len);
	return len;
}

void console_record(const void *buf, size_t len)
{
	if (vcon_active()) {
		spin_lock(&vlock);
		vcon_record(buf, len);
		spin_unlock(&vlock);
	} else
		console_write(PROTO_CH_CTL, buf, len);
}

bool console_readable(void)
{
	bool ready;

	if (vcon_active()) {
		spin_lock(&vlock);
		ready = vcon_readable();
		spin_unlock(&vlock);
		return ready;
	}

	spin_lock(&in_lock);
	poll_input();
	ready = in_head != in_tail || in_eof;
	spin_unlock(&in_lock);
	return ready;
}

/* fs/ overrides this to wake poll/epoll waiters on stdin. */
void __attribute__((weak)) console_input_ready(void)
{
}

void console_rx_interrupt(void)
{
	spin_lock(&in_lock);
	poll_input();
	bool ready = in_head != in_tail || in_eof;
	u64 sigs = in_signals;
	in_signals = 0;
	spin_unlock(&in_lock);
	for (int s = 1; sigs && s <= 64; s++, sigs >>= 1)
		if ((sigs & 1) && signal_hook)
			signal_hook(s);
	if (ready) {
		waitq_wake_all(&in_wq);
		console_input_ready();
	}
}

long console_write_nowait(int channel, const void *buf, size_t len)
{
	if (vcon_active()) {
		spin_lock(&vlock);
		long r = vcon_write_nowait(vport(channel), buf, len);
		spin_unlock(&vlock);
		return r;
	}
	console_write(channel, buf, len);
	return len;
}

long console_read_nowait(void *buf, size_t len)
{
	u8 *p = buf;
	size_t n = 0;

	if (vcon_active()) {
		spin_lock(&vlock);
		long r = vcon_read_nowait(buf, len);
		spin_unlock(&vlock);
		return r;
	}
	spin_lock(&in_lock);
	poll_input();
	while (n < len && in_tail != in_head)
		p[n++] = in_ring[in_tail++ % sizeof(in_ring)];
	bool eof = in_eof;
	poll_input();
	spin_unlock(&in_lock);
	return n ? (long)n : eof ? 0 : -EAGAIN;
}

long console_read(void *buf, size_t len)
{
	u8 *p = buf;
	size_t n = 0;

	if (!len)
		return 0;
	if (vcon_active())
		return vcon_in(buf, len);
	spin_lock(&in_lock);
	for (;;) {
		poll_input();
		while (n < len && in_tail != in_head)
			p[n++] = in_ring[in_tail++ % sizeof(in_ring)];
		if (n || in_eof)
			break;
		int err = waitq_sleep(&in_wq, &in_lock, 0);
		if (err) {
			spin_unlock(&in_lock);
			return err;
		}
	}
	poll_input(); /* room again: take what waited in the UART */
	spin_unlock(&in_lock);
	return n;
}

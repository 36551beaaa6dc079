/*
 * kernel/log.c: the kernel log and panic. The log goes to the console's log
 * channel, which the host shows with `skiff --verbose`; panic is always sent
 * and ends the VM with a "panic" control record.
 */
#include <skiff/arch.h>
#include <skiff/console.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/proto.h>
#include <skiff/sched.h>
#include <skiff/time.h>
#include "ksyms.h"

/* The ring behind klog_ring_read: whole lines, the oldest overwritten. */
#define RING_SIZE 16384
static char ring[RING_SIZE];
static size_t ring_head; /* bytes ever written; ring[head % SIZE] next */
static struct spinlock ring_lock = SPINLOCK_INIT;

static void ring_put(const char *s, size_t n)
{
	spin_lock(&ring_lock);
	for (size_t i = 0; i < n; i++)
		ring[ring_head++ % RING_SIZE] = s[i];
	spin_unlock(&ring_lock);
}

size_t klog_ring_read(char *buf, size_t cap)
{
	size_t n, from, skip = 0;

	spin_lock(&ring_lock);
	n = ring_head < RING_SIZE ? ring_head : RING_SIZE;
	from = ring_head - n;
	/* A wrapped ring starts inside a line: from the next one on. */
	while (ring_head > RING_SIZE && skip < n &&
	       ring[(from + skip) % RING_SIZE] != '\n')
		skip++;
	if (ring_head > RING_SIZE && skip < n)
		skip++;
	for (size_t i = skip; i < n && i - skip < cap; i++)
		buf[i - skip] = ring[(from + i) % RING_SIZE];
	spin_unlock(&ring_lock);
	return n - skip < cap ? n - skip : cap;
}

static void log_line(const char *fmt, va_list ap, bool always)
{
	char buf[512];
	u64 ns = time_monotonic_ns();
	int n = fmt_snprintf(buf, sizeof(buf), "[%4lu.%06lu] ",
			     (unsigned long)(ns / NSEC_PER_SEC),
			     (unsigned long)(ns % NSEC_PER_SEC / 1000));

	n += fmt_vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (boot_opts.api_port)
		ring_put(buf, n);
	if (boot_opts.verbose || !boot_opts.api_port || always)
		console_write(PROTO_CH_LOG, buf, n);
}

void klog(const char *fmt, ...)
{
	va_list ap;

	if (!boot_opts.verbose && !boot_opts.api_port)
		return;
	va_start(ap, fmt);
	log_line(fmt, ap, false);
	va_end(ap);
}

void klog_always(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(fmt, ap, true);
	va_end(ap);
}

void backtrace_from(u64 rbp, u64 rip)
{
	klog_always("backtrace:");
	for (int depth = 0; depth < 32; depth++) {
		u64 off;
		const char *name = ksym_lookup(rip, &off);
		klog_always("  %016lx %s+0x%lx", rip, name, off);
		/* Frame pointers: [rbp] = caller's rbp, [rbp+8] = return address. */
		if (rbp < KERNEL_BASE_ADDR_MIN || (rbp & 7))
			break;
		rip = ((u64 *)rbp)[1];
		rbp = ((u64 *)rbp)[0];
		if (!rip)
			break;
	}
}

void panic(const char *fmt, ...)
{
	static int nested;
	static char msg[256];
	va_list ap;

	irq_disable();
	if (nested++ == 0) {
		va_start(ap, fmt);
		fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		klog_always("kernel panic: %s", msg);
		backtrace_from((u64)__builtin_frame_address(0),
			       (u64)__builtin_return_address(0));
	}
	/* The record carries the message: skiff shows it without --verbose. */
	char rec[300];
	int n = fmt_snprintf(rec, sizeof(rec) - 1, "panic %s", msg);
	n = MIN(n, (int)sizeof(rec) - 2);
	for (int i = 0; i < n; i++)
		if (rec[i] == '\n')
			rec[i] = ' ';
	rec[n++] = '\n';
	console_write(PROTO_CH_CTL, rec, n);
	power_off();
}

/*
 * kernel/power.c: the end of the VM. The program's fate goes to the host as
 * a control record (skiff/proto.h), then QEMU's isa-debug-exit device stops
 * the VM (QEMU flag: -device isa-debug-exit,iobase=0xf4,iosize=4); without
 * that device a triple fault does (skiff runs QEMU with -no-reboot). With
 * a plain console (a boot loader's boot, no skiff) ACPI's S5 comes first.
 */
#include <skiff/arch.h>
#include <skiff/console.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include <skiff/net.h>
#include <skiff/proto.h>
#include <skiff/vfs.h>
#include "ksyms.h"

void power_off(void)
{
	irq_disable();
	/* Booted without skiff (a disk's GRUB): ACPI's S5, as a PC goes off. */
	if (boot_opts.plain_console)
		acpi_power_off();
	outl(PROTO_EXIT_PORT, 0);
	/* No debug-exit device: load an empty IDT and fault. */
	struct __packed {
		u16 limit;
		u64 base;
	} idt = { 0, 0 };
	asm volatile("lidt %0; int3" : : "m"(idt));
	for (;;)
		asm volatile("hlt");
}

static void send_record(const char *fmt, ...)
{
	char buf[300];
	va_list ap;

	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	console_record(buf, n);
}

/* For leak checks from outside (--verbose): compare with the line exec
 * logs at the program's start. */
static void log_free_memory(void)
{
	klog("kernel free memory at exit: %lu KiB",
	     (unsigned long)(page_free_count() * (PAGE_SIZE / 1024)));
}

/*
 * The program is gone: what its TCP connections still hold goes out
 * first, as Linux keeps sending after a process exits (net/flush.c), for
 * at most EXIT_FLUSH_NS. Only from a thread that may sleep.
 */
#define EXIT_FLUSH_NS 2000000000ull

static void flush_network(void)
{
	if (irq_enabled())
		net_flush(EXIT_FLUSH_NS);
}

/* Disk filesystems' cached writes go to the disk before the power-off
 * (fs/mounts.c). Only from a thread that may sleep. */
static void sync_disks(void)
{
	int r;

	if (irq_enabled() && (r = vfs_sync_all(true)))
		klog("sync at exit: error %d: some data may be lost", -r);
}

void kernel_exit(int status)
{
	u64 faults, cycles;

	flush_network();
	sync_disks();
	vm_fault_stats(&faults, &cycles);
	klog("program exited with status %d; %lu page faults, %lu us in them",
	     status & 0xff, (unsigned long)faults,
	     (unsigned long)(tsc_to_ns(cycles) / 1000));
	log_free_memory();
	/* Not through send_record: at the end of most runs, printf's code
	 * would be run, and under TCG translated, for these few bytes. */
	char num[STR_U64_LEN], rec[16];
	str_lcpy(rec, "exit ", sizeof(rec));
	str_lcat(rec, str_u64(num, (u64)(status & 0xff), 10), sizeof(rec) - 1);
	size_t n = strlen(rec);
	rec[n++] = '\n';
	console_record(rec, n); /* after all output reached the host */
	power_off();
}

void kernel_fatal_signal(int signo, u64 addr, u64 rip)
{
	flush_network();
	sync_disks();
	klog("program killed by signal %d at address %#lx, rip %#lx", signo,
	     addr, rip);
	log_free_memory();
	send_record("signal %d %lx %lx", signo, addr, rip);
	power_off();
}

void kernel_error(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	klog("error: %s", msg);
	send_record("error %s", msg);
	power_off();
}

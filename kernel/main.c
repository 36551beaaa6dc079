/*
 * kernel/main.c: the boot sequence, from the PVH entry's C call to the
 * program's first instruction (DESIGN.md, "Boot sequence").
 */
#include <skiff/arch.h>
#include <skiff/console.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/linux.h>
#include <skiff/mm.h>
#include <skiff/net.h>
#include <skiff/pci.h>
#include <skiff/process.h>
#include <skiff/proto.h>
#include <skiff/pvh.h>
#include <skiff/sched.h>
#include <skiff/serial.h>
#include <skiff/time.h>
#include <skiff/vfs.h>
#include <skiff/virtio.h>
#include "cmdline.h"

/* The RAM ranges of the PVH memory map. */
static size_t ram_ranges(const struct pvh_start_info *si,
			 struct mem_range *out, size_t max)
{
	const struct pvh_memmap_entry *map = phys_to_virt(si->memmap_paddr);
	size_t n = 0;

	if (si->version < 1)
		panic("PVH start info has no memory map");
	for (u32 i = 0; i < si->memmap_entries && n < max; i++)
		if (map[i].type == PVH_MEMMAP_RAM)
			out[n++] = (struct mem_range){ map[i].addr,
						       map[i].addr + map[i].size };
	return n;
}

/*
 * The boot thread's process (made by sched_init) gets its address space,
 * descriptor table and working directory: the program's, once exec runs.
 */
static void first_process(void)
{
	struct process *p = process_current();

	p->vm = vm_space_create();
	p->files = fd_table_create();
	p->fs = fs_context_create();
	if (!p->vm || !p->files || !p->fs)
		panic("out of memory for the program's process");
	vm_activate(p->vm); /* its page table, loaded once for good */
}

void kmain(u32 start_info_phys)
{
	static struct mem_range ram[128];
	const struct pvh_start_info *si = start_info_phys ?
		phys_to_virt(start_info_phys) : mb2_start_info();
	paddr_t initrd = 0;
	u64 initrd_len = 0;

	serial_init();
	if (!si)
		panic("no boot information (neither PVH nor multiboot2)");
	if (si->magic != PVH_MAGIC)
		panic("not started through PVH (magic %#x)", si->magic);
	if (si->cmdline_paddr)
		cmdline_parse(phys_to_virt(si->cmdline_paddr));
	if (!start_info_phys)
		boot_opts.plain_console = true; /* a boot loader, not skiff */
	acpi_set_rsdp(si->rsdp_paddr);
	/* COM1 is ready: tell the host it may send stdin now (skiff/proto.h). */
	if (!boot_opts.plain_console) {
		serial_putc(PROTO_ESC);
		serial_putc(PROTO_CH_LOG);
	}
	if (si->nr_modules) {
		const struct pvh_module *m = phys_to_virt(si->modlist_paddr);
		initrd = m->paddr;
		initrd_len = m->size;
	}
	cpu_init();
	tsc_init();
	/* A boot loader's boot has no host to give the time: the RTC's. */
	if (!boot_opts.realtime_ns && boot_opts.plain_console)
		boot_opts.realtime_ns = rtc_unix_ns();
	time_set_realtime(boot_opts.realtime_ns);
	klog("cpu:%s%s%s%s%s%s", cpu_feat.xsave ? " xsave" : "",
	     cpu_feat.fsgsbase ? " fsgsbase" : "", cpu_feat.pcid ? " pcid" : "",
	     cpu_feat.tsc_deadline ? " tsc-deadline" : "",
	     cpu_feat.x2apic ? " x2apic" : "", cpu_feat.rdrand ? " rdrand" : "");
	boot_mark("cpu and clock");
	mm_init(ram, ram_ranges(si, ram, ARRAY_SIZE(ram)), initrd, initrd_len);
	boot_mark("memory");
	lapic_init();
	sched_init();
	first_process();
	if (irq_route(SERIAL_IRQ, console_rx_interrupt))
		panic("cannot route the serial interrupt");
	serial_enable_rx_irq(true);
	irq_enable();
	smp_init(CPU_MAX);
	boot_mark("interrupts and threads");
	/* Devices: a probe failure is a line in the log, never a panic. */
	pci_init();
	virtio_init();
	boot_mark("devices");

	int r = fs_init(initrd_len ? phys_to_virt(initrd) : NULL, initrd_len);
	if (r)
		kernel_error("the image is corrupt: cannot unpack the initrd "
			     "(error %d)", -r);
	char why[200];
	if (fs_mount_disks(why, sizeof(why)))
		kernel_error("%s", why);
	boot_mark("filesystems");
	net_init(boot_opts.ip);
	boot_mark("network");
	exec_program();
}

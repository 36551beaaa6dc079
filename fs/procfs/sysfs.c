/*
 * fs/procfs/sysfs.c: the few files of /sys that programs read to count
 * CPUs (glibc's get_nprocs and get_nprocs_conf, nproc, the JVM, Go):
 * /sys/devices/system/cpu/{online,possible,present,offline,kernel_max}
 * and a directory cpuN for each CPU running (cpu_count(), skiff/arch.h:
 * the CPUs QEMU gives, skiff run --cpus N). Every CPU that runs is
 * online, possible and present; none is offline (no hot-plug).
 * Layer: filesystem, served by the engine of procfs.c.
 */
#include <skiff/arch.h>
#include <skiff/vfs.h>
#include "procfs.h"

/* "0" or "0-N" for the CPUs 0..cpu_count()-1, as Linux writes a range. */
static int show_cpus(struct pbuf *b, long arg)
{
	int n = cpu_count();

	if (n <= 1)
		pb_printf(b, "0\n");
	else
		pb_printf(b, "0-%d\n", n - 1);
	return 0;
}

static int show_kernel_max(struct pbuf *b, long arg)
{
	pb_printf(b, "%d\n", CPU_MAX - 1);
	return 0;
}

static int show_empty(struct pbuf *b, long arg)
{
	pb_printf(b, "\n");
	return 0;
}

static long cpu_next(long parent, long from)
{
	return from < cpu_count() ? from : -1;
}

static bool cpu_exists(long parent, long arg)
{
	return arg >= 0 && arg < cpu_count();
}

static const struct proc_node cpuN_entries[] = {
	{ .name = NULL },
};

static const struct proc_node cpuN_node = {
	"cpu", S_IFDIR | 0755, .dir = cpuN_entries,
};

static const struct proc_dyn cpu_dyn = {
	.next = cpu_next,
	.exists = cpu_exists,
	.node = &cpuN_node,
	.prefix = "cpu",
};

static const struct proc_node cpu_dir[] = {
	{ "kernel_max", S_IFREG | 0444, .show = show_kernel_max },
	{ "offline", S_IFREG | 0444, .show = show_empty },
	{ "online", S_IFREG | 0444, .show = show_cpus },
	{ "possible", S_IFREG | 0444, .show = show_cpus },
	{ "present", S_IFREG | 0444, .show = show_cpus },
	{ .name = NULL },
};

static const struct proc_node system_dir[] = {
	{ "cpu", S_IFDIR | 0755, .dir = cpu_dir, .dyn = &cpu_dyn },
	{ .name = NULL },
};

static const struct proc_node devices_dir[] = {
	{ "system", S_IFDIR | 0755, .dir = system_dir },
	{ .name = NULL },
};

const struct proc_node sys_root[] = {
	{ "devices", S_IFDIR | 0755, .dir = devices_dir },
	{ .name = NULL },
};

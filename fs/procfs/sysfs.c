/*
 * fs/procfs/sysfs.c: the few files of /sys that programs read to count
 * CPUs (glibc's get_nprocs and get_nprocs_conf, the JVM, Go):
 * /sys/devices/system/cpu/{online,possible,present} and cpu0/. One CPU.
 * Layer: filesystem, served by the engine of procfs.c.
 */
#include <skiff/vfs.h>
#include "procfs.h"

static int show_cpu0(struct pbuf *b, long arg)
{
	pb_printf(b, "0\n");
	return 0;
}

static int show_empty(struct pbuf *b, long arg)
{
	pb_printf(b, "\n");
	return 0;
}

static const struct proc_node cpu0_dir[] = {
	{ .name = NULL },
};

static const struct proc_node cpu_dir[] = {
	{ "cpu0", S_IFDIR | 0755, .dir = cpu0_dir },
	{ "kernel_max", S_IFREG | 0444, .show = show_cpu0 },
	{ "offline", S_IFREG | 0444, .show = show_empty },
	{ "online", S_IFREG | 0444, .show = show_cpu0 },
	{ "possible", S_IFREG | 0444, .show = show_cpu0 },
	{ "present", S_IFREG | 0444, .show = show_cpu0 },
	{ .name = NULL },
};

static const struct proc_node system_dir[] = {
	{ "cpu", S_IFDIR | 0755, .dir = cpu_dir },
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

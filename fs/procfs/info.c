/*
 * fs/procfs/info.c: the root of /proc and its system-wide files in Linux's
 * formats: cpuinfo (from CPUID, a block a CPU), meminfo, stat, uptime,
 * loadavg, version, filesystems, and /proc/sys/{kernel,vm,fs}. Layer:
 * filesystem.
 * DIVERGENCE: no idle time is accounted (each CPU shows as busy since boot
 * in /proc/stat, idle 0 in /proc/uptime), load averages are 0.00.
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/metrics.h>
#include <skiff/mm.h>
#include <skiff/time.h>
#include <skiff/vfs.h>
#include "pid.h"
#include "procfs.h"

#define USER_HZ 100

/* ---- cpuinfo ---- */

/* Linux's names of the CPUID feature bits, in its order of words. */
struct cpu_word {
	u32 leaf, sub;
	int reg;		/* 0 eax, 1 ebx, 2 ecx, 3 edx */
	const char *names[32];
};

static const struct cpu_word words[] = {
	{ 1, 0, 3, { "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
		"cx8", "apic", NULL, "sep", "mtrr", "pge", "mca", "cmov", "pat",
		"pse36", "pn", "clflush", NULL, "dts", "acpi", "mmx", "fxsr",
		"sse", "sse2", "ss", "ht", "tm", "ia64", "pbe" } },
	{ 0x80000001, 0, 3, { [11] = "syscall", [19] = "mp", [20] = "nx",
		[22] = "mmxext", [25] = "fxsr_opt", [26] = "pdpe1gb",
		[27] = "rdtscp", [29] = "lm", [30] = "3dnowext", [31] = "3dnow" } },
	{ 1, 0, 2, { "pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx",
		"smx", "est", "tm2", "ssse3", "cid", "sdbg", "fma", "cx16",
		"xtpr", "pdcm", NULL, "pcid", "dca", "sse4_1", "sse4_2",
		"x2apic", "movbe", "popcnt", "tsc_deadline_timer", "aes",
		"xsave", NULL, "avx", "f16c", "rdrand", "hypervisor" } },
	{ 0x80000001, 0, 2, { "lahf_lm", "cmp_legacy", "svm", "extapic",
		"cr8_legacy", "abm", "sse4a", "misalignsse", "3dnowprefetch",
		"osvw", "ibs", "xop", "skinit", "wdt", NULL, "lwp", "fma4",
		"tce", NULL, "nodeid_msr", NULL, "tbm", "topoext",
		"perfctr_core", "perfctr_nb", NULL, "bpext", "ptsc",
		"perfctr_llc", "mwaitx" } },
	{ 7, 0, 1, { "fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2",
		NULL, "smep", "bmi2", "erms", "invpcid", "rtm", "cqm", NULL,
		"mpx", "rdt_a", "avx512f", "avx512dq", "rdseed", "adx", "smap",
		"avx512ifma", NULL, "clflushopt", "clwb", "intel_pt",
		"avx512pf", "avx512er", "avx512cd", "sha_ni", "avx512bw",
		"avx512vl" } },
	{ 0xd, 1, 0, { "xsaveopt", "xsavec", "xgetbv1", "xsaves" } },
	{ 7, 0, 2, { NULL, "avx512vbmi", "umip", "pku", "ospke", "waitpkg",
		"avx512_vbmi2", NULL, "gfni", "vaes", "vpclmulqdq",
		"avx512_vnni", "avx512_bitalg", "tme", "avx512_vpopcntdq", NULL,
		"la57", [22] = "rdpid", [25] = "cldemote", [27] = "movdiri",
		[28] = "movdir64b", [29] = "enqcmd" } },
	{ 7, 0, 3, { [2] = "avx512_4vnniw", [3] = "avx512_4fmaps",
		[4] = "fsrm", [8] = "avx512_vp2intersect", [10] = "md_clear",
		[14] = "serialize", [16] = "tsxldtrk", [18] = "pconfig",
		[20] = "ibt", [22] = "amx_bf16", [23] = "avx512_fp16",
		[24] = "amx_tile", [25] = "amx_int8", [28] = "flush_l1d",
		[29] = "arch_capabilities" } },
};

static u32 cpuid_reg(u32 leaf, u32 sub, int reg)
{
	u32 r[4], max;

	cpuid(leaf & 0x80000000, 0, r);
	max = r[0];
	if (leaf > max)
		return 0;
	cpuid(leaf, sub, r);
	return r[reg];
}

static void show_flags(struct pbuf *b)
{
	pb_printf(b, "flags\t\t:");
	for (size_t w = 0; w < ARRAY_SIZE(words); w++) {
		u32 v = cpuid_reg(words[w].leaf, words[w].sub, words[w].reg);

		for (int i = 0; i < 32; i++)
			if ((v >> i) & 1 && words[w].names[i])
				pb_printf(b, " %s", words[w].names[i]);
	}
	pb_printf(b, "\n");
}

/* The brand string, without its leading blanks. */
static void model_name(char name[49])
{
	u32 r[4];
	const char *p = name;

	name[0] = 0;
	if (cpuid_reg(0x80000000, 0, 0) >= 0x80000004) {
		for (u32 i = 0; i < 3; i++) {
			cpuid(0x80000002 + i, 0, r);
			memcpy(name + 16 * i, r, 16);
		}
		name[48] = 0;
	}
	while (*p == ' ')
		p++;
	memmove(name, p, strlen(p) + 1);
}

/* One CPU's block of /proc/cpuinfo: the same CPUID on every CPU (QEMU's
 * vCPUs are alike), its own number and APIC id. */
static void cpuinfo_block(struct pbuf *b, int cpu, int ncpu)
{
	u32 r[4], sig = cpuid_reg(1, 0, 0), fam = (sig >> 8) & 0xf;
	u32 model = (sig >> 4) & 0xf, l2 = cpuid_reg(0x80000006, 0, 2) >> 16;
	u32 clflush = ((cpuid_reg(1, 0, 1) >> 8) & 0xff) * 8;
	u32 sizes = cpuid_reg(0x80000008, 0, 0);
	u64 khz = tsc_rate_khz();
	char vendor[13], name[49];

	cpuid(0, 0, r);
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	vendor[12] = 0;
	if (fam == 0xf)
		fam += (sig >> 20) & 0xff;
	if (fam >= 6)
		model += ((sig >> 16) & 0xf) << 4;
	model_name(name);
	pb_printf(b, "processor\t: %d\nvendor_id\t: %s\ncpu family\t: %u\n"
		  "model\t\t: %u\nmodel name\t: %s\nstepping\t: %u\n"
		  "cpu MHz\t\t: %lu.%03lu\n", cpu, vendor, fam, model, name,
		  sig & 0xf, (unsigned long)(khz / 1000),
		  (unsigned long)(khz % 1000));
	if (l2)
		pb_printf(b, "cache size\t: %u KB\n", l2);
	pb_printf(b, "physical id\t: 0\nsiblings\t: %d\ncore id\t\t: %d\n"
		  "cpu cores\t: %d\napicid\t\t: %d\ninitial apicid\t: %d\n"
		  "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\n"
		  "wp\t\t: yes\n", ncpu, cpu, ncpu, cpu, cpu, r[0]);
	show_flags(b);
	pb_printf(b, "bugs\t\t:\nbogomips\t: %lu.%02lu\nclflush size\t: %u\n"
		  "cache_alignment\t: %u\naddress sizes\t: %u bits physical, "
		  "%u bits virtual\npower management:\n\n",
		  (unsigned long)(khz * 2 / 1000), (unsigned long)(khz * 2 / 10 % 100),
		  clflush, clflush, sizes & 0xff, (sizes >> 8) & 0xff);
}

/* A block for each CPU that runs (cpu_count()). */
static int show_cpuinfo(struct pbuf *b, long arg)
{
	int n = cpu_count();

	for (int cpu = 0; cpu < n; cpu++)
		cpuinfo_block(b, cpu, n);
	return 0;
}

/* ---- memory, time, load ---- */

static int show_meminfo(struct pbuf *b, long arg)
{
	u64 total = page_total_count() * (PAGE_SIZE / 1024);
	u64 free = page_free_count() * (PAGE_SIZE / 1024);
	u64 cached = ext2_cache_bytes() / 1024;
	const struct { const char *name; u64 kb; } lines[] = {
		{ "MemTotal", total }, { "MemFree", free },
		{ "MemAvailable", free }, { "Buffers", 0 }, { "Cached", cached },
		{ "SwapCached", 0 }, { "Active", 0 }, { "Inactive", 0 },
		{ "Unevictable", 0 }, { "Mlocked", 0 }, { "SwapTotal", 0 },
		{ "SwapFree", 0 }, { "Dirty", 0 }, { "Writeback", 0 },
		{ "AnonPages", total - free }, { "Mapped", 0 }, { "Shmem", 0 },
		{ "Slab", 0 }, { "SReclaimable", 0 }, { "SUnreclaim", 0 },
		{ "KernelStack", 0 }, { "PageTables", 0 },
		{ "CommitLimit", total }, { "Committed_AS", total - free },
		{ "VmallocTotal", 34359738367ull }, { "VmallocUsed", 0 },
		{ "VmallocChunk", 0 },
	};
	char name[32];

	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		fmt_snprintf(name, sizeof(name), "%s:", lines[i].name);
		pb_printf(b, "%-15s %8lu kB\n", name, (unsigned long)lines[i].kb);
	}
	pb_printf(b, "HugePages_Total:       0\nHugePages_Free:        0\n"
		     "HugePages_Rsvd:        0\nHugePages_Surp:        0\n"
		     "Hugepagesize:       2048 kB\nHugetlb:               0 kB\n");
	return 0;
}

static u64 ticks(void)
{
	return time_monotonic_ns() / (NSEC_PER_SEC / USER_HZ);
}

static int show_stat(struct pbuf *b, long arg)
{
	u64 now = time_monotonic_ns();
	u64 btime = (time_realtime_ns() - now) / NSEC_PER_SEC;

	int n = cpu_count();

	/* No per-CPU accounting yet: each CPU's uptime counts as user time,
	 * the "cpu" line their sum (as Linux's is). */
	for (int cpu = -1; cpu < n; cpu++) {
		pb_printf(b, cpu < 0 ? "cpu  " : "cpu%d ", cpu);
		pb_printf(b, "%lu 0 0 0 0 0 0 0 0 0\n",
			  (unsigned long)(ticks() * (cpu < 0 ? (u64)n : 1)));
	}
	pb_printf(b, "intr 0\nctxt 0\nbtime %lu\nprocesses 1\nprocs_running 1\n"
		  "procs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		  (unsigned long)btime);
	return 0;
}

static int show_uptime(struct pbuf *b, long arg)
{
	u64 cs = time_monotonic_ns() / (NSEC_PER_SEC / 100);

	pb_printf(b, "%lu.%02lu 0.00\n", (unsigned long)(cs / 100),
		  (unsigned long)(cs % 100));
	return 0;
}

static int show_loadavg(struct pbuf *b, long arg)
{
	struct proc_thread t;

	proc_thread_info(0, &t);
	pb_printf(b, "0.00 0.00 0.00 1/%d %d\n", t.all_threads, t.max_tid);
	return 0;
}

static int show_version(struct pbuf *b, long arg)
{
	pb_printf(b, "%s version %s (skiff@skiff) (gcc) %s\n", UTS_SYSNAME,
		  UTS_RELEASE, UTS_VERSION);
	return 0;
}

static int show_filesystems(struct pbuf *b, long arg)
{
	pb_printf(b, "nodev\tsysfs\nnodev\tproc\nnodev\tramfs\nnodev\tpipefs\n");
	return 0;
}

/* ---- /proc/sys ---- */

#define SYSCTL(fn, text)                                        \
	static int fn(struct pbuf *b, long arg)                 \
	{                                                       \
		pb_printf(b, "%s\n", text);                     \
		return 0;                                       \
	}

SYSCTL(show_ostype, UTS_SYSNAME)
SYSCTL(show_osrelease, UTS_RELEASE)
SYSCTL(show_kversion, UTS_VERSION)
SYSCTL(show_hostname, UTS_NODENAME)
SYSCTL(show_domainname, "(none)")
SYSCTL(show_pid_max, "32768")
SYSCTL(show_threads_max, "63449")
SYSCTL(show_ngroups_max, "65536")
SYSCTL(show_cap_last_cap, "40")
SYSCTL(show_overcommit, "0")
SYSCTL(show_max_map_count, "65530")
SYSCTL(show_file_max, "9223372036854775807")
SYSCTL(show_nr_open, "1048576")
SYSCTL(show_entropy, "256")

/* A random version 4 UUID, new on each open (/proc/sys/kernel/random/uuid). */
static int show_uuid(struct pbuf *b, long arg)
{
	u8 u[16];

	random_fill(u, sizeof(u));
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	for (int i = 0; i < 16; i++)
		pb_printf(b, "%02x%s", u[i], i == 3 || i == 5 || i == 7 || i == 9 ?
			  "-" : "");
	pb_printf(b, "\n");
	return 0;
}

static const struct proc_node random_dir[] = {
	{ "boot_id", S_IFREG | 0444, .show = show_uuid },
	{ "entropy_avail", S_IFREG | 0444, .show = show_entropy },
	{ "poolsize", S_IFREG | 0444, .show = show_entropy },
	{ "uuid", S_IFREG | 0444, .show = show_uuid },
	{ .name = NULL },
};

static const struct proc_node kernel_dir[] = {
	{ "cap_last_cap", S_IFREG | 0444, .show = show_cap_last_cap },
	{ "domainname", S_IFREG | 0644, .show = show_domainname },
	{ "hostname", S_IFREG | 0644, .show = show_hostname },
	{ "ngroups_max", S_IFREG | 0444, .show = show_ngroups_max },
	{ "osrelease", S_IFREG | 0444, .show = show_osrelease },
	{ "ostype", S_IFREG | 0444, .show = show_ostype },
	{ "pid_max", S_IFREG | 0644, .show = show_pid_max },
	{ "random", S_IFDIR | 0555, .dir = random_dir },
	{ "threads-max", S_IFREG | 0644, .show = show_threads_max },
	{ "version", S_IFREG | 0444, .show = show_kversion },
	{ .name = NULL },
};

static const struct proc_node vm_dir[] = {
	{ "max_map_count", S_IFREG | 0644, .show = show_max_map_count },
	{ "overcommit_memory", S_IFREG | 0644, .show = show_overcommit },
	{ .name = NULL },
};

static const struct proc_node fs_dir[] = {
	{ "file-max", S_IFREG | 0644, .show = show_file_max },
	{ "nr_open", S_IFREG | 0644, .show = show_nr_open },
	{ .name = NULL },
};

static const struct proc_node sys_dir[] = {
	{ "fs", S_IFDIR | 0555, .dir = fs_dir },
	{ "kernel", S_IFDIR | 0555, .dir = kernel_dir },
	{ "vm", S_IFDIR | 0555, .dir = vm_dir },
	{ .name = NULL },
};

static long link_mounts(long arg, char *buf, size_t size)
{
	memcpy(buf, "self/mounts", MIN(size, (size_t)11));
	return 11;
}

/* DIVERGENCE: /proc/skiff/metrics, Skiff's own: the kernel's counters in
 * Prometheus' text format (skiff/metrics.h), as the API's /metrics. */
static int show_metrics(struct pbuf *b, long arg)
{
	size_t len;
	char *text = metrics_text(&len);

	if (!text)
		return -ENOMEM;
	pb_write(b, text, len);
	kfree(text);
	return 0;
}

static const struct proc_node skiff_dir[] = {
	{ "metrics", S_IFREG | 0444, .show = show_metrics },
	{ .name = NULL },
};

const struct proc_node proc_root[] = {
	{ "cpuinfo", S_IFREG | 0444, .show = show_cpuinfo },
	{ "filesystems", S_IFREG | 0444, .show = show_filesystems },
	{ "loadavg", S_IFREG | 0444, .show = show_loadavg },
	{ "meminfo", S_IFREG | 0444, .show = show_meminfo },
	{ "mounts", S_IFLNK | 0777, .readlink = link_mounts },
	{ "net", S_IFLNK | 0777, .readlink = proc_link_net },
	{ "self", S_IFLNK | 0777, .readlink = proc_link_self },
	{ "skiff", S_IFDIR | 0555, .dir = skiff_dir },
	{ "stat", S_IFREG | 0444, .show = show_stat },
	{ "sys", S_IFDIR | 0555, .dir = sys_dir },
	{ "thread-self", S_IFLNK | 0777, .readlink = proc_link_thread_self },
	{ "uptime", S_IFREG | 0444, .show = show_uptime },
	{ "version", S_IFREG | 0444, .show = show_version },
	{ .name = NULL },
};

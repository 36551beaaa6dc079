/*
 * kernel/metrics.c: the Prometheus text (exposition format 0.0.4) of the
 * counters the subsystems keep, behind skiff/metrics.h. Layer: kernel
 * services; it only reads: every counter lives where its event happens
 * (syscalls in linux/table.c, faults in mm/fault.c, CPU time and context
 * switches in sched/sched.c, the heap in mm/heap.c, the page cache in
 * fs/ext2/writeback.c, network bytes in the netdevs and net/netif.c, disk
 * requests in drivers/virtio/blk.c), and /proc shows the same counters.
 *
 * The text is built in one pass into the caller's buffer; what does not
 * fit is counted, not written, so the caller learns the size it needs.
 * Each family is its # HELP and # TYPE lines, then its samples; names and
 * meanings are listed in docs/metrics.md. Who reads it: the management
 * API's /metrics, /proc/skiff/metrics and `skiff stats` (metrics_serve).
 */
#include <skiff/alloc.h>
#include <skiff/blkdev.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/metrics.h>
#include <skiff/mm.h>
#include <skiff/net.h>
#include <skiff/paging.h>
#include <skiff/process.h>
#include <skiff/sched.h>
#include <skiff/time.h>
#include <skiff/vfs.h>

struct metrics_out {
	char *buf;
	size_t cap;
	size_t len;	/* the whole text's, which may pass cap */
};

/* Appends printf-style text (counted even where it does not fit). */
static void __printf(2, 3) put(struct metrics_out *o, const char *fmt, ...)
{
	size_t room = o->len < o->cap ? o->cap - o->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

/* A family's # HELP and # TYPE lines. */
static void family(struct metrics_out *o, const char *name, const char *type,
		   const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A family of one sample without labels. */
static void metric(struct metrics_out *o, const char *name, const char *type,
		   const char *help, u64 value)
{
	family(o, name, type, help);
	put(o, "%s %lu\n", name, (unsigned long)value);
}

/* Nanoseconds as seconds with nine decimals. */
static void put_seconds(struct metrics_out *o, u64 ns)
{
	put(o, "%lu.%09lu\n", (unsigned long)(ns / 1000000000ull),
	    (unsigned long)(ns % 1000000000ull));
}

/* A label value, escaped as the format wants (\\, \", \n). */
static void put_label(struct metrics_out *o, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			put(o, "\\%c", *s);
		else if (*s == '\n')
			put(o, "\\n");
		else
			put(o, "%c", *s);
	}
}

/* ---- CPU, threads, open files ---- */

static void thread_line(struct thread *t, void *arg)
{
	struct metrics_out *o = arg;

	put(o, "skiff_thread_cpu_seconds_total{tid=\"%d\",comm=\"",
	    thread_id(t));
	put_label(o, thread_name(t));
	put(o, "\"} ");
	put_seconds(o, thread_cpu_ns(t));
}

static void count_thread(struct thread *t, void *arg)
{
	++*(u64 *)arg;
}

static bool count_fds(struct process *p, void *arg)
{
	if (p->files)
		for (long fd = fd_table_next(p->files, 0); fd >= 0;
		     fd = fd_table_next(p->files, fd + 1))
			++*(u64 *)arg;
	return false;
}

static void show_cpu(struct metrics_out *o)
{
	struct sched_stats s;
	u64 threads = 0, fds = 0;

	sched_stats(&s);
	family(o, "skiff_cpu_seconds_total", "counter",
	       "CPU time used by all threads, kernel threads included.");
	put(o, "skiff_cpu_seconds_total ");
	put_seconds(o, s.busy_ns);
	family(o, "skiff_thread_cpu_seconds_total", "counter",
	       "CPU time used by each live program thread.");
	thread_for_each(thread_line, o);
	family(o, "skiff_context_switches_total", "counter",
	       "Switches away from a thread that slept (voluntary) or was "
	       "preempted or yielded (involuntary).");
	put(o, "skiff_context_switches_total{type=\"voluntary\"} %lu\n",
	    (unsigned long)s.nvcsw);
	put(o, "skiff_context_switches_total{type=\"involuntary\"} %lu\n",
	    (unsigned long)s.nivcsw);
	thread_for_each(count_thread, &threads);
	metric(o, "skiff_threads", "gauge", "Live program threads.", threads);
	metric(o, "skiff_processes", "gauge",
	       "Processes, zombies included.", (u64)process_count());
	process_for_each(count_fds, &fds);
	metric(o, "skiff_open_fds", "gauge",
	       "Open file descriptors of all processes.", fds);
}

/* ---- memory ---- */

static void show_memory(struct metrics_out *o)
{
	metric(o, "skiff_memory_total_bytes", "gauge",
	       "Memory the kernel manages.", (u64)page_total_count() * PAGE_SIZE);
	metric(o, "skiff_memory_free_bytes", "gauge", "Free memory.",
	       (u64)page_free_count() * PAGE_SIZE);
	metric(o, "skiff_memory_page_cache_bytes", "gauge",
	       "Disk blocks cached by the filesystems.", ext2_cache_bytes());
	metric(o, "skiff_memory_heap_bytes", "gauge",
	       "Memory the kernel heap holds.",
	       (u64)heap_page_count() * PAGE_SIZE);
	metric(o, "skiff_page_faults_total", "counter",
	       "Page faults of every address space.", vm_fault_total());
}

/* ---- system calls ---- */

static void show_syscalls(struct metrics_out *o)
{
	family(o, "skiff_syscalls_total", "counter",
	       "System calls by name (those called at least once).");
	for (unsigned long nr = 0; nr < syscall_nr_end(); nr++) {
		u64 n = syscall_count(nr);
		if (n)
			put(o, "skiff_syscalls_total{name=\"%s\"} %lu\n",
			    syscall_name(nr), (unsigned long)n);
	}
}

/* ---- network interfaces, disks ---- */

static const struct {
	const char *name, *help;
} net_families[] = {
	{ "skiff_network_receive_bytes_total", "Bytes received." },
	{ "skiff_network_receive_packets_total", "Packets received." },
	{ "skiff_network_transmit_bytes_total", "Bytes sent." },
	{ "skiff_network_transmit_packets_total", "Packets sent." },
	{ "skiff_network_receive_drop_total", "Received packets dropped." },
	{ "skiff_network_transmit_drop_total", "Packets dropped unsent." },
};

static u64 net_value(const struct net_iface *f, size_t i)
{
	const u64 v[] = { f->rx_bytes, f->rx_packets, f->tx_bytes,
			  f->tx_packets, f->rx_dropped, f->tx_dropped };
	return v[i];
}

static void show_net(struct metrics_out *o)
{
	struct net_iface f;

	for (size_t i = 0; i < ARRAY_SIZE(net_families); i++) {
		family(o, net_families[i].name, "counter", net_families[i].help);
		for (unsigned k = 0; net_iface_get(k, &f) == 0; k++) {
			put(o, "%s{interface=\"", net_families[i].name);
			put_label(o, f.name);
			put(o, "\"} %lu\n", (unsigned long)net_value(&f, i));
		}
	}
}

static const struct {
	const char *name, *help;
} disk_families[] = {
	{ "skiff_disk_reads_completed_total", "Read requests done." },
	{ "skiff_disk_read_bytes_total", "Bytes read." },
	{ "skiff_disk_writes_completed_total", "Write requests done." },
	{ "skiff_disk_written_bytes_total", "Bytes written." },
	{ "skiff_disk_flushes_completed_total", "Cache flushes done." },
};

static u64 disk_value(const struct blkdev *bd, size_t i)
{
	const u64 *v[] = { &bd->rd_ios, &bd->rd_bytes, &bd->wr_ios,
			   &bd->wr_bytes, &bd->flush_ios };
	return __atomic_load_n(v[i], __ATOMIC_RELAXED);
}

static void show_disks(struct metrics_out *o)
{
	struct blkdev *bd;

	for (size_t i = 0; i < ARRAY_SIZE(disk_families); i++) {
		family(o, disk_families[i].name, "counter",
		       disk_families[i].help);
		for (unsigned k = 0; (bd = blkdev_nth(k)); k++)
			put(o, "%s{device=\"%s\"} %lu\n", disk_families[i].name,
			    bd->name, (unsigned long)disk_value(bd, i));
	}
}

size_t metrics_prometheus(char *buf, size_t cap)
{
	struct metrics_out o = { buf, cap, 0 };

	if (cap)
		buf[0] = '\0';
	/* The uptime and the CPU time first and together: skiff stats
	 * divides the growth of one by the other's. */
	family(&o, "skiff_uptime_seconds", "gauge",
	       "Seconds since the kernel started.");
	put(&o, "skiff_uptime_seconds ");
	put_seconds(&o, time_monotonic_ns());
	show_cpu(&o);
	show_memory(&o);
	show_syscalls(&o);
	show_net(&o);
	show_disks(&o);
	return o.len;
}

char *metrics_text(size_t *len)
{
	size_t cap = 8192;

	for (;;) {
		char *buf = kmalloc(cap);
		if (!buf)
			return NULL;
		size_t n = metrics_prometheus(buf, cap);
		if (n < cap) {
			*len = n;
			return buf;
		}
		kfree(buf);
		cap = n + 4096; /* room for what appears meanwhile */
	}
}

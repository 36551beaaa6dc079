/*
 * kernel/metrics.c: the Prometheus text of skiff/metrics.h. Each metric is
 * one gauge or counter line (no labels yet); the text is built in one pass
 * into the caller's buffer, and its full length is returned.
 */
#include <skiff/alloc.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/metrics.h>
#include <skiff/paging.h>
#include <skiff/time.h>

struct metrics_out {
	char *buf;
	size_t cap;
	size_t len;
};

/* Appends one metric with its HELP and TYPE lines. */
static void metric(struct metrics_out *o, const char *name, const char *type,
		   const char *help, u64 value)
{
	size_t room = o->len < o->cap ? o->cap - o->len : 0;
	int n = fmt_snprintf(room ? o->buf + o->len : NULL, room,
			     "# HELP %s %s\n# TYPE %s %s\n%s %lu\n", name, help,
			     name, type, name, (unsigned long)value);

	if (n > 0)
		o->len += (size_t)n;
}

size_t metrics_prometheus(char *buf, size_t cap)
{
	struct metrics_out o = { buf, cap, 0 };

	if (cap)
		buf[0] = '\0';
	metric(&o, "skiff_uptime_seconds", "gauge",
	       "Seconds since the kernel started.",
	       time_monotonic_ns() / 1000000000ull);
	metric(&o, "skiff_memory_total_bytes", "gauge",
	       "Memory the kernel manages.", (u64)page_total_count() * PAGE_SIZE);
	metric(&o, "skiff_memory_free_bytes", "gauge", "Free memory.",
	       (u64)page_free_count() * PAGE_SIZE);
	return o.len;
}

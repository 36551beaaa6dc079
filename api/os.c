/*
 * api/os.c: OSv's /os/ paths: name, version, vendor, uptime, date,
 * memory, dmesg, hostname, threads, cmdline; shutdown, poweroff, reboot.
 * Layer: api/. Shapes as OSv's API gives them: a JSON string or number,
 * /os/threads an object with time_ms and a list.
 */
#include <skiff/alloc.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/paging.h>
#include <skiff/proto.h>
#include <skiff/sched.h>
#include <skiff/time.h>
#include <skiff/vfs.h>
#include "api.h"

#define SKIFF_OS_VERSION "0.1"

static bool get(struct api_call *c)
{
	return api_method(c, "GET");
}

void os_name(struct api_call *c)
{
	if (get(c))
		out_str(&c->out, "\"Skiff\"");
}

void os_version(struct api_call *c)
{
	if (get(c))
		out_str(&c->out, "\"" SKIFF_OS_VERSION "\"");
}

void os_vendor(struct api_call *c)
{
	if (get(c))
		out_str(&c->out, "\"Skiff\"");
}

void os_uptime(struct api_call *c)
{
	if (get(c))
		out_printf(&c->out, "%lu", (unsigned long)(time_monotonic_ns() /
							   NSEC_PER_SEC));
}

/* Days since 1970-01-01 into a civil date (proleptic Gregorian). */
static void civil(s64 days, int *y, int *m, int *d)
{
	s64 z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	s64 doe = z - era * 146097;
	s64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	s64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	s64 mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

void os_date(struct api_call *c)
{
	u64 ns = time_realtime_ns(), s = ns / NSEC_PER_SEC;
	int y, m, d;

	if (!get(c))
		return;
	civil((s64)(s / 86400), &y, &m, &d);
	out_printf(&c->out, "\"%04d-%02d-%02dT%02u:%02u:%02u.%03uZ\"", y, m, d,
		   (unsigned)(s % 86400 / 3600), (unsigned)(s % 3600 / 60),
		   (unsigned)(s % 60), (unsigned)(ns % NSEC_PER_SEC / 1000000));
}

void os_memory_total(struct api_call *c)
{
	if (get(c))
		out_printf(&c->out, "%lu",
			   (unsigned long)(page_total_count() * PAGE_SIZE));
}

void os_memory_free(struct api_call *c)
{
	if (get(c))
		out_printf(&c->out, "%lu",
			   (unsigned long)(page_free_count() * PAGE_SIZE));
}

void os_dmesg(struct api_call *c)
{
	size_t cap = 65536, n;
	char *buf;

	if (!get(c))
		return;
	if (!(buf = kmalloc(cap))) {
		api_errno(c, -ENOMEM);
		return;
	}
	n = klog_ring_read(buf, cap);
	out_json_strn(&c->out, buf, n);
	kfree(buf);
}

void os_hostname(struct api_call *c)
{
	if (get(c))
		out_json_str(&c->out, UTS_NODENAME);
}

/* /os/threads: a snapshot taken under the thread list lock, then printed. */
struct thread_row {
	int tid;
	bool running;
	char name[THREAD_NAME_LEN];
	u64 cpu_ns;
};
struct thread_rows {
	struct thread_row *rows;
	size_t n, cap;
};

static void take_row(struct thread *t, void *arg)
{
	struct thread_rows *r = arg;
	struct thread_summary s;

	if (r->n == r->cap)
		return;
	thread_summary(t, &s);
	r->rows[r->n] = (struct thread_row){ s.tid, s.running, "",
					     thread_cpu_ns(t) };
	memcpy(r->rows[r->n].name, s.name, THREAD_NAME_LEN);
	r->rows[r->n].name[THREAD_NAME_LEN - 1] = 0;
	r->n++;
}

void os_threads(struct api_call *c)
{
	struct thread_rows r = { NULL, 0, 1024 };

	if (!get(c))
		return;
	if (!(r.rows = kmalloc(r.cap * sizeof(*r.rows)))) {
		api_errno(c, -ENOMEM);
		return;
	}
	thread_for_each(take_row, &r);
	out_printf(&c->out, "{\"time_ms\": %lu, \"list\": [",
		   (unsigned long)(time_realtime_ns() / 1000000));
	for (size_t i = 0; i < r.n; i++) {
		out_printf(&c->out, "%s{\"id\": %d, \"cpu\": 0, \"cpu_ms\": %lu, "
			   "\"switches\": 0, \"migrations\": 0, "
			   "\"preemptions\": 0, \"name\": ", i ? ", " : "",
			   r.rows[i].tid,
			   (unsigned long)(r.rows[i].cpu_ns / 1000000));
		out_json_str(&c->out, r.rows[i].name);
		out_printf(&c->out, ", \"priority\": 0, \"stack_size\": 0, "
			   "\"status\": \"%s\"}",
			   r.rows[i].running ? "running" : "waiting");
	}
	out_str(&c->out, "]}");
	kfree(r.rows);
}

/* The program's command line (/.skiff/argv, NUL-separated) as one string. */
void os_cmdline(struct api_call *c)
{
	char *buf;
	size_t len;
	int r;

	if (!get(c))
		return;
	if ((r = vfs_read_all(PROTO_DIR "/argv", &buf, &len, 1 << 20))) {
		api_errno(c, r);
		return;
	}
	while (len && !buf[len - 1])
		len--;
	for (size_t i = 0; i < len; i++)
		if (!buf[i])
			buf[i] = ' ';
	out_json_strn(&c->out, buf, len);
	kfree(buf);
}

void os_shutdown(struct api_call *c)
{
	if (!api_method(c, "POST"))
		return;
	out_str(&c->out, "\"\"");
	c->after = AFTER_SHUTDOWN;
}

void os_poweroff(struct api_call *c)
{
	if (!api_method(c, "POST"))
		return;
	out_str(&c->out, "\"\"");
	c->after = AFTER_POWEROFF;
}

/* A one-program VM has nothing to boot again: it powers off (docs/api.md). */
void os_reboot(struct api_call *c)
{
	os_poweroff(c);
}

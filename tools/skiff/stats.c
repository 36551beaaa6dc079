/*
 * skiff stats [--no-stream] [NAME...]: what `docker stats` shows, for the
 * running detached instances (or those named): CPU %, memory usage and
 * limit, network and disk bytes, and PIDs (the program's threads).
 *
 * The numbers are the kernel's own metrics (skiff/metrics.h), read from
 * the instance's metrics port: QEMU serves that virtio console port on
 * the unix socket metrics.sock in the instance's directory (keeper.c asks
 * for it), skiff writes a line and reads the text up to the line
 * PROTO_METRICS_END (skiff/proto.h). So it works for every detached
 * instance, with or without the management API, and costs the guest
 * nothing while nobody asks. CPU % is the CPU time the guest's threads
 * used between two readings over the guest's time between them (its
 * uptime in the same reading: no skew from the transport; 100% is one
 * CPU busy); memory is the guest's total less its free pages, of its
 * total; network is every interface but lo; PIDs counts threads, as
 * docker's does.
 *
 * Streams a new table each second (the screen cleared first on a
 * terminal) until interrupted; --no-stream prints one, from two readings
 * half a second apart.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "skiff.h"
#include "instance.h"

#define STATS_REPLY_MS 10000	/* the longest a reading may take */
#define STATS_MAX 256		/* instances shown */

struct stats_sample {
	bool ok;		/* read; the fields below are set */
	double up;		/* skiff_uptime_seconds: guest seconds */
	double cpu;		/* skiff_cpu_seconds_total */
	double mem_total, mem_free, rx, tx, rd, wr, pids;
};

/* The whole text from the instance's metrics port (malloc'd) or NULL. */
static char *read_metrics(const char *name)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char *path = inst_path(name, "metrics.sock"), *buf = NULL;
	size_t len = 0, cap = 0;
	int fd = -1;

	if (strlen(path) >= sizeof(a.sun_path))
		goto out;
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    write(fd, "metrics\n", 8) != 8)
		goto out;
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (cap - len < 4097) {
			char *bigger = realloc(buf, cap ? cap * 2 : 65536);

			if (!bigger)
				break;
			buf = bigger;
			cap = cap ? cap * 2 : 65536;
		}
		if (poll(&p, 1, STATS_REPLY_MS) <= 0 ||
		    (n = read(fd, buf + len, cap - len - 1)) <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (len >= strlen(PROTO_METRICS_END) &&
		    !strcmp(buf + len - strlen(PROTO_METRICS_END),
			    PROTO_METRICS_END))
			goto out;
	}
	free(buf);
	buf = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return buf;
}

/* The sum of family name's samples; a sample whose labels contain skip
 * (if not NULL) is left out. */
static double family_sum(const char *text, const char *name, const char *skip)
{
	size_t k = strlen(name);
	double s = 0;

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		const char *end = strchr(l, '\n'), *sp;

		if (strncmp(l, name, k) || (l[k] != ' ' && l[k] != '{'))
			continue;
		sp = memchr(l, ' ', end ? (size_t)(end - l) : strlen(l));
		if (!sp || (skip && memmem(l, sp - l, skip, strlen(skip))))
			continue;
		s += strtod(sp + 1, NULL);
	}
	return s;
}

static void sample(const char *name, struct stats_sample *s)
{
	char *t = read_metrics(name);

	*s = (struct stats_sample){ .ok = t != NULL };
	if (!t)
		return;
	s->up = family_sum(t, "skiff_uptime_seconds", NULL);
	s->cpu = family_sum(t, "skiff_cpu_seconds_total", NULL);
	s->mem_total = family_sum(t, "skiff_memory_total_bytes", NULL);
	s->mem_free = family_sum(t, "skiff_memory_free_bytes", NULL);
	s->rx = family_sum(t, "skiff_network_receive_bytes_total",
			   "interface=\"lo\"");
	s->tx = family_sum(t, "skiff_network_transmit_bytes_total",
			   "interface=\"lo\"");
	s->rd = family_sum(t, "skiff_disk_read_bytes_total", NULL);
	s->wr = family_sum(t, "skiff_disk_written_bytes_total", NULL);
	s->pids = family_sum(t, "skiff_threads", NULL);
	free(t);
}

/* v as docker writes sizes: 4 significant digits, decimal (kB, MB) or
 * binary (KiB, MiB) units. */
static const char *human(char *out, size_t len, double v, bool binary)
{
	static const char *const dec[] = { "B", "kB", "MB", "GB", "TB" };
	static const char *const bin[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double base = binary ? 1024 : 1000;
	int u = 0;

	while (v >= base && u < 4) {
		v /= base;
		u++;
	}
	snprintf(out, len, "%.4g%s", v, binary ? bin[u] : dec[u]);
	return out;
}

static void print_row(const char *name, const struct stats_sample *a,
		      const struct stats_sample *b)
{
	char m1[32], m2[32], n1[32], n2[32], d1[32], d2[32];
	char cpu[16] = "--", mem[80] = "-- / --", memp[16] = "--";
	char net[80] = "-- / --", blk[80] = "-- / --", pids[16] = "--";

	if (b->ok) {
		double used = b->mem_total - b->mem_free;

		if (a && a->ok && b->up > a->up && b->cpu >= a->cpu)
			snprintf(cpu, sizeof(cpu), "%.2f%%",
				 (b->cpu - a->cpu) / (b->up - a->up) * 100);
		snprintf(mem, sizeof(mem), "%s / %s",
			 human(m1, sizeof(m1), used, true),
			 human(m2, sizeof(m2), b->mem_total, true));
		if (b->mem_total > 0)
			snprintf(memp, sizeof(memp), "%.2f%%",
				 used / b->mem_total * 100);
		snprintf(net, sizeof(net), "%s / %s",
			 human(n1, sizeof(n1), b->rx, false),
			 human(n2, sizeof(n2), b->tx, false));
		snprintf(blk, sizeof(blk), "%s / %s",
			 human(d1, sizeof(d1), b->rd, false),
			 human(d2, sizeof(d2), b->wr, false));
		snprintf(pids, sizeof(pids), "%.0f", b->pids);
	}
	printf("%-20s %-8s %-22s %-7s %-20s %-20s %s\n", name, cpu, mem, memp,
	       net, blk, pids);
}

/* The instances to show: those named, else every running one. */
static int collect(int argc, char **argv, char **names, int *n)
{
	struct inst_state s;
	int err;

	*n = 0;
	for (int i = 0; i < argc; i++) {
		if ((err = inst_find(argv[i], &s)))
			return err;
		if (!s.running) {
			skiff_err("instance '%s' is not running", argv[i]);
			return 1;
		}
		if (*n < STATS_MAX)
			names[(*n)++] = xstrdup(argv[i]);
	}
	if (argc)
		return 0;
	char *base = inst_base(false);
	DIR *d = opendir(base);
	struct dirent *e;

	while (d && (e = readdir(d)) && *n < STATS_MAX)
		if (inst_valid_name(e->d_name) && inst_load(e->d_name, &s) &&
		    s.running)
			names[(*n)++] = xstrdup(e->d_name);
	if (d)
		closedir(d);
	free(base);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void frame(char **names, int n, struct stats_sample *prev, bool clear)
{
	if (clear)
		fputs("\033[2J\033[H", stdout);
	printf("%-20s %-8s %-22s %-7s %-20s %-20s %s\n", "NAME", "CPU %",
	       "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS");
	for (int i = 0; i < n; i++) {
		struct stats_sample cur;

		sample(names[i], &cur);
		print_row(names[i], &prev[i], &cur);
		prev[i] = cur;
	}
	fflush(stdout);
}

int stats_command(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "no-stream", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	static const char usage[] =
		"Usage: skiff stats [--no-stream] [NAME...]\n"
		"Shows CPU %, memory usage / limit, network and block I/O and\n"
		"PIDs (threads) of the running detached instances, or of those\n"
		"named, from the kernel's metrics; refreshes every second until\n"
		"interrupted. --no-stream: prints once.\n";
	char *names[STATS_MAX];
	struct stats_sample prev[STATS_MAX];
	bool stream = true;
	int ch, n, err;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
		if (ch == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		if (ch != 'n') {
			skiff_err("stats: unknown option '%s' (try skiff stats --help)",
				  argv[optind - 1]);
			return SKIFF_EXIT_USAGE;
		}
		stream = false;
	}
	if ((err = collect(argc - optind, argv + optind, names, &n)))
		return err;
	qsort(names, n, sizeof(*names), by_name);
	for (int i = 0; i < n; i++)
		sample(names[i], &prev[i]);
	usleep(500000);
	for (;;) {
		frame(names, n, prev, stream && isatty(1));
		if (!stream)
			break;
		sleep(1);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	return 0;
}

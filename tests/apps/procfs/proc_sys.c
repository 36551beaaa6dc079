/*
 * proc_sys: the system-wide files libcs and runtimes read, checked for
 * shape, not values (the host and the VM differ): /proc/cpuinfo has
 * processor, model name and flags lines with fpu and sse2; /proc/meminfo
 * has MemTotal >= MemFree and MemAvailable; /proc/stat a "cpu " line and
 * btime; /proc/uptime two numbers; /proc/loadavg five fields;
 * /proc/mounts and /proc/self/mounts a line for "/" and six fields a line;
 * /sys/devices/system/cpu/online and possible are CPU lists with
 * online within possible.
 */
#include "check.h"

static char buf[1 << 16];

static long slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	long n = 0, r;

	buf[0] = 0;
	if (fd < 0)
		return -1;
	while (n < (long)sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	buf[n] = 0;
	close(fd);
	return n;
}

static int has_line(const char *prefix)
{
	size_t k = strlen(prefix);

	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, prefix, k) == 0)
			return 1;
	return 0;
}

static long meminfo(const char *key)
{
	char *p = strstr(buf, key);
	long v = -1;

	if (p)
		sscanf(p + strlen(key), ": %ld", &v);
	return v;
}

/* Counts the CPUs in a list like "0-3,5"; -1 if malformed. */
static int cpu_list(const char *s)
{
	int count = 0, a, b, used;

	while (*s && *s != '\n') {
		if (sscanf(s, "%d%n", &a, &used) != 1)
			return -1;
		s += used;
		b = a;
		if (*s == '-' && sscanf(s + 1, "%d%n", &b, &used) == 1)
			s += 1 + used;
		if (b < a)
			return -1;
		count += b - a + 1;
		if (*s == ',')
			s++;
	}
	return count;
}

static void mounts(const char *path)
{
	int root = 0, six = 1, lines = 0;

	slurp(path);
	for (char *l = buf; *l;) {
		char *nl = strchr(l, '\n');
		char dev[256], dir[256], type[64], opts[512];
		int a, b;

		if (nl)
			*nl = 0;
		six &= sscanf(l, "%255s %255s %63s %511s %d %d", dev, dir, type, opts, &a, &b) == 6;
		root |= strcmp(dir, "/") == 0;
		lines++;
		if (!nl)
			break;
		l = nl + 1;
	}
	say("%s: has a line for /: %s, six fields a line: %s", path, root ? "yes" : "no",
	    six && lines ? "yes" : "no");
}

int main(void)
{
	double up, idle, l1, l5, l15;
	int run, tot, last, online, possible;
	long total, freem, avail;

	slurp("/proc/cpuinfo");
	say("cpuinfo: processor %d, model name %d, flags %d", has_line("processor"),
	    has_line("model name"), has_line("flags"));
	yes("  flags include fpu and sse2", strstr(buf, " fpu") && strstr(buf, " sse2"));
	slurp("/proc/meminfo");
	total = meminfo("MemTotal");
	freem = meminfo("MemFree");
	avail = meminfo("MemAvailable");
	yes("meminfo: MemTotal > 0, MemFree <= MemTotal, MemAvailable present",
	    total > 0 && freem >= 0 && freem <= total && avail >= 0);
	slurp("/proc/stat");
	say("stat: \"cpu \" line %d, btime line %d", has_line("cpu "), has_line("btime "));
	slurp("/proc/uptime");
	yes("uptime: two numbers, uptime > 0", sscanf(buf, "%lf %lf", &up, &idle) == 2 && up > 0);
	slurp("/proc/loadavg");
	yes("loadavg: three loads, running/total, last pid",
	    sscanf(buf, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &run, &tot, &last) == 6);
	mounts("/proc/mounts");
	mounts("/proc/self/mounts");
	slurp("/sys/devices/system/cpu/online");
	online = cpu_list(buf);
	slurp("/sys/devices/system/cpu/possible");
	possible = cpu_list(buf);
	yes("cpu/online and cpu/possible are CPU lists, 1 <= online <= possible",
	    online >= 1 && possible >= online);
	return 0;
}

/*
 * tests/smp/cpucount.c: every count of CPUs a program can read, one line
 * each, for tests/skiff/cpus.sh to compare with --cpus N: glibc's
 * sysconf(_SC_NPROCESSORS_ONLN/_CONF) and get_nprocs (from
 * /sys/devices/system/cpu), sched_getaffinity's mask (what nproc counts),
 * /proc/cpuinfo's processor lines, /proc/stat's cpu lines, the files
 * online, possible and present and the cpuN directories of
 * /sys/devices/system/cpu. Built static.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

static void file_line(const char *label, const char *path)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");

	if (f && fgets(buf, sizeof(buf), f))
		buf[strcspn(buf, "\n")] = 0;
	else
		snprintf(buf, sizeof(buf), "(cannot read %s)", path);
	if (f)
		fclose(f);
	printf("%s %s\n", label, buf);
}

/* The lines of path starting with prefix, then a digit (digit) or not. */
static void count_lines(const char *label, const char *path,
			const char *prefix, int digit, int ids)
{
	char line[4096];
	size_t n = strlen(prefix);
	int count = 0;
	FILE *f = fopen(path, "r");

	printf("%s", label);
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, prefix, n))
			continue;
		if (digit >= 0 && (line[n] >= '0' && line[n] <= '9') != digit)
			continue;
		count++;
		if (ids)
			printf(" %ld", strtol(strchr(line, ':') + 1, NULL, 10));
	}
	if (!ids)
		printf(" %d", count);
	printf("\n");
	if (f)
		fclose(f);
}

int main(void)
{
	cpu_set_t set;
	struct dirent *d;
	DIR *dir;
	int dirs = 0;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set))
		perror("sched_getaffinity");
	printf("affinity %d\n", CPU_COUNT(&set));
	printf("onln %ld\nconf %ld\nget_nprocs %d\n",
	       sysconf(_SC_NPROCESSORS_ONLN), sysconf(_SC_NPROCESSORS_CONF),
	       get_nprocs());
	count_lines("cpuinfo", "/proc/cpuinfo", "processor", -1, 0);
	count_lines("cpuinfo-ids", "/proc/cpuinfo", "processor", -1, 1);
	count_lines("stat", "/proc/stat", "cpu", 1, 0);
	count_lines("stat-total", "/proc/stat", "cpu ", -1, 0);
	file_line("online", "/sys/devices/system/cpu/online");
	file_line("possible", "/sys/devices/system/cpu/possible");
	file_line("present", "/sys/devices/system/cpu/present");
	dir = opendir("/sys/devices/system/cpu");
	while (dir && (d = readdir(dir)))
		if (!strncmp(d->d_name, "cpu", 3) && d->d_name[3] >= '0' &&
		    d->d_name[3] <= '9')
			dirs++;
	printf("dirs %d\n", dirs);
	if (dir)
		closedir(dir);
	return 0;
}

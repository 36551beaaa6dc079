/*
 * sysinfo: sysinfo, sched_getaffinity and sched_yield through the raw
 * system calls. Memory sizes and CPU counts are the machine's, so only
 * their consistency is printed, plus the errors.
 */
#include <sched.h>
#include <sys/sysinfo.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

int main(void)
{
	struct sysinfo si;
	unsigned long mask[16];
	long n, i, cpus = 0;

	memset(&si, 0xff, sizeof(si));
	SHOW(SYS(SYS_sysinfo, &si));
	yes("uptime < 10 years", (long)si.uptime < 10L * 365 * 86400);
	yes("totalram > 0", si.totalram > 0);
	yes("freeram <= totalram", si.freeram <= si.totalram);
	yes("mem_unit >= 1", si.mem_unit >= 1);
	yes("totalram >= 64 MB", (unsigned long long)si.totalram * si.mem_unit >= 64ULL << 20);
	yes("procs >= 1", si.procs >= 1);
	yes("totalhigh == 0", si.totalhigh == 0);
	SHOW(SYS(SYS_sysinfo, NULL));
	SHOW(SYS(SYS_sysinfo, (void *)16));

	memset(mask, 0, sizeof(mask));
	/* returns the kernel's mask size: depends on its CPU count */
	n = SYS(SYS_sched_getaffinity, 0, sizeof(mask), mask);
	yes("sched_getaffinity returns a multiple of 8 bytes", n > 0 && n % 8 == 0);
	for (i = 0; i < n * 8 && i < (long)sizeof(mask) * 8; i++)
		cpus += (mask[i / 64] >> (i % 64)) & 1;
	yes("at least one CPU in the mask", cpus >= 1);
	yes("CPU 0 in the mask", mask[0] & 1);
	yes("sysconf(_SC_NPROCESSORS_ONLN) >= 1", sysconf(_SC_NPROCESSORS_ONLN) >= 1);
	yes("sched_getaffinity(getpid()) the same",
	    SYS(SYS_sched_getaffinity, getpid(), sizeof(mask), mask) == n);
	SHOW(SYS(SYS_sched_getaffinity, 0, 0, mask));
	SHOW(SYS(SYS_sched_getaffinity, 0, 3, mask));
	SHOW(SYS(SYS_sched_getaffinity, 0, sizeof(mask), NULL));
	SHOW(SYS(SYS_sched_getaffinity, 0x3fffffff, sizeof(mask), mask));
	SHOW(SYS(SYS_sched_yield));
	for (i = 0; i < 100; i++)
		SYS(SYS_sched_yield);
	say("100 sched_yield calls returned");
	return 0;
}

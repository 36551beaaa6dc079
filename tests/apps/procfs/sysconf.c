/*
 * sysconf: what the libc's sysconf answers from the kernel (auxv, /sys,
 * /proc, getrlimit, sysinfo): the page size and clock tick, online and
 * configured CPUs consistent with each other, with get_nprocs and with
 * sched_getaffinity; physical and available pages; the open-files limit
 * equal to RLIMIT_NOFILE.
 */
#include <sched.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include "check.h"

int main(void)
{
	long onln = sysconf(_SC_NPROCESSORS_ONLN), conf = sysconf(_SC_NPROCESSORS_CONF);
	long phys = sysconf(_SC_PHYS_PAGES), avph = sysconf(_SC_AVPHYS_PAGES);
	struct rlimit rl;
	cpu_set_t set;

	say("_SC_PAGESIZE %ld", sysconf(_SC_PAGESIZE));
	say("_SC_CLK_TCK %ld", sysconf(_SC_CLK_TCK));
	yes("1 <= _SC_NPROCESSORS_ONLN <= _SC_NPROCESSORS_CONF", onln >= 1 && onln <= conf);
	yes("get_nprocs() == _SC_NPROCESSORS_ONLN", get_nprocs() == onln);
	yes("get_nprocs_conf() == _SC_NPROCESSORS_CONF", get_nprocs_conf() == conf);
	sched_getaffinity(0, sizeof(set), &set);
	yes("1 <= CPUs in the affinity mask <= online", CPU_COUNT(&set) >= 1 &&
							   CPU_COUNT(&set) <= onln);
	yes("0 < _SC_AVPHYS_PAGES <= _SC_PHYS_PAGES", avph > 0 && avph <= phys);
	getrlimit(RLIMIT_NOFILE, &rl);
	yes("_SC_OPEN_MAX == RLIMIT_NOFILE", sysconf(_SC_OPEN_MAX) == (long)rl.rlim_cur);
	rl.rlim_cur = 200;
	setrlimit(RLIMIT_NOFILE, &rl);
	say("after setrlimit(NOFILE, 200): _SC_OPEN_MAX %ld", sysconf(_SC_OPEN_MAX));
	say("_SC_LINE_MAX %ld, _SC_NGROUPS_MAX > 0 %d", sysconf(_SC_LINE_MAX),
	    sysconf(_SC_NGROUPS_MAX) > 0);
	return 0;
}

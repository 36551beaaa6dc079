/*
 * sched_prio: CPU affinity and priorities through the raw system calls:
 * sched_getaffinity returns the mask size and at least one CPU; setting
 * the mask to CPU 0 reads back as exactly CPU 0 (also for a thread id);
 * an empty mask or one naming only a CPU that does not exist is EINVAL;
 * setpriority then getpriority (which returns 20 - nice) read back the
 * nice value set; scheduling policy and priority ranges; the errors.
 */
#include <sched.h>
#include <sys/resource.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

int main(void)
{
	cpu_set_t set, got;
	struct sched_param sp = { 0 };
	long r;

	/* the kernel writes only its mask's bytes: start from zeros */
	CPU_ZERO(&set);
	CPU_ZERO(&got);
	r = SYS(SYS_sched_getaffinity, 0, sizeof(set), &set);
	yes("sched_getaffinity returns a size > 0", r > 0 && r <= (long)sizeof(set));
	yes("  at least one CPU", CPU_COUNT(&set) >= 1);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	SHOW(SYS(SYS_sched_setaffinity, 0, sizeof(set), &set));
	SYS(SYS_sched_getaffinity, 0, sizeof(got), &got);
	yes("  reads back as exactly CPU 0", CPU_COUNT(&got) == 1 && CPU_ISSET(0, &got));
	SHOW(SYS(SYS_sched_setaffinity, SYS(SYS_gettid), sizeof(set), &set));
	CPU_ZERO(&set);
	SHOW(SYS(SYS_sched_setaffinity, 0, sizeof(set), &set));
	CPU_SET(1000, &set);
	SHOW(SYS(SYS_sched_setaffinity, 0, sizeof(set), &set));
	SHOW(SYS(SYS_sched_getaffinity, 0, 4, &got));
	SHOW(SYS(SYS_sched_getaffinity, 0x3ffffff0, sizeof(got), &got));
	SHOW(SYS(SYS_sched_getaffinity, 0, sizeof(got), NULL));

	SHOW(SYS(SYS_setpriority, PRIO_PROCESS, 0, 5));
	SHOW(SYS(SYS_getpriority, PRIO_PROCESS, 0));
	SHOW(getpriority(PRIO_PROCESS, 0));
	SHOW(SYS(SYS_setpriority, PRIO_PROCESS, 0, 19));
	SHOW(SYS(SYS_getpriority, PRIO_PROCESS, 0));
	SHOW(SYS(SYS_setpriority, PRIO_PROCESS, 0, 100));
	SHOW(getpriority(PRIO_PROCESS, 0));
	SHOW(SYS(SYS_setpriority, PRIO_PROCESS, 0, 0));
	SHOW(SYS(SYS_getpriority, 7, 0));
	SHOW(SYS(SYS_getpriority, PRIO_PROCESS, 0x3ffffff0));

	SHOW(sched_getscheduler(0));
	SHOW(sched_getparam(0, &sp));
	say("  priority %d", sp.sched_priority);
	SHOW(sched_get_priority_max(SCHED_FIFO));
	SHOW(sched_get_priority_min(SCHED_FIFO));
	SHOW(sched_get_priority_max(SCHED_OTHER));
	SHOW(sched_get_priority_max(99));
	SHOW(sched_yield());
	return 0;
}

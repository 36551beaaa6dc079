/*
 * affinity_getcpu: a thread pinned to each online CPU in turn runs there:
 * sched_getcpu (glibc reads rseq's cpu_id), getcpu(2) and
 * sched_getaffinity all say that CPU, in the main thread and in a thread
 * it starts, whose CPUs are its creator's. Reproducer: with several CPUs
 * Skiff ignored the mask and said CPU 0 to every call. The output holds
 * no CPU count, so 1 CPU or 2 compare alike with Linux's.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "check.h"

static int on_cpu(int c)
{
	unsigned cpu = ~0u, node = ~0u;
	cpu_set_t got;
	int ok = 1;

	/* Spin a little: a move may come at the next switch. */
	for (int i = 0; i < 1000; i++) {
		if (sched_getcpu() != c)
			ok = 0;
		if (syscall(SYS_getcpu, &cpu, &node, NULL) || (int)cpu != c)
			ok = 0;
	}
	CPU_ZERO(&got);
	if (sched_getaffinity(0, sizeof(got), &got) || CPU_COUNT(&got) != 1 ||
	    !CPU_ISSET(c, &got))
		ok = 0;
	return ok;
}

static void *child(void *arg)
{
	return (void *)(long)on_cpu((int)(long)arg);
}

int main(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	int all = 1, threads = 1;
	cpu_set_t set;

	for (int c = 0; c < n; c++) {
		CPU_ZERO(&set);
		CPU_SET(c, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			all = 0;
			continue;
		}
		all &= on_cpu(c);
		pthread_t t;
		void *r;
		if (pthread_create(&t, NULL, child, (void *)(long)c) ||
		    pthread_join(t, &r) || !r)
			threads = 0;
	}
	printf("each CPU runs the thread pinned to it: %s\n", all ? "yes" : "no");
	printf("a new thread keeps its creator's CPU: %s\n",
	       threads ? "yes" : "no");

	/* A mask of no online CPU is refused; the old one stays. */
	CPU_ZERO(&set);
	CPU_SET(100, &set);
	errno = 0;
	printf("offline-only mask: %d %s\n", sched_setaffinity(0, sizeof(set), &set),
	       strerror(errno));
	CPU_ZERO(&set);
	sched_getaffinity(0, sizeof(set), &set);
	printf("mask kept: %s\n", CPU_COUNT(&set) == 1 ? "yes" : "no");
	return 0;
}

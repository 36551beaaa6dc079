/*
 * rusage: CPU accounting: after a busy loop measured on the process CPU
 * clock, getrusage(RUSAGE_SELF) and times() show CPU time used; the
 * thread CPU clock of a thread that only sleeps stays under a tenth of
 * the busy one's; RUSAGE_CHILDREN is all zero (no children), ru_maxrss
 * is set, times() moves forward; bad "who" values are EINVAL.
 */
#include <pthread.h>
#include <sys/resource.h>
#include <sys/times.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static long long cpu_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long sleeper_cpu;

static void *sleeper(void *arg)
{
	sleep_ms(30);
	sleeper_cpu = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
	return arg;
}

int main(void)
{
	struct rusage ru, ch;
	struct tms t0, t1;
	clock_t c0, c1;
	long long start = cpu_ns(CLOCK_PROCESS_CPUTIME_ID), busy;
	volatile unsigned long x = 0;
	pthread_t t;

	c0 = times(&t0);
	pthread_create(&t, NULL, sleeper, NULL);
	while (cpu_ns(CLOCK_PROCESS_CPUTIME_ID) - start < 100 * 1000000LL)
		for (int i = 0; i < 10000; i++)
			x += i;
	busy = cpu_ns(CLOCK_THREAD_CPUTIME_ID);
	pthread_join(t, NULL);
	c1 = times(&t1);
	SHOW(getrusage(RUSAGE_SELF, &ru));
	yes("  user + system time >= 50 ms", (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L +
						     ru.ru_utime.tv_usec + ru.ru_stime.tv_usec >=
					     50000);
	yes("  ru_maxrss > 0", ru.ru_maxrss > 0);
	SHOW(getrusage(RUSAGE_THREAD, &ru));
	SHOW(getrusage(RUSAGE_CHILDREN, &ch));
	yes("  children: no time, no rss", ch.ru_utime.tv_sec == 0 && ch.ru_utime.tv_usec == 0 &&
						   ch.ru_stime.tv_sec == 0 && ch.ru_maxrss == 0);
	SHOW(SYS(SYS_getrusage, 5, &ru));
	SHOW(SYS(SYS_getrusage, RUSAGE_SELF, NULL));
	yes("times() moved forward", c1 >= c0);
	yes("  tms_utime + tms_stime grew by >= 5 ticks",
	    (t1.tms_utime + t1.tms_stime) - (t0.tms_utime + t0.tms_stime) >= 5);
	say("  children's ticks %ld %ld", (long)t1.tms_cutime, (long)t1.tms_cstime);
	/* it only made a thread and slept: microseconds against 100 ms */
	yes("the sleeping thread used under a tenth of the busy one's CPU", sleeper_cpu < busy / 10);
	yes("process CPU clock >= the busy thread's", cpu_ns(CLOCK_PROCESS_CPUTIME_ID) >= busy);
	return 0;
}

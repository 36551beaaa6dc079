/*
 * cpu_clock_ids: the CPU-time clock ids glibc and musl build for
 * pthread_getcpuclockid(3) and clock_getcpuclockid(3) (a pid or tid in
 * the high bits, CPUCLOCK_SCHED, CPUCLOCK_PERTHREAD for a thread) must
 * work with clock_gettime and clock_getres, as on Linux. Reproducer:
 * Skiff said EINVAL for them, and ESRCH to clock_getcpuclockid(0).
 * Prints return codes and whether time moved forward, never times.
 */
#include <pthread.h>
#include "check.h"

static void burn(void)
{
	volatile unsigned long x = 0;

	for (unsigned long i = 0; i < 20000000; i++)
		x += i;
}

static long long ns_of(clockid_t c, int *err)
{
	struct timespec ts;

	*err = clock_gettime(c, &ts) ? errno : 0;
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void try_clock(const char *what, clockid_t c)
{
	struct timespec res;
	int e1, e2;

	say("%s: clock_getres = %s", what,
	    clock_getres(c, &res) ? errname(errno) : "0");
	long long a = ns_of(c, &e1);
	burn();
	long long b = ns_of(c, &e2);
	say("%s: clock_gettime = %s, %s", what, e1 ? errname(e1) : "0",
	    e2 ? errname(e2) : "0");
	yes("  moved forward", !e1 && !e2 && b > a);
}

static clockid_t other_clock;
static volatile int other_ready, other_done;

static void *other(void *arg __attribute__((unused)))
{
	pthread_getcpuclockid(pthread_self(), &other_clock);
	burn();
	other_ready = 1;
	while (!other_done)
		sched_yield();
	return NULL;
}

int main(void)
{
	clockid_t c;
	pthread_t t;
	int r;

	r = clock_getcpuclockid(0, &c);
	say("clock_getcpuclockid(0) = %s", rcname(r));
	if (!r)
		try_clock("process (0)", c);
	r = clock_getcpuclockid(getpid(), &c);
	say("clock_getcpuclockid(getpid()) = %s", rcname(r));
	if (!r)
		try_clock("process (getpid)", c);
	r = pthread_getcpuclockid(pthread_self(), &c);
	say("pthread_getcpuclockid(self) = %s", rcname(r));
	if (!r)
		try_clock("this thread", c);

	pthread_create(&t, NULL, other, NULL);
	WAIT_FOR(other_ready);
	struct timespec ts;
	SHOW(clock_gettime(other_clock, &ts));
	yes("other thread used CPU", ts.tv_sec > 0 || ts.tv_nsec > 0);
	SHOW(clock_getres(other_clock, &ts));
	other_done = 1;
	pthread_join(t, NULL);
	/* Not checked: the clock of a joined thread. With musl, join returns
	 * before the kernel is done with the thread (racy natively too). */
	/* The raw encodings: CPUCLOCK_SCHED of the caller's own thread. */
	clockid_t self_thread = (clockid_t)(~0u << 3) | 4 | 2; /* pid 0, PERTHREAD|SCHED */
	SHOW(clock_gettime(self_thread, &ts));
	clockid_t self_proc = (clockid_t)(~0u << 3) | 2;       /* pid 0, SCHED */
	SHOW(clock_gettime(self_proc, &ts));
	SHOW(clock_gettime((clockid_t)(~0u << 3) | 3, &ts));  /* CPUCLOCK_MAX: bad */
	return 0;
}

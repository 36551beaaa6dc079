/*
 * time: clock_gettime, clock_getres, gettimeofday, time, nanosleep and
 * clock_nanosleep through the raw system calls (no vDSO): clocks move
 * forward, sleeps last at least as asked, the clocks agree with each other,
 * and bad clock ids, bad timespecs and bad pointers give Linux's errors.
 * Only relations between readings are printed, never the readings.
 */
#include <sys/time.h>
#include <time.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long now(clockid_t c)
{
	struct timespec t;

	SYS(SYS_clock_gettime, c, &t);
	return ns(&t);
}

static void clocks(void)
{
	static const struct { clockid_t id; const char *name; } c[] = {
		{ CLOCK_REALTIME, "REALTIME" }, { CLOCK_MONOTONIC, "MONOTONIC" },
		{ CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW" }, { CLOCK_BOOTTIME, "BOOTTIME" },
		{ CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME_ID" },
		{ CLOCK_THREAD_CPUTIME_ID, "THREAD_CPUTIME_ID" },
	};
	struct timespec t, r;
	long long a, b;
	unsigned i;
	int ok, k;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		long g = SYS(SYS_clock_gettime, c[i].id, &t);

		say("clock_gettime(%s) = %ld, tv_nsec in range: %s", c[i].name, g,
		    t.tv_nsec >= 0 && t.tv_nsec < 1000000000 ? "yes" : "no");
		g = SYS(SYS_clock_getres, c[i].id, &r);
		say("  clock_getres = %ld, res = %ld.%09ld", g, (long)r.tv_sec, r.tv_nsec);
		a = now(c[i].id);
		for (k = 0, ok = 1; k < 1000; k++) {
			b = now(c[i].id);
			ok &= b >= a;
			a = b;
		}
		yes("  never goes back in 1000 reads", ok);
	}
	say("clock_gettime(REALTIME) after 2020: %s",
	    now(CLOCK_REALTIME) > 1577836800LL * 1000000000 ? "yes" : "no");
	SHOW(SYS(SYS_clock_gettime, 12345, &t));
	SHOW(SYS(SYS_clock_gettime, -1, &t));
	SHOW(SYS(SYS_clock_gettime, CLOCK_MONOTONIC, NULL));
	SHOW(SYS(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)16));
	SHOW(SYS(SYS_clock_getres, 12345, &r));
	SHOW(SYS(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
}

static void realtime(void)
{
	struct timeval tv;
	struct timespec ts;
	long t1, t2;

	SYS(SYS_clock_gettime, CLOCK_REALTIME, &ts);
	SHOW(SYS(SYS_gettimeofday, &tv, NULL));
	yes("gettimeofday tv_usec in range", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	yes("gettimeofday within 2 s of REALTIME", tv.tv_sec - ts.tv_sec < 2 &&
	    tv.tv_sec >= ts.tv_sec);
	SHOW(SYS(SYS_gettimeofday, NULL, NULL));
	SHOW(SYS(SYS_gettimeofday, (void *)16, NULL));
	t1 = SYS(SYS_time, NULL);
	SYS(SYS_time, &t2);
	yes("time() within 2 s of REALTIME", t1 - ts.tv_sec < 2 && t1 >= ts.tv_sec);
	yes("time(&t) stores what it returns", t2 >= t1 && t2 - t1 < 2);
}

static void sleeps(void)
{
	struct timespec d = { 0, 20000000 }, rem = { 7, 7 }, abs;
	long long a, b;

	a = now(CLOCK_MONOTONIC);
	SHOW(SYS(SYS_nanosleep, &d, &rem));
	b = now(CLOCK_MONOTONIC);
	yes("nanosleep 20 ms: MONOTONIC moved >= 20 ms", b - a >= 20000000);
	say("  rem untouched on success: %s", rem.tv_sec == 7 && rem.tv_nsec == 7 ? "yes" : "no");
	d.tv_nsec = 0;
	SHOW(SYS(SYS_nanosleep, &d, NULL));
	d.tv_nsec = 1000000000;
	SHOW(SYS(SYS_nanosleep, &d, NULL));
	d.tv_nsec = -1;
	SHOW(SYS(SYS_nanosleep, &d, NULL));
	d.tv_sec = -1;
	d.tv_nsec = 0;
	SHOW(SYS(SYS_nanosleep, &d, NULL));
	SHOW(SYS(SYS_nanosleep, NULL, NULL));

	d.tv_sec = 0;
	d.tv_nsec = 15000000;
	a = now(CLOCK_MONOTONIC);
	SHOW(SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &d, NULL));
	b = now(CLOCK_MONOTONIC);
	yes("clock_nanosleep relative 15 ms: moved >= 15 ms", b - a >= 15000000);
	SYS(SYS_clock_gettime, CLOCK_MONOTONIC, &abs);
	a = ns(&abs);
	abs.tv_nsec += 25000000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	SHOW(SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL));
	b = now(CLOCK_MONOTONIC);
	yes("clock_nanosleep absolute +25 ms: reached the deadline", b >= ns(&abs));
	/* the earliest valid time: long past on any machine */
	abs.tv_sec = 0;
	abs.tv_nsec = 1;
	SHOW(SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL));
	SYS(SYS_clock_gettime, CLOCK_REALTIME, &abs);
	abs.tv_nsec = 0;
	SHOW(SYS(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &abs, NULL));
	SHOW(SYS(SYS_clock_nanosleep, 12345, 0, &d, NULL));
	SHOW(SYS(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &d, NULL));
	d.tv_nsec = 1000000000;
	SHOW(SYS(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &d, NULL));
	(void)a;
}

int main(void)
{
	clocks();
	realtime();
	sleeps();
	return 0;
}

/*
 * linux/time.c: clocks and sleeping. Layer: Linux ABI.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/process.h>
#include <skiff/sched.h>
#include <skiff/time.h>
#include "abi.h"
#include "sys.h"

/*
 * CPU-time clocks of a given process or thread (clock_getcpuclockid(3),
 * pthread_getcpuclockid(3)): a negative id holding ~pid (or ~tid) above
 * 3 bits: CPUCLOCK_PERTHREAD (4) and which clock (0 PROF, 1 VIRT,
 * 2 SCHED; 3 is not a CPU clock). pid 0 is the caller. A thread's clock
 * is readable within its own process only, as Linux.
 * DIVERGENCE: PROF, VIRT and SCHED all count all CPU time (no system
 * time is told apart, as the rest of Skiff's accounting).
 */
#define CPUCLOCK_PERTHREAD 4
#define CPUCLOCK_WHICH(clk) ((clk) & 3)
#define CPUCLOCK_SCHED 2
#define CPUCLOCK_FD 3

static s64 cpu_clock_now(int clk)
{
	int id = ~(clk >> 3);
	struct process *self = process_current();

	if (CPUCLOCK_WHICH(clk) == CPUCLOCK_FD)
		return -EINVAL;
	if (clk & CPUCLOCK_PERTHREAD) {
		struct thread *t = id ? thread_find(id) : thread_current();
		if (!t || thread_process(t) != self)
			return -EINVAL;
		return thread_cpu_ns(t);
	}
	if (id != 0 && id != self->pid)
		return -EINVAL;
	return sched_process_cpu_ns();
}

/* The clock's time in ns, or -EINVAL for an unknown clock. */
static s64 clock_now(int clk)
{
	if (clk < 0)
		return cpu_clock_now(clk);
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		return time_realtime_ns();
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		return time_monotonic_ns();
	/* CPU time: the scheduler's accounting; kernel time counts as user. */
	case CLOCK_PROCESS_CPUTIME_ID:
		return sched_process_cpu_ns();
	case CLOCK_THREAD_CPUTIME_ID:
		return sched_thread_cpu_ns();
	default:
		return -EINVAL;
	}
}

static struct linux_timespec to_ts(u64 ns)
{
	return (struct linux_timespec){ ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };
}

long sys_clock_gettime(int clk, struct linux_timespec *ts)
{
	s64 ns = clock_now(clk);

	if (ns < 0)
		return ns;
	struct linux_timespec t = to_ts(ns);
	return copy_to_user(ts, &t, sizeof(t));
}

long sys_clock_getres(int clk, struct linux_timespec *ts)
{
	if (clock_now(clk) < 0)
		return -EINVAL;
	struct linux_timespec t = { 0, 1 };
	if (clk == CLOCK_REALTIME_COARSE || clk == CLOCK_MONOTONIC_COARSE)
		t.tv_nsec = 4000000; /* as Linux with HZ=250 */
	if (clk < 0 && CPUCLOCK_WHICH(clk) != CPUCLOCK_SCHED)
		t.tv_nsec = 4000000; /* PROF, VIRT: a tick, as Linux */
	return ts ? copy_to_user(ts, &t, sizeof(t)) : 0;
}

long sys_gettimeofday(struct linux_timeval *tv, void *tz)
{
	u64 ns = time_realtime_ns();
	struct linux_timeval t = { ns / NSEC_PER_SEC, ns % NSEC_PER_SEC / 1000 };

	if (tv && copy_to_user(tv, &t, sizeof(t)))
		return -EFAULT;
	if (tz) {
		u32 zone[2] = { 0, 0 };
		if (copy_to_user(tz, zone, sizeof(zone)))
			return -EFAULT;
	}
	return 0;
}

long sys_time(s64 *t)
{
	s64 s = time_realtime_ns() / NSEC_PER_SEC;

	if (t && copy_to_user(t, &s, sizeof(s)))
		return -EFAULT;
	return s;
}

/* Validates a timespec from the program into ns. */
static int read_ts(const struct linux_timespec *uts, u64 *ns)
{
	struct linux_timespec t;

	if (copy_from_user(&t, uts, sizeof(t)))
		return -EFAULT;
	if (t.tv_sec < 0 || t.tv_nsec < 0 || t.tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	if ((u64)t.tv_sec > (~0ull >> 2) / NSEC_PER_SEC)
		*ns = ~0ull >> 2; /* far future */
	else
		*ns = t.tv_sec * NSEC_PER_SEC + t.tv_nsec;
	return 0;
}

/* Sleeps until the monotonic deadline; on a signal, stores what is left. */
static long sleep_until(u64 deadline, struct linux_timespec *rem)
{
	int r = sched_sleep_until(deadline);

	if (r == -EINTR && rem) {
		u64 now = time_monotonic_ns();
		struct linux_timespec left = to_ts(deadline > now ? deadline - now : 0);
		copy_to_user(rem, &left, sizeof(left));
	}
	return r;
}

long sys_nanosleep(const struct linux_timespec *req, struct linux_timespec *rem)
{
	u64 ns;
	int r = read_ts(req, &ns);

	if (r)
		return r;
	return sleep_until(time_monotonic_ns() + ns, rem);
}

/*
 * The monotonic deadline of an absolute sleep on clk until ns. Never
 * earlier than the clock reaching ns: monotonic clocks take ns as it is;
 * realtime is monotonic plus a base, found from realtime read BEFORE
 * monotonic, so a preemption between the reads can only make the deadline
 * later. CPU clocks advance only while running: sleep for the difference.
 */
static u64 abs_deadline(int clk, u64 ns)
{
	if (clk == CLOCK_MONOTONIC || clk == CLOCK_BOOTTIME)
		return ns;
	if (clk == CLOCK_REALTIME) {
		u64 rt = time_realtime_ns(), mono = time_monotonic_ns();
		u64 base = rt - mono;
		return ns > base ? ns - base : 0;
	}
	s64 now = clock_now(clk);
	return time_monotonic_ns() + ((s64)ns > now ? (u64)((s64)ns - now) : 0);
}

long sys_clock_nanosleep(int clk, int flags, const struct linux_timespec *req,
			 struct linux_timespec *rem)
{
	u64 ns;

	if (clk == CLOCK_THREAD_CPUTIME_ID)
		return -EOPNOTSUPP;
	if (clk < 0 && (clk & CPUCLOCK_PERTHREAD))
		return -EINVAL;
	if (clock_now(clk) < 0 || clk == CLOCK_MONOTONIC_RAW ||
	    clk == CLOCK_REALTIME_COARSE || clk == CLOCK_MONOTONIC_COARSE)
		return -EINVAL;
	if (flags & ~TIMER_ABSTIME)
		return -EINVAL;
	int r = read_ts(req, &ns);
	if (r)
		return r;
	if (flags & TIMER_ABSTIME) /* at least 1: deadline 0 is "none" */
		return sched_sleep_until(MAX(abs_deadline(clk, ns), 1));
	return sleep_until(time_monotonic_ns() + ns, rem);
}

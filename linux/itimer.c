/*
 * linux/itimer.c: timers that send signals: alarm, setitimer/getitimer
 * (ITIMER_REAL), and POSIX timers (timer_create with SIGEV_SIGNAL,
 * SIGEV_THREAD_ID and SIGEV_NONE; timer_settime, timer_gettime,
 * timer_getoverrun, timer_delete). Each is a ktimer of the scheduler whose
 * callback, in the timer interrupt, sends the signal and re-arms an interval.
 * Layer: Linux ABI.
 */
#include <skiff/errno.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include <skiff/time.h>
#include "signal.h"
#include "sys.h"

#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2
#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define SIGEV_THREAD_ID 4

/* Slot 0 of a process's timers (struct linux_process, linux/lproc.h) is
 * ITIMER_REAL (and alarm); the rest are POSIX timers 0.. */
#define MAX_TIMERS LINUX_MAX_TIMERS

static struct ptimer *timers_current(void)
{
	return lproc_current()->timers;
}

static void fire(struct ktimer *k)
{
	struct ptimer *p = container_of(k, struct ptimer, k);
	struct linux_siginfo info;

	if (p->interval)
		ktimer_set(&p->k, time_monotonic_ns() + p->interval);
	if (p->notify == SIGEV_NONE)
		return;
	memset(&info, 0, sizeof(info));
	info.signo = p->signo;
	if (p == &lproc_of(p->proc)->timers[0]) {
		info.code = SI_KERNEL;
		signal_send_process(p->proc, SIGALRM, &info);
		return;
	}
	struct thread *t = p->notify == SIGEV_THREAD_ID ? lthread_find(p->proc, p->tid) : NULL;
	/* Still pending from the last expiry: count an overrun, as Linux. */
	if (signal_is_pending(p->proc, t, p->signo))
		p->overrun++;
	else
		p->overrun = 0;
	info.code = SI_TIMER;
	info.timer.tid = p->id;
	info.timer.overrun = p->overrun;
	info.timer.value = p->value;
	if (t)
		signal_send_thread(t, p->signo, &info);
	else
		signal_send_process(p->proc, p->signo, &info);
}

static u64 remaining(const struct ptimer *p)
{
	u64 now = time_monotonic_ns(), d = ktimer_deadline(&p->k);

	return d > now ? d - now : (d ? 1 : 0);
}

static void arm(struct ptimer *p, u64 value_ns, u64 interval_ns, bool absolute)
{
	p->k.fn = fire;
	p->proc = process_current();
	p->interval = interval_ns;
	if (!value_ns) {
		ktimer_set(&p->k, 0);
		return;
	}
	u64 now = time_monotonic_ns();
	ktimer_set(&p->k, absolute ? MAX(value_ns, now + 1) : now + value_ns);
}

static int tv_to_ns(const struct linux_timeval *tv, u64 *ns)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return -EINVAL;
	*ns = tv->tv_sec * NSEC_PER_SEC + tv->tv_usec * 1000;
	return 0;
}

static struct linux_timeval ns_to_tv(u64 ns)
{
	return (struct linux_timeval){ ns / NSEC_PER_SEC,
				       ns % NSEC_PER_SEC / 1000 };
}

long sys_getitimer(int which, struct linux_timeval *cur)
{
	struct ptimer *timers = timers_current();
	struct linux_timeval v[2] = { { 0, 0 }, { 0, 0 } };

	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	if (which == ITIMER_REAL) {
		v[0] = ns_to_tv(timers[0].interval);
		/* An armed timer that is overdue (not fired yet) reads as at
		 * least 1 us, as Linux: 0 means disarmed. */
		u64 left = remaining(&timers[0]);
		v[1] = ns_to_tv(left ? MAX(left, 1000) : 0);
	}
	return copy_to_user(cur, v, sizeof(v));
}

long sys_setitimer(int which, const struct linux_timeval *nv,
		   struct linux_timeval *old)
{
	struct ptimer *timers = timers_current();
	struct linux_timeval v[2];
	u64 interval = 0, value = 0;

	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	if (nv && copy_from_user(v, nv, sizeof(v)))
		return -EFAULT;
	if (nv && (tv_to_ns(&v[0], &interval) || tv_to_ns(&v[1], &value)))
		return -EINVAL;
	if (old) {
		long r = sys_getitimer(which, old);
		if (r)
			return r;
	}
	/* DIVERGENCE: ITIMER_VIRTUAL and ITIMER_PROF are accepted, never fire. */
	if (nv && which == ITIMER_REAL) {
		timers[0].notify = SIGEV_SIGNAL;
		timers[0].signo = SIGALRM;
		arm(&timers[0], value, interval, false);
	}
	return 0;
}

long sys_alarm(unsigned secs)
{
	struct ptimer *timers = timers_current();
	u64 left = remaining(&timers[0]);

	timers[0].notify = SIGEV_SIGNAL;
	timers[0].signo = SIGALRM;
	arm(&timers[0], (u64)secs * NSEC_PER_SEC, 0, false);
	/* Linux rounds the old remainder to the nearest second, at least 1. */
	return left ? MAX((left + NSEC_PER_SEC / 2) / NSEC_PER_SEC, 1) : 0;
}

struct linux_sigevent {
	u64 value;
	s32 signo;
	s32 notify;
	s32 tid;
	u8 pad[44];
};

struct linux_itimerspec {
	struct linux_timespec interval, value;
};

static struct ptimer *timer_of(long id)
{
	struct ptimer *timers = timers_current();
	if (id < 0 || id >= MAX_TIMERS || !timers[id + 1].used)
		return NULL;
	return &timers[id + 1];
}

long sys_timer_create(int clk, const struct linux_sigevent *sev, int *id)
{
	struct linux_process *lp = lproc_current();
	struct ptimer *timers = lp->timers;
	struct spinlock *lock = &lp->timer_lock;
	struct linux_sigevent e = { .notify = SIGEV_SIGNAL, .signo = SIGALRM };

	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC &&
	    clk != CLOCK_BOOTTIME && clk != CLOCK_PROCESS_CPUTIME_ID &&
	    clk != CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	if (sev && copy_from_user(&e, sev, sizeof(e)))
		return -EFAULT;
	if (e.notify != SIGEV_SIGNAL && e.notify != SIGEV_NONE &&
	    e.notify != SIGEV_THREAD_ID)
		return -EINVAL;
	if (e.notify != SIGEV_NONE && (e.signo < 1 || e.signo > NSIG))
		return -EINVAL;
	if (e.notify == SIGEV_THREAD_ID && !lthread_find(process_current(), e.tid))
		return -EINVAL;
	if (user_check(id, sizeof(*id), true))
		return -EFAULT;
	spin_lock(lock);
	int slot = 1;
	while (slot <= MAX_TIMERS && timers[slot].used)
		slot++;
	if (slot > MAX_TIMERS) {
		spin_unlock(lock);
		return -EAGAIN;
	}
	struct ptimer *p = &timers[slot];
	*p = (struct ptimer){ .used = true, .notify = e.notify, .signo = e.signo,
			      .tid = e.tid, .id = slot - 1,
			      .proc = process_current() };
	p->value = sev ? e.value : (u64)(slot - 1);
	spin_unlock(lock);
	int created = slot - 1;
	if (copy_to_user(id, &created, sizeof(created))) {
		p->used = false; /* unmapped since: as if never made */
		return -EFAULT;
	}
	return 0;
}

static int ts_ns(const struct linux_timespec *t, u64 *ns)
{
	if (t->tv_sec < 0 || t->tv_nsec < 0 || t->tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	*ns = t->tv_sec * NSEC_PER_SEC + t->tv_nsec;
	return 0;
}

static struct linux_timespec ns_ts(u64 ns)
{
	return (struct linux_timespec){ ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };
}

long sys_timer_gettime(long id, struct linux_itimerspec *cur)
{
	struct ptimer *p = timer_of(id);

	if (!p)
		return -EINVAL;
	struct linux_itimerspec v = { ns_ts(p->interval), ns_ts(remaining(p)) };
	return copy_to_user(cur, &v, sizeof(v));
}

long sys_timer_settime(long id, int flags, const struct linux_itimerspec *nv,
		       struct linux_itimerspec *old)
{
	struct ptimer *p = timer_of(id);
	struct linux_itimerspec v;
	u64 interval = 0, value = 0;

	if (!p)
		return -EINVAL;
	if (copy_from_user(&v, nv, sizeof(v)))
		return -EFAULT;
	if (ts_ns(&v.interval, &interval) || ts_ns(&v.value, &value))
		return -EINVAL;
	if (flags & ~TIMER_ABSTIME)
		return -EINVAL;
	if (old && sys_timer_gettime(id, old))
		return -EFAULT;
	/* An absolute CLOCK_REALTIME value becomes a monotonic deadline. */
	if ((flags & TIMER_ABSTIME) && value) {
		u64 rt = time_realtime_ns(), mono = time_monotonic_ns();
		arm(p, value > rt ? mono + (value - rt) : mono + 1, interval, true);
	} else {
		arm(p, value, interval, false);
	}
	return 0;
}

long sys_timer_getoverrun(long id)
{
	struct ptimer *p = timer_of(id);

	return p ? p->overrun : -EINVAL;
}

long sys_timer_delete(long id)
{
	struct ptimer *p = timer_of(id);

	if (!p)
		return -EINVAL;
	ktimer_set(&p->k, 0);
	p->used = false;
	return 0;
}

void itimer_stop_all(struct linux_process *lp)
{
	for (int i = 0; i <= MAX_TIMERS; i++)
		ktimer_set(&lp->timers[i].k, 0);
}

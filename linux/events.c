/*
 * linux/events.c: eventfd, eventfd2, timerfd_create, timerfd_settime,
 * timerfd_gettime. Layer: Linux ABI over fs/eventfd.c and fs/timerfd.c,
 * with Linux's checks in Linux's order.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/time.h>
#include <skiff/vfs.h>
#include "fsabi.h"
#include "sys.h"

#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#define TFD_TIMER_ABSTIME 1
#define TFD_TIMER_CANCEL_ON_SET 2

struct linux_itimerspec {
	struct linux_timespec interval, value;
};

/* Installs a new file at the lowest free fd, or drops it. */
static long install(struct file *f, int flags)
{
	long fd = fd_install(f, 0, flags & O_CLOEXEC);

	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_eventfd2(unsigned initval, int flags)
{
	struct file *f;
	int r;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	r = eventfd_create(initval, flags, &f);
	return r < 0 ? r : install(f, flags);
}

long sys_eventfd(unsigned initval)
{
	return sys_eventfd2(initval, 0);
}

long sys_timerfd_create(int clk, int flags)
{
	struct file *f;
	int r;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if (clk != CLOCK_MONOTONIC && clk != CLOCK_REALTIME &&
	    clk != CLOCK_REALTIME_ALARM && clk != CLOCK_BOOTTIME &&
	    clk != CLOCK_BOOTTIME_ALARM)
		return -EINVAL;
	r = timerfd_create_file(clk == CLOCK_REALTIME ||
				clk == CLOCK_REALTIME_ALARM, flags, &f);
	return r < 0 ? r : install(f, flags);
}

static bool ts_valid(const struct linux_timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 &&
	       ts->tv_nsec < (s64)NSEC_PER_SEC;
}

static u64 ts_ns(const struct linux_timespec *ts)
{
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static struct linux_itimerspec its(u64 value, u64 interval)
{
	return (struct linux_itimerspec){
		{ interval / NSEC_PER_SEC, interval % NSEC_PER_SEC },
		{ value / NSEC_PER_SEC, value % NSEC_PER_SEC },
	};
}

long sys_timerfd_settime(int fd, int flags, const struct linux_itimerspec *unew,
			 struct linux_itimerspec *uold)
{
	struct linux_itimerspec n, o;
	u64 ov, oi;
	struct file *f;
	long r;

	if (copy_from_user(&n, unew, sizeof(n)) < 0)
		return -EFAULT;
	if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) ||
	    !ts_valid(&n.value) || !ts_valid(&n.interval))
		return -EINVAL;
	f = fd_get(fd);
	if (!f)
		return -EBADF;
	r = timerfd_set(f, flags & TFD_TIMER_ABSTIME, ts_ns(&n.value),
			ts_ns(&n.interval), &ov, &oi);
	file_put(f);
	if (r == 0 && uold) {
		o = its(ov, oi);
		r = copy_to_user(uold, &o, sizeof(o));
	}
	return r;
}

long sys_timerfd_gettime(int fd, struct linux_itimerspec *ucur)
{
	struct linux_itimerspec c;
	struct file *f = fd_get(fd);
	u64 v, i;
	long r;

	if (!f)
		return -EBADF;
	r = timerfd_get(f, &v, &i);
	file_put(f);
	if (r < 0)
		return r;
	c = its(v, i);
	return copy_to_user(ucur, &c, sizeof(c));
}

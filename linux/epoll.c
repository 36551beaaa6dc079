/*
 * linux/epoll.c: epoll_create, epoll_create1, epoll_ctl, epoll_wait,
 * epoll_pwait, epoll_pwait2. Layer: Linux ABI over fs/eventpoll.c; the
 * arguments are checked in Linux's order (do_epoll_ctl, do_epoll_wait).
 * epoll_pwait and epoll_pwait2 run with the given signal mask while they
 * wait, and keep it for the handler when interrupted (as rt_sigsuspend).
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/time.h>
#include <skiff/vfs.h>
#include "fsabi.h"
#include "sys.h"

#define EP_MAX_EVENTS (0x7fffffff / sizeof(struct linux_epoll_event))

long sys_epoll_create1(int flags)
{
	struct file *f;
	int r;

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	r = epoll_create_file(&f);
	if (r < 0)
		return r;
	r = fd_install(f, 0, flags & O_CLOEXEC);
	if (r < 0)
		file_put(f);
	return r;
}

long sys_epoll_create(int size)
{
	return size <= 0 ? -EINVAL : sys_epoll_create1(0);
}

long sys_epoll_ctl(int epfd, int op, int fd, struct linux_epoll_event *uev)
{
	struct linux_epoll_event ev;
	struct file *ep, *f;
	long r;

	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uev, sizeof(ev)) < 0)
		return -EFAULT;
	ep = fd_get(epfd);
	if (!ep)
		return -EBADF;
	f = fd_get(fd);
	if (!f) {
		file_put(ep);
		return -EBADF;
	}
	r = epoll_ctl_file(ep, op, fd, f, op != EPOLL_CTL_DEL ? &ev : NULL);
	file_put(f);
	file_put(ep);
	return r;
}

static long do_epoll_wait(int epfd, struct linux_epoll_event *uev, int max,
			  u64 deadline)
{
	struct file *ep;
	long r;

	if (max <= 0 || (u64)max > EP_MAX_EVENTS)
		return -EINVAL;
	if ((u64)uev >= USER_END || (u64)max * sizeof(*uev) > USER_END - (u64)uev)
		return -EFAULT;
	ep = fd_get(epfd);
	if (!ep)
		return -EBADF;
	r = epoll_wait_file(ep, uev, max, deadline);
	file_put(ep);
	return r;
}

/* A poll-style timeout in ms (negative: none) as a monotonic deadline. */
static u64 ms_deadline(int timeout)
{
	u64 now = time_monotonic_ns();

	if (timeout < 0)
		return 0;
	return timeout ? now + (u64)timeout * 1000000 : now | 1;
}

long sys_epoll_wait(int epfd, struct linux_epoll_event *uev, int max,
		    int timeout)
{
	return do_epoll_wait(epfd, uev, max, ms_deadline(timeout));
}

long sys_epoll_pwait(int epfd, struct linux_epoll_event *uev, int max,
		     int timeout, const u64 *sigmask, size_t sigsetsize)
{
	long r = sigmask_set_user(sigmask, sigsetsize);

	if (r < 0)
		return r;
	r = do_epoll_wait(epfd, uev, max, ms_deadline(timeout));
	sigmask_restore_unless(r == -EINTR);
	return r;
}

long sys_epoll_pwait2(int epfd, struct linux_epoll_event *uev, int max,
		      const struct linux_timespec *uts, const u64 *sigmask,
		      size_t sigsetsize)
{
	u64 deadline;
	long r = timespec_deadline(uts, &deadline);

	if (r < 0)
		return r;
	r = sigmask_set_user(sigmask, sigsetsize);
	if (r < 0)
		return r;
	r = do_epoll_wait(epfd, uev, max, deadline);
	sigmask_restore_unless(r == -EINTR);
	return r;
}

/*
 * linux/poll.c: poll, ppoll, select, pselect6, and the signal mask of the
 * p* calls (also used by epoll_pwait). Layer: Linux ABI over the readiness
 * of open files (fs/vfs/poll.c). A call checks every fd, watching each
 * file's wait queue on the first pass, then sleeps until one of those
 * files changes (and checks them all once more) or its timeout passes.
 * ppoll, pselect6 and epoll_pwait install their mask for the wait; when a
 * signal interrupts them the mask stays until its handler has run (as
 * rt_sigsuspend), otherwise it is put back at once (Linux's
 * restore_saved_sigmask_unless).
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/time.h>
#include <skiff/vfs.h>
#include "fsabi.h"
#include "signal.h"
#include "sys.h"

int sigmask_set_user(const u64 *umask, size_t size)
{
	struct lthread *t;
	u64 m;

	if (!umask)
		return 0;
	if (size != sizeof(m))
		return -EINVAL;
	if (copy_from_user(&m, umask, sizeof(m)) < 0)
		return -EFAULT;
	t = lthread_current();
	t->saved_sigmask = t->sigmask;
	t->restore_sigmask = true;
	signal_set_mask(m);
	return 0;
}

void sigmask_restore_unless(bool interrupted)
{
	struct lthread *t = lthread_current();

	if (t && t->restore_sigmask && !interrupted) {
		t->restore_sigmask = false;
		t->sigmask = t->saved_sigmask;
	}
}

struct linux_pollfd {
	s32 fd;
	s16 events;
	s16 revents;
};

/* One pass over the pollfds: how many have events. */
static int poll_scan(struct linux_pollfd *p, unsigned n, struct poll_table *pt)
{
	int ready = 0;

	for (unsigned i = 0; i < n; i++) {
		struct file *f;

		p[i].revents = 0;
		if (p[i].fd < 0)
			continue;
		f = fd_get(p[i].fd);
		if (!f) {
			p[i].revents = POLLNVAL;
		} else {
			u32 want = (u16)p[i].events | POLLERR | POLLHUP;

			p[i].revents = poll_table_file(pt, f, want) & want;
			file_put(f);
		}
		ready += p[i].revents != 0;
	}
	return ready;
}

/* deadline: monotonic ns, 0 for none; now for a timeout of zero. */
struct poll_req {
	struct linux_pollfd *p;
	unsigned n;
};

static long poll_scan_req(void *arg, struct poll_table *pt)
{
	struct poll_req *req = arg;

	return poll_scan(req->p, req->n, pt);
}

static long do_poll(struct linux_pollfd *up, unsigned n, u64 deadline)
{
	struct linux_pollfd *p;
	long r;

	if (n > fd_limit())
		return -EINVAL;
	p = kmalloc(n * sizeof(*p) + 1);
	if (!p)
		return -ENOMEM;
	r = copy_from_user(p, up, n * sizeof(*p));
	if (r == 0) {
		struct poll_req req = { p, n };
		r = vfs_poll_until(poll_scan_req, &req, deadline);
	}
	if (r >= 0) {
		for (unsigned i = 0; i < n; i++)
			if (copy_to_user(&up[i].revents, &p[i].revents, 2) < 0)
				r = -EFAULT;
	}
	kfree(p);
	return r;
}

static u64 deadline_after(u64 ns)
{
	u64 now = time_monotonic_ns();

	return ns ? now + ns : now | 1;
}

long sys_poll(struct linux_pollfd *fds, unsigned nfds, int timeout)
{
	return do_poll(fds, nfds, timeout < 0 ? 0 :
			      deadline_after((u64)timeout * 1000000));
}

int timespec_deadline(const struct linux_timespec *uts, u64 *deadline)
{
	struct linux_timespec ts;

	*deadline = 0;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	*deadline = deadline_after(ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec);
	return 0;
}

/* Writes the time left before deadline into a timespec (ppoll, pselect6). */
static void timespec_left(struct linux_timespec *uts, u64 deadline)
{
	u64 now = time_monotonic_ns(), left = deadline > now ? deadline - now : 0;
	struct linux_timespec ts = { left / NSEC_PER_SEC, left % NSEC_PER_SEC };

	copy_to_user(uts, &ts, sizeof(ts));
}

long sys_ppoll(struct linux_pollfd *fds, unsigned nfds,
	       struct linux_timespec *tsp, const u64 *sigmask,
	       size_t sigsetsize)
{
	u64 deadline;
	int r = timespec_deadline(tsp, &deadline);

	if (r < 0)
		return r;
	r = sigmask_set_user(sigmask, sigsetsize);
	if (r < 0)
		return r;
	r = do_poll(fds, nfds, deadline);
	sigmask_restore_unless(r == -EINTR);
	if (tsp && r != -EFAULT)
		timespec_left(tsp, deadline);
	return r;
}

#define SEL_IN (POLLIN | POLLRDNORM | POLLHUP | POLLERR)
#define SEL_OUT (POLLOUT | POLLWRNORM | POLLERR)
#define SEL_EX POLLPRI

struct fdsets {
	u64 *in, *out, *ex;	/* kernel copies, nwords each (NULL: none) */
	u64 *rin, *rout, *rex;	/* results */
	unsigned nwords;
	int n;			/* fds 0..n-1 are examined */
};

static bool bit(const u64 *set, int fd)
{
	return set && (set[fd / 64] >> (fd % 64)) & 1;
}

/* One pass: the results and their count, or -EBADF. */
static long select_scan(struct fdsets *s, int n, struct poll_table *pt)
{
	long ready = 0;

	for (int fd = 0; fd < n; fd++) {
		bool in = bit(s->in, fd), out = bit(s->out, fd),
		     ex = bit(s->ex, fd);
		struct file *f;
		u32 ev;

		if (!in && !out && !ex)
			continue;
		f = fd_get(fd);
		if (!f)
			return -EBADF;
		ev = poll_table_file(pt, f, (in ? SEL_IN : 0) |
				     (out ? SEL_OUT : 0) | (ex ? SEL_EX : 0));
		file_put(f);
		if (in && (ev & SEL_IN) && ++ready)
			s->rin[fd / 64] |= 1ull << (fd % 64);
		if (out && (ev & SEL_OUT) && ++ready)
			s->rout[fd / 64] |= 1ull << (fd % 64);
		if (ex && (ev & SEL_EX) && ++ready)
			s->rex[fd / 64] |= 1ull << (fd % 64);
	}
	return ready;
}

/* Copies a set in (NULL stays NULL): 0 or -EFAULT. */
static int set_in(u64 *uset, u64 *k, u64 **out, size_t bytes)
{
	*out = NULL;
	if (!uset)
		return 0;
	*out = k;
	return copy_from_user(k, uset, bytes);
}

static long select_scan_req(void *arg, struct poll_table *pt)
{
	struct fdsets *s = arg;

	return select_scan(s, s->n, pt);
}

static long do_select(int n, u64 *uin, u64 *uout, u64 *uex, u64 deadline)
{
	struct fdsets s;
	size_t bytes;
	u64 *mem;
	long r;

	if (n < 0)
		return -EINVAL;
	if ((u64)n > fd_limit())
		n = fd_limit();
	s.nwords = (n + 63) / 64;
	bytes = s.nwords * 8;
	mem = kzalloc(6 * bytes + 1);
	if (!mem)
		return -ENOMEM;
	s.rin = mem + 3 * s.nwords;
	s.rout = mem + 4 * s.nwords;
	s.rex = mem + 5 * s.nwords;
	r = set_in(uin, mem, &s.in, bytes);
	if (r == 0)
		r = set_in(uout, mem + s.nwords, &s.out, bytes);
	if (r == 0)
		r = set_in(uex, mem + 2 * s.nwords, &s.ex, bytes);
	if (r == 0) {
		s.n = n;
		r = vfs_poll_until(select_scan_req, &s, deadline);
	}
	if (r >= 0 && ((uin && copy_to_user(uin, s.rin, bytes) < 0) ||
		       (uout && copy_to_user(uout, s.rout, bytes) < 0) ||
		       (uex && copy_to_user(uex, s.rex, bytes) < 0)))
		r = -EFAULT;
	kfree(mem);
	return r;
}

long sys_select(int n, u64 *inp, u64 *outp, u64 *exp,
		struct linux_timeval *tvp)
{
	struct linux_timeval tv;
	u64 deadline = 0, now, left;
	long r;

	if (tvp) {
		if (copy_from_user(&tv, tvp, sizeof(tv)) < 0)
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		deadline = deadline_after(tv.tv_sec * NSEC_PER_SEC +
					  tv.tv_usec * 1000);
	}
	r = do_select(n, inp, outp, exp, deadline);
	if (tvp && r != -EFAULT) {
		now = time_monotonic_ns();
		left = deadline > now ? deadline - now : 0;
		tv.tv_sec = left / NSEC_PER_SEC;
		tv.tv_usec = left % NSEC_PER_SEC / 1000;
		copy_to_user(tvp, &tv, sizeof(tv));
	}
	return r;
}

long sys_pselect6(int n, u64 *inp, u64 *outp, u64 *exp,
		  struct linux_timespec *tsp, const void *sig)
{
	struct { const u64 *set; size_t size; } pack = { NULL, 0 };
	u64 deadline;
	long r = timespec_deadline(tsp, &deadline);

	if (r < 0)
		return r;
	if (sig && copy_from_user(&pack, sig, sizeof(pack)) < 0)
		return -EFAULT;
	r = sigmask_set_user(pack.set, pack.size);
	if (r < 0)
		return r;
	r = do_select(n, inp, outp, exp, deadline);
	sigmask_restore_unless(r == -EINTR);
	if (tsp && r != -EFAULT)
		timespec_left(tsp, deadline);
	return r;
}

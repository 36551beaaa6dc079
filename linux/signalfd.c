/*
 * linux/signalfd.c: signalfd and signalfd4, and the signalfd files. Layer:
 * Linux ABI (the files read the signal state of linux/signal.h).
 *
 * A signalfd has a mask; reading it takes pending signals of that mask
 * (the reading thread's own, then the process's) through signal_dequeue,
 * as struct signalfd_siginfo records, waiting while there is none; the
 * room for each record is checked before its signal is taken (DIVERGENCE:
 * Linux loses the signal when the buffer is in the program's half but not
 * writable; Skiff keeps it pending and says EFAULT). It is
 * readable for a thread that has such a signal pending. The send path
 * (linux/sigdeliver.c) calls signalfd_notify() whenever a signal becomes
 * pending, which wakes readers and pollers of every signalfd.
 *
 * Locks: sfd_lock (a spinlock; sends come from interrupts) guards the list
 * of signalfd inodes and orders a reader's check against the wake-up.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "fsabi.h"
#include "signal.h"
#include "sys.h"

struct signalfd_siginfo {
	u32 signo;
	s32 err;
	s32 code;
	u32 pid, uid;
	s32 fd;
	u32 tid, band, overrun, trapno;
	s32 status, int_value;
	u64 ptr, utime, stime, addr;
	u16 addr_lsb, pad2;
	s32 syscall;
	u64 call_addr;
	u32 arch;
	u8 pad[28];
};
_Static_assert(sizeof(struct signalfd_siginfo) == 128, "signalfd_siginfo");

struct sfd {
	u64 mask;		/* signals it reads */
	struct inode *inode;	/* its file's */
	struct list link;	/* sfds */
};

static struct spinlock sfd_lock = SPINLOCK_INIT;
static struct list sfds = { &sfds, &sfds };
static struct waitq sfd_wq = { SPINLOCK_INIT, { &sfd_wq.sleepers,
						&sfd_wq.sleepers } };
static const struct file_ops sfd_ops;

void signalfd_notify(void)
{
	spin_lock(&sfd_lock);
	waitq_wake_all(&sfd_wq);
	list_for_each(it, &sfds)
		vfs_poll_notify(list_entry(it, struct sfd, link)->inode,
				POLL_IN_BITS);
	spin_unlock(&sfd_lock);
}

#define SIGPOLL 29

/* The fields of a siginfo that Linux's signalfd_copyinfo copies. */
static void fill(struct signalfd_siginfo *s, const struct linux_siginfo *i)
{
	bool fault = i->code > 0 && (i->signo == SIGSEGV || i->signo == SIGBUS ||
				     i->signo == SIGILL || i->signo == SIGFPE ||
				     i->signo == SIGTRAP);

	memset(s, 0, sizeof(*s));
	s->signo = i->signo;
	s->err = i->err;
	s->code = i->code;
	if (fault) {
		s->addr = i->addr;
	} else if (i->code == SI_TIMER) {
		s->tid = i->timer.tid;
		s->overrun = i->timer.overrun;
		s->ptr = i->timer.value;
		s->int_value = (s32)i->timer.value;
	} else {
		s->pid = i->kill.pid;
		s->uid = i->kill.uid;
		if (i->code == SI_QUEUE) {
			u64 v;

			memcpy(&v, i->raw + 8, sizeof(v));
			s->ptr = v;
			s->int_value = (s32)v;
		}
	}
}

/* Takes one signal of the mask for the current thread: 0 if none. */
static int take(struct sfd *s, struct signalfd_siginfo *out)
{
	struct linux_siginfo info;
	int sig = signal_dequeue(thread_current(), s->mask, &info);

	if (sig)
		fill(out, &info);
	return sig;
}

static long sfd_read(struct file *f, struct iobuf *io, u64 *pos)
{
	struct sfd *s = f->priv;
	struct signalfd_siginfo si;
	size_t n = io->len / sizeof(si), done = 0;
	void *p;
	int r;

	if (!n)
		return -EINVAL;
	/* Each record's room is checked before its signal is taken. */
	r = iobuf_check(io, 0, sizeof(si), true, &p);
	if (r < 0)
		return r;
	spin_lock(&sfd_lock);
	while (!take(s, &si) && r == 0)
		r = f->flags & O_NONBLOCK ? -EAGAIN :
		    waitq_sleep(&sfd_wq, &sfd_lock, 0);
	spin_unlock(&sfd_lock);
	if (r < 0)
		return r;
	for (;;) {
		r = iobuf_copy_out(io, done * sizeof(si), &si, sizeof(si));
		if (r < 0)
			return done ? (long)(done * sizeof(si)) : r;
		if (++done == n ||
		    iobuf_check(io, done * sizeof(si), sizeof(si), true, &p) ||
		    !take(s, &si))
			break;
	}
	return done * sizeof(si);
}

static u32 sfd_poll(struct file *f)
{
	struct sfd *s = f->priv;
	u64 pending = signal_pending_set(thread_current(), s->mask);

	return pending ? POLLIN : 0; /* Linux's signalfd_poll: EPOLLIN */
}

static void sfd_release(struct file *f)
{
	struct sfd *s = f->priv;

	spin_lock(&sfd_lock);
	list_remove(&s->link);
	spin_unlock(&sfd_lock);
	kfree(s);
}

static const struct file_ops sfd_ops = {
	.llseek = noop_llseek,
	.read = sfd_read,
	.poll = sfd_poll,
	.release = sfd_release,
};

static long sfd_new(u64 mask, int flags)
{
	struct sfd *s = kzalloc(sizeof(*s));
	struct file *f;
	long r;

	if (!s)
		return -ENOMEM;
	s->mask = mask;
	r = anon_file_open("[signalfd]", &sfd_ops, s, flags & O_NONBLOCK, &f);
	if (r < 0) {
		kfree(s);
		return r;
	}
	s->inode = f->inode;
	spin_lock(&sfd_lock);
	list_push_back(&sfds, &s->link);
	spin_unlock(&sfd_lock);
	r = fd_install(f, 0, flags & O_CLOEXEC);
	if (r < 0)
		file_put(f);
	return r;
}

long sys_signalfd4(int fd, const u64 *umask, size_t sizemask, int flags)
{
	struct file *f;
	u64 mask;

	if (sizemask != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)) < 0)
		return -EFAULT;
	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	mask &= ~UNBLOCKABLE;
	if (fd == -1)
		return sfd_new(mask, flags);
	f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (f->ops != &sfd_ops) {
		file_put(f);
		return -EINVAL;
	}
	__atomic_store_n(&((struct sfd *)f->priv)->mask, mask, __ATOMIC_RELAXED);
	file_put(f);
	signalfd_notify();
	return fd;
}

long sys_signalfd(int fd, const u64 *umask, size_t sizemask)
{
	return sys_signalfd4(fd, umask, sizemask, 0);
}

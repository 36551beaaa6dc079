/*
 * fs/timerfd.c: timerfd files (timerfd_create(2)). Layer: fs, over the
 * scheduler's ktimer; linux/events.c has the syscalls.
 *
 * A timerfd counts expirations; read(8 bytes) waits until there is at
 * least one, returns the count and resets it. As on Linux, an interval
 * timer is not re-armed when it fires: it stays expired (readable) and the
 * next read or gettime moves it forward by whole intervals past now,
 * adding the intervals it missed to the count. Deadlines are monotonic ns;
 * an absolute CLOCK_REALTIME value is turned into one when set.
 * A read checks its buffer before it takes the expirations.
 * DIVERGENCE: a buffer in the program's half that is not writable gives
 * -EFAULT with the expirations kept (Linux loses them).
 * DIVERGENCE: the realtime clock is never set here, so a realtime timer
 * never moves with it and TFD_TIMER_CANCEL_ON_SET never cancels.
 *
 * Locks: t->lock (a spinlock: the ktimer callback runs in the timer
 * interrupt) guards the state; notifications go out after it is dropped.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/time.h>
#include <skiff/vfs.h>

struct timerfd {
	struct spinlock lock;
	struct ktimer k;	/* armed at deadline while not expired */
	bool realtime;		/* CLOCK_REALTIME (absolute values) */
	bool expired;		/* fired; not moved forward yet */
	u64 deadline;		/* monotonic ns of the next expiry; 0: off */
	u64 interval;		/* ns; 0: one-shot */
	u64 ticks;		/* expirations not read yet */
	struct waitq wq;	/* readers */
	struct inode *inode;	/* its file's, for notifications */
};

/* Tells readers and pollers that the timer expired; no lock held. */
static void tell(struct timerfd *t)
{
	waitq_wake_all(&t->wq);
	vfs_poll_notify(t->inode, POLL_IN_BITS);
}

static void fired(struct ktimer *k)
{
	struct timerfd *t = container_of(k, struct timerfd, k);

	spin_lock(&t->lock);
	t->expired = true;
	t->ticks++;
	spin_unlock(&t->lock);
	tell(t);
}

/*
 * An expired interval timer moves past now and is armed again; returns the
 * intervals it missed after the first expiry (Linux's forward - 1).
 * Lock held.
 */
static u64 forward(struct timerfd *t)
{
	u64 now = time_monotonic_ns(), n;

	if (!t->expired || !t->interval)
		return 0;
	n = now < t->deadline ? 1 : (now - t->deadline) / t->interval + 1;
	t->deadline += n * t->interval;
	t->expired = false;
	ktimer_set(&t->k, t->deadline);
	return n - 1;
}

static u64 remaining(struct timerfd *t)
{
	u64 now = time_monotonic_ns();

	if (t->expired || !t->deadline)
		return 0;
	if (t->deadline > now)
		return t->deadline - now;
	/* Due, its ktimer not run yet (another CPU's timer interrupt may be
	 * on its way): an interval timer's next expiry, as Linux's forward. */
	return t->interval ? t->interval - (now - t->deadline) % t->interval : 0;
}

static long timerfd_read(struct file *f, struct iobuf *io, u64 *pos)
{
	struct timerfd *t = f->priv;
	u64 ticks = 0;
	void *p;
	int r;

	if (io->len < sizeof(ticks))
		return -EINVAL;
	/* Checked before the count is taken: a bad buffer loses nothing. */
	r = iobuf_check(io, 0, sizeof(ticks), true, &p);
	if (r < 0)
		return r;
	spin_lock(&t->lock);
	while (!t->ticks && r == 0)
		r = f->flags & O_NONBLOCK ? -EAGAIN :
		    waitq_sleep(&t->wq, &t->lock, 0);
	if (r == 0) {
		ticks = t->ticks + forward(t);
		t->expired = false;
		t->ticks = 0;
	}
	spin_unlock(&t->lock);
	if (r < 0)
		return r;
	r = iobuf_copy_out(io, 0, &ticks, sizeof(ticks));
	return r < 0 ? r : (long)sizeof(ticks);
}

static u32 timerfd_poll(struct file *f)
{
	struct timerfd *t = f->priv;

	/* Linux's timerfd_poll: EPOLLIN alone. */
	return __atomic_load_n(&t->ticks, __ATOMIC_RELAXED) ? POLLIN : 0;
}

static void timerfd_release(struct file *f)
{
	struct timerfd *t = f->priv;

	ktimer_set(&t->k, 0);
	kfree(t);
}

static const struct file_ops timerfd_ops = {
	.llseek = noop_llseek,
	.read = timerfd_read,
	.poll = timerfd_poll,
	.release = timerfd_release,
};

int timerfd_create_file(bool realtime, int flags, struct file **out)
{
	struct timerfd *t = kzalloc(sizeof(*t));
	int r;

	if (!t)
		return -ENOMEM;
	t->lock = (struct spinlock)SPINLOCK_INIT;
	t->realtime = realtime;
	t->k.fn = fired;
	waitq_init(&t->wq);
	r = anon_file_open("[timerfd]", &timerfd_ops, t, flags & O_NONBLOCK,
			   out);
	if (r < 0) {
		kfree(t);
		return r;
	}
	t->inode = (*out)->inode;
	return 0;
}

/* The monotonic deadline of a new setting (value != 0). */
static u64 deadline_of(struct timerfd *t, bool abs, u64 value)
{
	u64 now = time_monotonic_ns(), rt;

	if (!abs)
		return now + value;
	if (!t->realtime)
		return value ? value : 1;
	rt = time_realtime_ns();
	if (value >= rt)
		return now + (value - rt);
	/* In the past: keep the distance, for the missed intervals. */
	return now > rt - value ? now - (rt - value) : 1;
}

int timerfd_set(struct file *f, bool abs, u64 value, u64 interval,
		u64 *old_value, u64 *old_interval)
{
	struct timerfd *t = f->priv;
	bool past;

	if (f->ops != &timerfd_ops)
		return -EINVAL;
	spin_lock(&t->lock);
	if (t->expired && t->interval) {
		forward(t);
		t->ticks = 0;
	}
	*old_value = remaining(t);
	*old_interval = t->interval;
	t->expired = false;
	t->ticks = 0;
	t->interval = interval;
	t->deadline = value ? deadline_of(t, abs, value) : 0;
	/* Already past: expired now, as Linux's hrtimer (a read sees it). */
	past = t->deadline && t->deadline <= time_monotonic_ns();
	if (past) {
		t->expired = true;
		t->ticks = 1;
	}
	ktimer_set(&t->k, past ? 0 : t->deadline);
	spin_unlock(&t->lock);
	if (past)
		tell(t);
	return 0;
}

int timerfd_get(struct file *f, u64 *value, u64 *interval)
{
	struct timerfd *t = f->priv;

	if (f->ops != &timerfd_ops)
		return -EINVAL;
	spin_lock(&t->lock);
	t->ticks += forward(t);
	*value = remaining(t);
	*interval = t->interval;
	spin_unlock(&t->lock);
	return 0;
}

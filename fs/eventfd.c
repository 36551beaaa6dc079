/*
 * fs/eventfd.c: eventfd files, a 64-bit counter as a file (eventfd(2)).
 * Layer: fs; linux/events.c has the syscalls.
 *
 * write(8 bytes) adds to the counter, waiting while the sum would pass
 * 0xfffffffffffffffe; read(8 bytes) waits while it is zero, then returns
 * it and resets it to zero, or with EFD_SEMAPHORE returns 1 and subtracts
 * 1. O_NONBLOCK gives -EAGAIN instead of waiting. Readable while the
 * counter is nonzero, writable while at least 1 can be added. As on
 * Linux, a write notifies readers (POLLIN) and a read notifies writers
 * (POLLOUT), whether or not the readiness changed. A read checks its
 * buffer before it takes the counter.
 * DIVERGENCE: a buffer that is in the program's half but not writable
 * gives -EFAULT with the counter kept; Linux takes the counter first and
 * loses it.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>

#define EVENTFD_MAX 0xfffffffffffffffeull

struct eventfd {
	struct spinlock lock;
	u64 count;
	bool semaphore;
	struct waitq wq;	/* readers and writers waiting */
};

static long eventfd_read(struct file *f, struct iobuf *io, u64 *pos)
{
	struct eventfd *e = f->priv;
	u64 v;
	void *p;
	int r;

	if (io->len < sizeof(v))
		return -EINVAL;
	/* Checked before the counter is touched: a bad buffer loses nothing. */
	r = iobuf_check(io, 0, sizeof(v), true, &p);
	if (r < 0)
		return r;
	spin_lock(&e->lock);
	while (!e->count && r == 0)
		r = f->flags & O_NONBLOCK ? -EAGAIN :
		    waitq_sleep(&e->wq, &e->lock, 0);
	if (r == 0) {
		v = e->semaphore ? 1 : e->count;
		e->count -= v;
	}
	spin_unlock(&e->lock);
	if (r < 0)
		return r;
	waitq_wake_all(&e->wq);
	vfs_poll_notify(f->inode, POLL_OUT_BITS);
	r = iobuf_copy_out(io, 0, &v, sizeof(v));
	return r < 0 ? r : (long)sizeof(v);
}

static long eventfd_write(struct file *f, struct iobuf *io, u64 *pos)
{
	struct eventfd *e = f->priv;
	u64 v;
	int r;

	if (io->len < sizeof(v))
		return -EINVAL;
	r = iobuf_copy_in(io, 0, &v, sizeof(v));
	if (r < 0)
		return r;
	if (v == ~0ull)
		return -EINVAL;
	spin_lock(&e->lock);
	while (EVENTFD_MAX - e->count < v && r == 0)
		r = f->flags & O_NONBLOCK ? -EAGAIN :
		    waitq_sleep(&e->wq, &e->lock, 0);
	if (r == 0)
		e->count += v;
	spin_unlock(&e->lock);
	if (r < 0)
		return r;
	waitq_wake_all(&e->wq);
	vfs_poll_notify(f->inode, POLL_IN_BITS);
	return sizeof(v);
}

static u32 eventfd_poll(struct file *f)
{
	struct eventfd *e = f->priv;
	u64 c = __atomic_load_n(&e->count, __ATOMIC_RELAXED);
	u32 ev = 0;

	/* Linux's eventfd_poll sets no RDNORM/WRNORM bits. */
	if (c)
		ev |= POLLIN;
	if (c < EVENTFD_MAX)
		ev |= POLLOUT;
	return ev;
}

static void eventfd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops eventfd_ops = {
	.llseek = noop_llseek,
	.read = eventfd_read,
	.write = eventfd_write,
	.poll = eventfd_poll,
	.release = eventfd_release,
};

int eventfd_create(u64 initval, int flags, struct file **out)
{
	struct eventfd *e = kzalloc(sizeof(*e));
	int r;

	if (!e)
		return -ENOMEM;
	e->lock = (struct spinlock)SPINLOCK_INIT;
	e->count = initval;
	e->semaphore = flags & EFD_SEMAPHORE;
	waitq_init(&e->wq);
	r = anon_file_open("[eventfd]", &eventfd_ops, e, flags & O_NONBLOCK,
			   out);
	if (r < 0)
		kfree(e);
	return r;
}

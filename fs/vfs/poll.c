/*
 * fs/vfs/poll.c: readiness notifications and waiting for them. Layer: VFS.
 *
 * Each file reports its readiness through file_ops.poll. Whatever changes
 * that readiness (a pipe read or write, an eventfd write, a timer expiry,
 * console input, a signal for a signalfd) calls vfs_poll_notify() on the
 * file's inode, saying which kind of event may now be there. That does two
 * things, under vfs_poll_lock:
 *  - poll and select: there is one wait queue and a change counter; a
 *    waiter reads the counter, checks its files, and sleeps only if the
 *    counter has not moved since. Every notification moves it.
 *  - epoll: each epoll item is a struct poll_watch on its file's inode; the
 *    notification runs the watches whose events it meets, which put their
 *    items on their instance's ready list (fs/eventpoll.c), as Linux's wait
 *    queue callbacks do.
 */
#include <skiff/errno.h>
#include <skiff/time.h>
#include <skiff/vfs.h>

struct spinlock vfs_poll_lock = SPINLOCK_INIT;
static struct waitq poll_wq = { SPINLOCK_INIT, { &poll_wq.sleepers,
						 &poll_wq.sleepers } };
static struct list all_watches = { &all_watches, &all_watches };
static u64 poll_seq;

u64 vfs_poll_seq(void)
{
	return __atomic_load_n(&poll_seq, __ATOMIC_ACQUIRE);
}

void poll_watch_add(struct inode *ino, struct poll_watch *w)
{
	list_push_back(&ino->watchers, &w->link);
	list_push_back(&all_watches, &w->all);
}

void poll_watch_del(struct poll_watch *w)
{
	list_remove(&w->link);
	list_remove(&w->all);
}

void vfs_poll_notify_locked(struct inode *ino, u32 events)
{
	__atomic_add_fetch(&poll_seq, 1, __ATOMIC_RELEASE);
	waitq_wake_all(&poll_wq);
	if (!ino)
		return;
	list_for_each_safe(it, tmp, &ino->watchers) {
		struct poll_watch *w = list_entry(it, struct poll_watch, link);

		if (w->events && (!events || (w->events & events)))
			w->fn(w, events);
	}
}

void vfs_poll_notify(struct inode *ino, u32 events)
{
	spin_lock(&vfs_poll_lock);
	vfs_poll_notify_locked(ino, events);
	spin_unlock(&vfs_poll_lock);
}

void vfs_poll_wake(void)
{
	spin_lock(&vfs_poll_lock);
	vfs_poll_notify_locked(NULL, 0);
	list_for_each_safe(it, tmp, &all_watches) {
		struct poll_watch *w = list_entry(it, struct poll_watch, all);

		if (w->events)
			w->fn(w, 0);
	}
	spin_unlock(&vfs_poll_lock);
}

int vfs_poll_wait(u64 seq, u64 deadline)
{
	int r = 0;

	if (deadline && deadline <= time_monotonic_ns())
		return -ETIMEDOUT;
	spin_lock(&vfs_poll_lock);
	if (vfs_poll_seq() == seq)
		r = waitq_sleep(&poll_wq, &vfs_poll_lock, deadline);
	spin_unlock(&vfs_poll_lock);
	return r == -EINTR || r == -ETIMEDOUT ? r : 0;
}

long vfs_poll_until(long (*scan)(void *), void *arg, u64 deadline)
{
	for (;;) {
		u64 seq = vfs_poll_seq(); /* before the scan: no notice is lost */
		long r = scan(arg);

		if (r)
			return r;
		r = vfs_poll_wait(seq, deadline);
		if (r == -ETIMEDOUT)
			return 0;
		if (r)
			return r;
	}
}

u32 file_poll(struct file *f)
{
	if (f->fmode & FMODE_PATH)
		return POLLNVAL;
	if (!f->ops || !f->ops->poll)
		return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	return f->ops->poll(f);
}

bool file_can_poll(struct file *f)
{
	return !(f->fmode & FMODE_PATH) && f->ops && f->ops->poll;
}

/*
 * fs/eventpoll.c: epoll instances. Layer: fs, over the readiness
 * notifications of fs/vfs/poll.c; linux/epoll.c is the syscall layer.
 *
 * An instance holds items, one per (fd, file) added. Each item is a
 * struct poll_watch on its file's inode: a notification that meets the
 * item's events puts the item on the instance's ready list (once; it keeps
 * its place) and wakes the instance's waiters, as Linux's ep_poll_callback.
 * epoll_wait takes the ready list, asks each item's file for its readiness
 * now, reports the items that have events, and puts level-triggered ones
 * back at the tail; edge-triggered ones come back only with the next
 * notification; EPOLLONESHOT items are disabled until EPOLL_CTL_MOD. An
 * item added (or modified) while its file is ready goes on the list at
 * once. So the order of reported events and the edges are Linux's.
 *
 * An item holds no reference on its file (closing an fd must be able to
 * end a pipe); the file's last file_put calls eventpoll_release, which
 * drops its items. EPOLLEXCLUSIVE is accepted and wakes every waiter.
 * DIVERGENCE: the loop check of nested instances only looks downwards
 * (at most 5 levels), as Linux did before 5.x; no EPOLLWAKEUP effect.
 *
 * Locks: ep_mutex (one for all instances) guards the item sets and keeps
 * the items' files alive while held; vfs_poll_lock guards the ready lists
 * and the watches. Order: ep_mutex, vfs_poll_lock, the scheduler's.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/time.h>
#include <skiff/vfs.h>
#include "../sched/thread.h"

#define EP_MAX_NESTS 4
#define EP_PRIVATE (EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | EPOLLWAKEUP)
#define EP_EXCLUSIVE_OK (POLLIN | POLLOUT | POLLERR | POLLHUP | EPOLLWAKEUP | \
			 EPOLLET | EPOLLEXCLUSIVE)

struct eventpoll {
	struct list items;	/* struct epitem.ep_link (ep_mutex) */
	struct list ready;	/* struct epitem.rdy_link (vfs_poll_lock) */
	struct waitq wq;	/* epoll_wait sleepers */
	struct inode *inode;	/* its file's: nested instances watch it */
	int gen;		/* loop check visits (ep_mutex) */
};

struct epitem {
	struct poll_watch watch; /* on file->inode; events 0 when disabled */
	struct eventpoll *ep;
	struct file *file;	/* no reference, see above */
	int fd;
	u32 events;		/* as given, EPOLLET & co. included */
	u64 data;
	struct list ep_link;	/* ep->items */
	struct list file_link;	/* file->epitems */
	struct list rdy_link;	/* ep->ready, or itself when not there */
};

static struct mutex ep_mutex = {
	SPINLOCK_INIT, NULL,
	{ SPINLOCK_INIT, { &ep_mutex.waiters.sleepers,
			   &ep_mutex.waiters.sleepers } }
};
static const struct file_ops ep_ops;
static int loop_gen;

bool file_is_epoll(struct file *f)
{
	return f->ops == &ep_ops;
}

static bool linked(struct list *l)
{
	return l->next != l;
}

/* Queues an item as ready and wakes the instance; vfs_poll_lock held. */
static void make_ready(struct epitem *it)
{
	struct eventpoll *ep = it->ep;

	if (!linked(&it->rdy_link))
		list_push_back(&ep->ready, &it->rdy_link);
	waitq_wake_all(&ep->wq);
	vfs_poll_notify_locked(ep->inode, POLL_IN_BITS);
}

/* The watch callback: any context, vfs_poll_lock held. */
static void item_notified(struct poll_watch *w, u32 events)
{
	make_ready(container_of(w, struct epitem, watch));
}

/* The events the watch waits for; none after a fired EPOLLONESHOT. */
static void set_events(struct epitem *it, u32 events)
{
	it->events = events;
	it->watch.events = events & ~EP_PRIVATE;
}

/* The item's events now (0: none), asking its file; ep_mutex held. */
static u32 item_poll(struct epitem *it)
{
	return file_poll(it->file) & it->watch.events;
}

static struct epitem *find(struct eventpoll *ep, struct file *f, int fd)
{
	list_for_each(i, &ep->items) {
		struct epitem *it = list_entry(i, struct epitem, ep_link);

		if (it->file == f && it->fd == fd)
			return it;
	}
	return NULL;
}

/* Whether adding an instance to ep would close a loop or nest too deep. */
static bool loops(struct eventpoll *ep, struct eventpoll *to, int depth)
{
	to->gen = loop_gen;
	list_for_each(i, &to->items) {
		struct epitem *it = list_entry(i, struct epitem, ep_link);
		struct eventpoll *sub;

		if (!file_is_epoll(it->file))
			continue;
		sub = it->file->priv;
		if (sub->gen == loop_gen)
			continue;
		if (sub == ep || depth > EP_MAX_NESTS || loops(ep, sub, depth + 1))
			return true;
	}
	return false;
}

static int insert(struct eventpoll *ep, int fd, struct file *f, u32 events,
		  u64 data)
{
	struct epitem *it = kzalloc(sizeof(*it));

	if (!it)
		return -ENOMEM;
	if (file_is_epoll(f)) {
		loop_gen++;
		if (loops(ep, f->priv, 0)) {
			kfree(it);
			return -ELOOP;
		}
	}
	it->ep = ep;
	it->file = f;
	it->fd = fd;
	it->data = data;
	it->watch.fn = item_notified;
	list_init(&it->rdy_link);
	list_push_back(&ep->items, &it->ep_link);
	list_push_back(&f->epitems, &it->file_link);
	spin_lock(&vfs_poll_lock);
	set_events(it, events);
	poll_watch_add(f->inode, &it->watch);
	spin_unlock(&vfs_poll_lock);
	/* Watching first, then asking: no event falls in between. */
	if (item_poll(it)) {
		spin_lock(&vfs_poll_lock);
		make_ready(it);
		spin_unlock(&vfs_poll_lock);
	}
	return 0;
}

static void modify(struct epitem *it, u32 events, u64 data)
{
	spin_lock(&vfs_poll_lock);
	set_events(it, events);
	it->data = data;
	spin_unlock(&vfs_poll_lock);
	if (item_poll(it)) {
		spin_lock(&vfs_poll_lock);
		make_ready(it);
		spin_unlock(&vfs_poll_lock);
	}
}

/* ep_mutex held. */
static void remove(struct epitem *it)
{
	spin_lock(&vfs_poll_lock);
	poll_watch_del(&it->watch);
	list_remove(&it->rdy_link);
	spin_unlock(&vfs_poll_lock);
	list_remove(&it->ep_link);
	list_remove(&it->file_link);
	kfree(it);
}

/* The checks of Linux's do_epoll_ctl before it looks for the item. */
static int ctl_check(struct file *epf, int op, struct file *f, u32 events)
{
	if (!file_can_poll(f))
		return -EPERM;
	if (epf == f || !file_is_epoll(epf))
		return -EINVAL;
	if (op != EPOLL_CTL_DEL && (events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == EPOLL_CTL_ADD &&
		    (file_is_epoll(f) || (events & ~EP_EXCLUSIVE_OK)))
			return -EINVAL;
	}
	return 0;
}

int epoll_ctl_file(struct file *epf, int op, int fd, struct file *f,
		   const struct linux_epoll_event *ev)
{
	u32 events = ev ? ev->events | POLLERR | POLLHUP : 0;
	struct eventpoll *ep = epf->priv;
	struct epitem *it;
	int r = ctl_check(epf, op, f, events);

	if (r < 0)
		return r;
	mutex_lock(&ep_mutex);
	it = find(ep, f, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		r = it ? -EEXIST : insert(ep, fd, f, events, ev->data);
		break;
	case EPOLL_CTL_DEL:
		if (it)
			remove(it);
		r = it ? 0 : -ENOENT;
		break;
	case EPOLL_CTL_MOD:
		r = !it ? -ENOENT : (it->events & EPOLLEXCLUSIVE) ? -EINVAL : 0;
		if (r == 0)
			modify(it, events, ev->data);
		break;
	default:
		r = -EINVAL;
	}
	mutex_unlock(&ep_mutex);
	return r;
}

/* Moves ready items to *tx (emptying the ready list). */
static void take_ready(struct eventpoll *ep, struct list *tx)
{
	spin_lock(&vfs_poll_lock);
	list_init(tx);
	if (linked(&ep->ready)) {
		tx->next = ep->ready.next;
		tx->prev = ep->ready.prev;
		tx->next->prev = tx;
		tx->prev->next = tx;
		list_init(&ep->ready);
	}
	spin_unlock(&vfs_poll_lock);
}

/* Puts back what was not looked at, ahead of the rest (Linux's order). */
static void give_back(struct eventpoll *ep, struct list *tx)
{
	spin_lock(&vfs_poll_lock);
	while (linked(tx)) {
		struct list *l = tx->prev;

		list_remove(l);
		list_push_front(&ep->ready, l);
	}
	spin_unlock(&vfs_poll_lock);
}

/* Reports one ready item to uev; 1 if reported, 0 if not, -EFAULT. */
static int report(struct epitem *it, struct linux_epoll_event *uev)
{
	struct linux_epoll_event e;
	u32 revents = item_poll(it);

	if (!revents)
		return 0;
	e.events = revents;
	e.data = it->data;
	if (copy_to_user(uev, &e, sizeof(e)) < 0)
		return -EFAULT;
	spin_lock(&vfs_poll_lock);
	if (it->events & EPOLLONESHOT)
		set_events(it, it->events & EP_PRIVATE);
	else if (!(it->events & EPOLLET) && !linked(&it->rdy_link))
		list_push_back(&it->ep->ready, &it->rdy_link);
	spin_unlock(&vfs_poll_lock);
	return 1;
}

/* Linux's ep_send_events: the count reported, or -EFAULT if none was. */
static int send_events(struct eventpoll *ep, struct linux_epoll_event *uev,
		       int max)
{
	struct list tx;
	int n = 0, r = 0;

	mutex_lock(&ep_mutex);
	take_ready(ep, &tx);
	while (n < max && linked(&tx)) {
		struct epitem *it = list_entry(tx.next, struct epitem, rdy_link);

		/* Off the list before asking: a notification re-queues it. */
		spin_lock(&vfs_poll_lock);
		list_remove(&it->rdy_link);
		spin_unlock(&vfs_poll_lock);
		r = report(it, uev + n);
		if (r < 0) {
			spin_lock(&vfs_poll_lock);
			if (!linked(&it->rdy_link))
				list_push_front(&tx, &it->rdy_link);
			spin_unlock(&vfs_poll_lock);
			break;
		}
		n += r;
	}
	give_back(ep, &tx);
	mutex_unlock(&ep_mutex);
	return n ? n : r;
}

static bool has_ready(struct eventpoll *ep)
{
	bool r;

	spin_lock(&vfs_poll_lock);
	r = linked(&ep->ready);
	spin_unlock(&vfs_poll_lock);
	return r;
}

int epoll_wait_file(struct file *epf, struct linux_epoll_event *uev, int max,
		    u64 deadline)
{
	struct eventpoll *ep;
	int r;

	if (!file_is_epoll(epf))
		return -EINVAL;
	ep = epf->priv;
	for (;;) {
		if (has_ready(ep)) {
			r = send_events(ep, uev, max);
			if (r)
				return r;
		}
		spin_lock(&vfs_poll_lock);
		r = linked(&ep->ready) ? 0 :
		    deadline && deadline <= time_monotonic_ns() ? -ETIMEDOUT :
		    waitq_sleep(&ep->wq, &vfs_poll_lock, deadline);
		spin_unlock(&vfs_poll_lock);
		if (r == -ETIMEDOUT)
			return has_ready(ep) ? send_events(ep, uev, max) : 0;
		if (r == -EINTR) {
			r = has_ready(ep) ? send_events(ep, uev, max) : 0;
			return r ? r : -EINTR;
		}
	}
}

void eventpoll_release(struct file *f)
{
	mutex_lock(&ep_mutex);
	while (linked(&f->epitems))
		remove(list_entry(f->epitems.next, struct epitem, file_link));
	mutex_unlock(&ep_mutex);
}

/*
 * An instance is readable when one of its ready items is (Linux's
 * ep_eventpoll_poll; items found not ready leave the list). It may be
 * asked from inside send_events of an outer instance, with ep_mutex held.
 */
static u32 ep_poll(struct file *f)
{
	struct eventpoll *ep = f->priv;
	bool mine = ep_mutex.owner == thread_current();
	struct list tx;
	u32 r = 0;

	if (!mine)
		mutex_lock(&ep_mutex);
	take_ready(ep, &tx);
	while (!r && linked(&tx)) {
		struct epitem *it = list_entry(tx.next, struct epitem, rdy_link);

		spin_lock(&vfs_poll_lock);
		list_remove(&it->rdy_link);
		spin_unlock(&vfs_poll_lock);
		if (!item_poll(it))
			continue;
		r = POLLIN | POLLRDNORM;
		spin_lock(&vfs_poll_lock);
		if (!linked(&it->rdy_link))
			list_push_front(&tx, &it->rdy_link);
		spin_unlock(&vfs_poll_lock);
	}
	give_back(ep, &tx);
	if (!mine)
		mutex_unlock(&ep_mutex);
	return r;
}

static void ep_release(struct file *f)
{
	struct eventpoll *ep = f->priv;

	mutex_lock(&ep_mutex);
	while (linked(&ep->items))
		remove(list_entry(ep->items.next, struct epitem, ep_link));
	mutex_unlock(&ep_mutex);
	kfree(ep);
}

static const struct file_ops ep_ops = {
	.llseek = noop_llseek,
	.release = ep_release,
	.poll = ep_poll,
};

int epoll_create_file(struct file **out)
{
	struct eventpoll *ep = kzalloc(sizeof(*ep));
	int r;

	if (!ep)
		return -ENOMEM;
	list_init(&ep->items);
	list_init(&ep->ready);
	waitq_init(&ep->wq);
	r = anon_file_open("[eventpoll]", &ep_ops, ep, 0, out);
	if (r < 0) {
		kfree(ep);
		return r;
	}
	ep->inode = (*out)->inode;
	return 0;
}

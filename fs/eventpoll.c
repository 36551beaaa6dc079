/*
 * fs/eventpoll.c: epoll instances. Layer: fs, over the per-file wait
 * queues of fs/vfs/poll.c; linux/epoll.c is the syscall layer.
 *
 * An instance holds items, one per (file, fd) added, in a red-black tree
 * keyed by (file, fd): epoll_ctl finds an item in O(log n). Each item is a
 * struct poll_watch on its file's inode: a notification that meets the
 * item's events puts the item on the instance's ready list (once; it
 * keeps its place) and wakes the instance's waiters, as Linux's
 * ep_poll_callback. epoll_wait takes the ready list, asks each item's
 * file for its readiness now, reports the items that have events, and
 * puts level-triggered ones back at the tail; edge-triggered ones come
 * back only with the next notification; EPOLLONESHOT items are disabled
 * until EPOLL_CTL_MOD. An item added (or modified) while its file is
 * ready goes on the list at once. So epoll_wait costs what is ready, not
 * what is registered, and the order of reported events and the edges are
 * Linux's.
 *
 * An item holds no reference on its file (closing an fd must be able to
 * end a pipe); the file's last file_put calls eventpoll_release, which
 * drops its items before the file's own release runs. EPOLLEXCLUSIVE is
 * accepted and wakes every waiter.
 * DIVERGENCE: the loop check of nested instances only looks downwards
 * (at most 5 levels), as Linux did before 5.x; no EPOLLWAKEUP effect.
 *
 * Locks, per instance: ep->mtx (a mutex) guards the item tree and the
 * items' fields, and keeps the items' files alive while held (their
 * eventpoll_release waits for it); ep->lock (a spinlock) guards the ready
 * list, every item's rdy_link and the waiters. A file's epitems list is
 * guarded by its inode's poll_lock. ep_loop_mutex serializes only the
 * adding of an epoll file to an instance (the loop check). Order:
 * ep_loop_mutex, an outer instance's mtx, an inner one's (nesting has no
 * cycles), then inode->poll_lock, ep->lock, the scheduler's.
 * Lifetime: ep->refs counts the epoll file and each eventpoll_release at
 * work on the instance; the last ep_put frees it.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/rbtree.h>
#include <skiff/time.h>
#include <skiff/vfs.h>

#define EP_MAX_NESTS 4
#define EP_PRIVATE (EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE | EPOLLWAKEUP)
#define EP_EXCLUSIVE_OK (POLLIN | POLLOUT | POLLERR | POLLHUP | EPOLLWAKEUP | \
			 EPOLLET | EPOLLEXCLUSIVE)

struct eventpoll {
	struct mutex mtx;	/* the items; held while reporting */
	struct spinlock lock;	/* ready, every item's rdy_link, wq */
	struct rb_tree items;	/* struct epitem.node by (file, fd) (mtx) */
	struct list ready;	/* struct epitem.rdy_link (lock) */
	struct waitq wq;	/* epoll_wait sleepers (lock) */
	struct inode *inode;	/* its file's: nested instances watch it */
	u32 refs;		/* see "Lifetime" above */
	int gen;		/* loop check visits (ep_loop_mutex) */
};

struct epitem {
	struct poll_watch watch; /* on file->inode; events 0 when disabled */
	struct eventpoll *ep;
	struct file *file;	/* no reference, see above */
	int fd;
	u32 events;		/* as given, EPOLLET & co. included (mtx) */
	u64 data;		/* (mtx) */
	struct rb_node node;	/* ep->items */
	struct list file_link;	/* file->epitems (file inode's poll_lock) */
	struct list rdy_link;	/* ep->ready, or itself when not there */
};

static struct mutex ep_loop_mutex = {
	SPINLOCK_INIT, NULL,
	{ SPINLOCK_INIT, { &ep_loop_mutex.waiters.sleepers,
			   &ep_loop_mutex.waiters.sleepers } }
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

static void ep_put(struct eventpoll *ep)
{
	if (__atomic_sub_fetch(&ep->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(ep);
}

/* Queues an item as ready and wakes the instance and its watchers. */
static void make_ready(struct epitem *it)
{
	struct eventpoll *ep = it->ep;

	spin_lock(&ep->lock);
	if (!linked(&it->rdy_link))
		list_push_back(&ep->ready, &it->rdy_link);
	waitq_wake_all(&ep->wq);
	spin_unlock(&ep->lock);
	vfs_poll_notify(ep->inode, POLL_IN_BITS);
}

/* The watch callback: any context, the file inode's poll_lock held. */
static void item_notified(struct poll_watch *w, u32 events)
{
	make_ready(container_of(w, struct epitem, watch));
}

/* The events the watch waits for; none after a fired EPOLLONESHOT. */
static void set_events(struct epitem *it, u32 events)
{
	it->events = events;
	__atomic_store_n(&it->watch.events, events & ~EP_PRIVATE,
			 __ATOMIC_RELAXED);
}

/* The item's events now (0: none), asking its file; ep->mtx held. */
static u32 item_poll(struct epitem *it)
{
	return file_poll(it->file) &
	       __atomic_load_n(&it->watch.events, __ATOMIC_RELAXED);
}

struct ep_key {
	struct file *file;
	int fd;
};

static int key_cmp(const void *key, const struct rb_node *n)
{
	const struct ep_key *k = key;
	const struct epitem *it = rb_entry(n, struct epitem, node);

	if (k->file != it->file)
		return (uintptr_t)k->file < (uintptr_t)it->file ? -1 : 1;
	return k->fd < it->fd ? -1 : k->fd > it->fd;
}

/* The item for (f, fd), or NULL; ep->mtx held. O(log n). */
static struct epitem *find(struct eventpoll *ep, struct file *f, int fd)
{
	struct ep_key k = { f, fd };
	struct rb_node *n = rb_find_le(&ep->items, &k, key_cmp);

	return n && key_cmp(&k, n) == 0 ? rb_entry(n, struct epitem, node) :
					  NULL;
}

static bool item_less(const struct rb_node *a, const struct rb_node *b)
{
	const struct epitem *x = rb_entry(a, struct epitem, node);
	struct ep_key k = { x->file, x->fd };

	return key_cmp(&k, b) < 0;
}

/*
 * Whether adding an instance to ep would close a loop or nest too deep;
 * ep_loop_mutex held. Locks each instance it visits while walking it.
 */
static bool loops(struct eventpoll *ep, struct eventpoll *to, int depth)
{
	bool r = false;

	to->gen = loop_gen;
	mutex_lock(&to->mtx);
	for (struct rb_node *n = rb_first(&to->items); n && !r; n = rb_next(n)) {
		struct epitem *it = rb_entry(n, struct epitem, node);
		struct eventpoll *sub;

		if (!file_is_epoll(it->file))
			continue;
		sub = it->file->priv;
		if (sub->gen == loop_gen)
			continue;
		r = sub == ep || depth > EP_MAX_NESTS ||
		    loops(ep, sub, depth + 1);
	}
	mutex_unlock(&to->mtx);
	return r;
}

/* ep->mtx held. */
static int insert(struct eventpoll *ep, int fd, struct file *f, u32 events,
		  u64 data)
{
	struct epitem *it = kzalloc(sizeof(*it));
	struct inode *ino = f->inode;

	if (!it)
		return -ENOMEM;
	it->ep = ep;
	it->file = f;
	it->fd = fd;
	it->data = data;
	it->watch.fn = item_notified;
	list_init(&it->rdy_link);
	rb_insert(&ep->items, &it->node, item_less);
	spin_lock(&ino->poll_lock);
	list_push_back(&f->epitems, &it->file_link);
	spin_unlock(&ino->poll_lock);
	set_events(it, events);
	poll_watch_add(ino, &it->watch);
	/* Watching first, then asking: no event falls in between. */
	if (item_poll(it))
		make_ready(it);
	return 0;
}

/* ep->mtx held. */
static void modify(struct epitem *it, u32 events, u64 data)
{
	set_events(it, events);
	it->data = data;
	if (item_poll(it))
		make_ready(it);
}

/* ep->mtx held: after this no callback of the item runs. */
static void remove(struct eventpoll *ep, struct epitem *it)
{
	struct inode *ino = it->file->inode;

	poll_watch_del(&it->watch);
	spin_lock(&ino->poll_lock);
	list_remove(&it->file_link);
	spin_unlock(&ino->poll_lock);
	spin_lock(&ep->lock);
	list_remove(&it->rdy_link);
	spin_unlock(&ep->lock);
	rb_remove(&ep->items, &it->node);
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

/* ep->mtx held. */
static int ctl_locked(struct eventpoll *ep, int op, int fd, struct file *f,
		      u32 events, u64 data)
{
	struct epitem *it = find(ep, f, fd);

	switch (op) {
	case EPOLL_CTL_ADD:
		return it ? -EEXIST : insert(ep, fd, f, events, data);
	case EPOLL_CTL_DEL:
		if (!it)
			return -ENOENT;
		remove(ep, it);
		return 0;
	case EPOLL_CTL_MOD:
		if (!it)
			return -ENOENT;
		if (it->events & EPOLLEXCLUSIVE)
			return -EINVAL;
		modify(it, events, data);
		return 0;
	}
	return -EINVAL;
}

int epoll_ctl_file(struct file *epf, int op, int fd, struct file *f,
		   const struct linux_epoll_event *ev)
{
	u32 events = ev ? ev->events | POLLERR | POLLHUP : 0;
	bool nest = op == EPOLL_CTL_ADD && file_is_epoll(f);
	struct eventpoll *ep = epf->priv;
	int r = ctl_check(epf, op, f, events);

	if (r < 0)
		return r;
	if (nest) {
		mutex_lock(&ep_loop_mutex);
		loop_gen++;
		if (loops(ep, f->priv, 0)) {
			mutex_unlock(&ep_loop_mutex);
			return -ELOOP;
		}
	}
	mutex_lock(&ep->mtx);
	r = ctl_locked(ep, op, fd, f, events, ev ? ev->data : 0);
	mutex_unlock(&ep->mtx);
	if (nest)
		mutex_unlock(&ep_loop_mutex);
	return r;
}

/* Moves ready items to *tx (emptying the ready list); ep->lock held. */
static void take_ready(struct eventpoll *ep, struct list *tx)
{
	list_init(tx);
	if (linked(&ep->ready)) {
		tx->next = ep->ready.next;
		tx->prev = ep->ready.prev;
		tx->next->prev = tx;
		tx->prev->next = tx;
		list_init(&ep->ready);
	}
}

/* Puts back what was not looked at, ahead of the rest (Linux's order). */
static void give_back(struct eventpoll *ep, struct list *tx)
{
	spin_lock(&ep->lock);
	while (linked(tx)) {
		struct list *l = tx->prev;

		list_remove(l);
		list_push_front(&ep->ready, l);
	}
	spin_unlock(&ep->lock);
}

/* The next item of tx, taken off it (a notification now re-queues it on
 * the ready list), or NULL. */
static struct epitem *next_item(struct eventpoll *ep, struct list *tx)
{
	struct epitem *it = NULL;

	spin_lock(&ep->lock);
	if (linked(tx)) {
		it = list_entry(tx->next, struct epitem, rdy_link);
		list_remove(&it->rdy_link);
	}
	spin_unlock(&ep->lock);
	return it;
}

/* Reports one ready item to uev; 1 if reported, 0 if not, -EFAULT. */
static int report(struct epitem *it, struct linux_epoll_event *uev)
{
	struct eventpoll *ep = it->ep;
	struct linux_epoll_event e;
	u32 revents = item_poll(it);

	if (!revents)
		return 0;
	e.events = revents;
	e.data = it->data;
	if (copy_to_user(uev, &e, sizeof(e)) < 0)
		return -EFAULT;
	if (it->events & EPOLLONESHOT) {
		set_events(it, it->events & EP_PRIVATE);
	} else if (!(it->events & EPOLLET)) {
		spin_lock(&ep->lock);
		if (!linked(&it->rdy_link))
			list_push_back(&ep->ready, &it->rdy_link);
		spin_unlock(&ep->lock);
	}
	return 1;
}

/* Linux's ep_send_events: the count reported, or -EFAULT if none was. */
static int send_events(struct eventpoll *ep, struct linux_epoll_event *uev,
		       int max)
{
	struct list tx;
	struct epitem *it;
	int n = 0, r = 0;

	mutex_lock(&ep->mtx);
	spin_lock(&ep->lock);
	take_ready(ep, &tx);
	spin_unlock(&ep->lock);
	while (n < max && (it = next_item(ep, &tx))) {
		r = report(it, uev + n);
		if (r < 0) {
			spin_lock(&ep->lock);
			if (!linked(&it->rdy_link))
				list_push_front(&tx, &it->rdy_link);
			spin_unlock(&ep->lock);
			break;
		}
		n += r;
	}
	give_back(ep, &tx);
	mutex_unlock(&ep->mtx);
	return n ? n : r;
}

static bool has_ready(struct eventpoll *ep)
{
	return __atomic_load_n(&ep->ready.next, __ATOMIC_RELAXED) !=
	       &ep->ready;
}

/* Sleeps until an item is queued: 0, -ETIMEDOUT or -EINTR. */
static int wait_ready(struct eventpoll *ep, u64 deadline)
{
	int r = 0;

	spin_lock(&ep->lock);
	if (!linked(&ep->ready))
		r = deadline && deadline <= time_monotonic_ns() ? -ETIMEDOUT :
		    waitq_sleep(&ep->wq, &ep->lock, deadline);
	spin_unlock(&ep->lock);
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
		r = wait_ready(ep, deadline);
		if (r == -ETIMEDOUT)
			return has_ready(ep) ? send_events(ep, uev, max) : 0;
		if (r == -EINTR) {
			r = has_ready(ep) ? send_events(ep, uev, max) : 0;
			return r ? r : -EINTR;
		}
	}
}

/*
 * The first item of f and a reference on its instance, or NULL. Seen on
 * the list under the lock, the item is alive, so its instance has not
 * dropped its file's reference yet.
 */
static struct eventpoll *first_ep(struct file *f)
{
	struct inode *ino = f->inode;
	struct eventpoll *ep = NULL;

	spin_lock(&ino->poll_lock);
	if (linked(&f->epitems)) {
		ep = list_entry(f->epitems.next, struct epitem, file_link)->ep;
		__atomic_add_fetch(&ep->refs, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&ino->poll_lock);
	return ep;
}

/* The next item of f in ep, or NULL; ep->mtx held. */
static struct epitem *item_of(struct file *f, struct eventpoll *ep)
{
	struct epitem *r = NULL;

	spin_lock(&f->inode->poll_lock);
	list_for_each(l, &f->epitems) {
		struct epitem *it = list_entry(l, struct epitem, file_link);

		if (it->ep == ep) {
			r = it;
			break;
		}
	}
	spin_unlock(&f->inode->poll_lock);
	return r;
}

void eventpoll_release(struct file *f)
{
	struct eventpoll *ep;
	struct epitem *it;

	while ((ep = first_ep(f))) {
		mutex_lock(&ep->mtx);
		while ((it = item_of(f, ep)))
			remove(ep, it);
		mutex_unlock(&ep->mtx);
		ep_put(ep);
	}
}

/*
 * An instance is readable when one of its ready items is (Linux's
 * ep_eventpoll_poll; items found not ready leave the list). It may be
 * asked from inside send_events or epoll_ctl of an outer instance, with
 * that instance's mtx held.
 */
static u32 ep_poll(struct file *f)
{
	struct eventpoll *ep = f->priv;
	struct epitem *it;
	struct list tx;
	u32 r = 0;

	if (!has_ready(ep))
		return 0;
	mutex_lock(&ep->mtx);
	spin_lock(&ep->lock);
	take_ready(ep, &tx);
	spin_unlock(&ep->lock);
	while (!r && (it = next_item(ep, &tx))) {
		if (!item_poll(it))
			continue;
		r = POLLIN | POLLRDNORM;
		spin_lock(&ep->lock);
		if (!linked(&it->rdy_link))
			list_push_front(&tx, &it->rdy_link);
		spin_unlock(&ep->lock);
	}
	give_back(ep, &tx);
	mutex_unlock(&ep->mtx);
	return r;
}

static void ep_release(struct file *f)
{
	struct eventpoll *ep = f->priv;
	struct rb_node *n;

	mutex_lock(&ep->mtx);
	while ((n = rb_first(&ep->items)))
		remove(ep, rb_entry(n, struct epitem, node));
	mutex_unlock(&ep->mtx);
	ep_put(ep);
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
	mutex_init(&ep->mtx);
	ep->lock = (struct spinlock)SPINLOCK_INIT;
	rb_init(&ep->items);
	list_init(&ep->ready);
	waitq_init(&ep->wq);
	ep->refs = 1;
	r = anon_file_open("[eventpoll]", &ep_ops, ep, 0, out);
	if (r < 0) {
		kfree(ep);
		return r;
	}
	ep->inode = (*out)->inode;
	return 0;
}

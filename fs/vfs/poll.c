/*
 * fs/vfs/poll.c: readiness notifications and waiting for them. Layer: VFS.
 *
 * Each file reports its readiness through file_ops.poll. Whatever changes
 * that readiness (a pipe read or write, an eventfd write, a timer expiry,
 * console input, a signal for a signalfd) calls vfs_poll_notify() on the
 * file's inode, saying which kind of event may now be there. Each inode is
 * a wait queue: a list of struct poll_watch under its own spinlock
 * (inode->poll_lock). A notification runs the watches of that inode only,
 * so a change to one file wakes only the waiters of that file.
 *  - poll and select (vfs_poll_until): a struct poll_table per call. Its
 *    first scan puts a watch on each file it polls; the watches' callback
 *    sets the table's "woken" flag and wakes its thread. The call sleeps
 *    only while nothing has fired since it cleared the flag before its
 *    last scan, and scans once per wake-up. The watches (and a reference
 *    on each file) go when the call returns.
 *  - epoll: each epoll item is a watch on its file's inode; its callback
 *    puts the item on its instance's ready list (fs/eventpoll.c), as
 *    Linux's ep_poll_callback.
 *
 * Lock order: inode->poll_lock, then whatever a watch's callback takes (a
 * poll table's lock, an epoll instance's ready lock, which may notify the
 * instance's own inode: nested instances form no cycle), then the
 * scheduler's. A file's own spinlock is never held while notifying.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/time.h>
#include <skiff/vfs.h>

void poll_watch_add(struct inode *ino, struct poll_watch *w)
{
	w->ino = ino;
	spin_lock(&ino->poll_lock);
	list_push_back(&ino->watchers, &w->link);
	spin_unlock(&ino->poll_lock);
}

void poll_watch_del(struct poll_watch *w)
{
	struct inode *ino = w->ino;

	spin_lock(&ino->poll_lock);
	list_remove(&w->link);
	spin_unlock(&ino->poll_lock);
}

void vfs_poll_notify(struct inode *ino, u32 events)
{
	spin_lock(&ino->poll_lock);
	list_for_each_safe(it, tmp, &ino->watchers) {
		struct poll_watch *w = list_entry(it, struct poll_watch, link);
		u32 want = __atomic_load_n(&w->events, __ATOMIC_RELAXED);

		if (want && (!events || (want & events)))
			w->fn(w, events);
	}
	spin_unlock(&ino->poll_lock);
}

/* ---- poll tables: one per poll/select call ---- */

#define POLL_CHUNK 32

struct poll_entry {
	struct poll_watch watch;
	struct poll_table *pt;
	struct file *file;	/* referenced while watched */
};

struct poll_chunk {
	struct poll_chunk *next;
	unsigned n;
	struct poll_entry e[POLL_CHUNK];
};

/* A watch of the table fired: any context, the inode's poll_lock held. */
static void entry_fired(struct poll_watch *w, u32 events)
{
	struct poll_table *pt = container_of(w, struct poll_entry, watch)->pt;

	spin_lock(&pt->lock);
	pt->woken = true;
	waitq_wake_all(&pt->wq);
	spin_unlock(&pt->lock);
}

/* A new entry of pt (stable address: chunks never move), or NULL. */
static struct poll_entry *entry_new(struct poll_table *pt)
{
	struct poll_chunk *c = pt->chunks;

	if (!c || c->n == POLL_CHUNK) {
		c = kmalloc(sizeof(*c));
		if (!c)
			return NULL;
		c->n = 0;
		c->next = pt->chunks;
		pt->chunks = c;
	}
	return &c->e[c->n++];
}

u32 poll_table_file(struct poll_table *pt, struct file *f, u32 events)
{
	struct poll_entry *e;

	if (pt && pt->registering && file_can_poll(f)) {
		e = entry_new(pt);
		if (!e) {
			pt->err = -ENOMEM;
		} else {
			e->pt = pt;
			e->file = file_get(f);
			e->watch.fn = entry_fired;
			e->watch.events = events | POLLERR | POLLHUP;
			/* Watching first, then asking: no change falls between. */
			poll_watch_add(f->inode, &e->watch);
		}
	}
	return file_poll(f);
}

static void table_free(struct poll_table *pt)
{
	while (pt->chunks) {
		struct poll_chunk *c = pt->chunks;

		for (unsigned i = 0; i < c->n; i++) {
			poll_watch_del(&c->e[i].watch);
			file_put(c->e[i].file);
		}
		pt->chunks = c->next;
		kfree(c);
	}
}

/* Sleeps unless a watch fired since the flag was cleared: 0, -ETIMEDOUT,
 * -EINTR. */
static int table_wait(struct poll_table *pt, u64 deadline)
{
	int r = 0;

	if (deadline && deadline <= time_monotonic_ns())
		return -ETIMEDOUT;
	spin_lock(&pt->lock);
	if (!pt->woken)
		r = waitq_sleep(&pt->wq, &pt->lock, deadline);
	spin_unlock(&pt->lock);
	return r == -EINTR || r == -ETIMEDOUT ? r : 0;
}

long vfs_poll_until(long (*scan)(void *arg, struct poll_table *pt),
		    void *arg, u64 deadline)
{
	struct poll_table pt = { .lock = SPINLOCK_INIT, .registering = true };
	long r;

	waitq_init(&pt.wq);
	for (;;) {
		pt.woken = false; /* before the scan: no wake-up is lost */
		r = scan(arg, &pt);
		pt.registering = false;
		if (r == 0 && pt.err)
			r = pt.err;
		if (r)
			break;
		r = table_wait(&pt, deadline);
		if (r == -ETIMEDOUT) {
			/* Woken as the time ran out: one last look. */
			r = pt.woken ? scan(arg, &pt) : 0;
			break;
		}
		if (r)
			break;
	}
	table_free(&pt);
	return r;
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

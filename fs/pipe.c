/*
 * fs/pipe.c: pipes and FIFOs. Layer: fs. A pipe is a ring of page-sized
 * slots (16 by default: 64 KiB, as Linux; F_SETPIPE_SZ changes it) behind
 * one S_IFIFO inode: an anonymous inode with two files (pipe2), or a ramfs
 * inode opened by name (a FIFO). The slots follow Linux's pipe buffers, so
 * capacities and partial writes match it: a write first appends its last
 * (len % 4096) bytes' worth to the newest slot if they fit there, then
 * fills whole free slots a page at a time; a read drains the oldest slots.
 *
 * read sleeps while the pipe is empty and has writers; it returns 0 (end of
 * file) once empty with no writers left. write sleeps while all slots are
 * taken; a write of at most PIPE_BUF bytes lands in one slot, so it is
 * atomic; with no reader left write gives -EPIPE (the caller raises
 * SIGPIPE). Both give -EAGAIN instead of sleeping with O_NONBLOCK.
 * Opening a FIFO (or reopening a pipe through /proc/self/fd) follows
 * Linux's fifo_open: read-only waits for a writer, write-only for a reader
 * (or -ENXIO with O_NONBLOCK), read-write never waits.
 * DIVERGENCE: O_DIRECT (packet mode) pipes behave as byte streams.
 * splice and tee: fs/pipe_splice.c; what the two files share: fs/pipe.h.
 *
 * Locks: p->mutex serializes readers and writers and covers the copies to
 * and from program memory (which may fault pages in); p->lock, a
 * spinlock, guards the indices and counts that poll reads and that
 * sleepers recheck. A change of those takes both. Notifications
 * (vfs_poll_notify) go out with neither held.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "pipe.h"

#define PIPE_SLOTS 16		/* the default ring */
#define PIPE_MAX_SIZE (1u << 31) /* F_SETPIPE_SZ: Linux's bound for root */

/* Copies buffered bytes out, oldest first; mutex held. */
static long drain(struct pipe *p, struct iobuf *io)
{
	size_t done = 0;

	while (done < io->len && !pipe_empty(p)) {
		struct slot *s = slot(p, p->tail);
		size_t n = MIN(s->len, io->len - done);
		char *src = slot_end(p, p->tail) - s->len;
		int r = iobuf_copy_out(io, done, src, n);

		if (r < 0)
			return done ? (long)done : r;
		spin_lock(&p->lock);
		s->off += n;
		s->len -= n;
		p->bytes -= n;
		if (!s->len)
			p->tail++;
		spin_unlock(&p->lock);
		done += n;
	}
	return done;
}

/* Appends n bytes from io at "at" to slot i, which has room; mutex held. */
static int slot_fill(struct pipe *p, u32 i, struct iobuf *io, size_t at,
		     size_t n)
{
	int r = iobuf_copy_in(io, at, slot_end(p, i), n);

	if (r == 0) {
		spin_lock(&p->lock);
		slot(p, i)->len += n;
		p->bytes += n;
		spin_unlock(&p->lock);
	}
	return r;
}

/* Linux's merge: the write's tail-of-page part joins the newest slot. */
static long merge(struct pipe *p, struct iobuf *io)
{
	size_t chars = io->len % PAGE_SIZE;
	struct slot *last = slot(p, p->head - 1);
	int r;

	if (!chars || pipe_empty(p) || last->nomerge ||
	    last->off + last->len + chars > PAGE_SIZE)
		return 0;
	r = slot_fill(p, p->head - 1, io, 0, chars);
	return r < 0 ? r : (long)chars;
}

/*
 * Sleeps on wq until ready(p) or a signal, with the mutex dropped:
 * 0 or -EINTR. Called with the mutex held; returns with it held.
 */
int pipe_sleep(struct pipe *p, struct waitq *wq, bool (*ready)(struct pipe *))
{
	int r = 0;

	mutex_unlock(&p->mutex);
	spin_lock(&p->lock);
	while (!ready(p) && r == 0)
		r = waitq_sleep(wq, &p->lock, 0);
	spin_unlock(&p->lock);
	mutex_lock(&p->mutex);
	return r;
}

bool pipe_readable(struct pipe *p)
{
	return !pipe_empty(p) || !p->writers;
}

static long pipe_read(struct file *f, struct iobuf *io, u64 *pos)
{
	struct pipe *p = pipe_of(f);
	bool was_full;
	long r = 0;

	if (!io->len)
		return 0;
	mutex_lock(&p->mutex);
	while (!pipe_readable(p)) {
		r = f->flags & O_NONBLOCK ? -EAGAIN :
		    pipe_sleep(p, &p->rwait, pipe_readable);
		if (r < 0)
			goto out;
	}
	was_full = pipe_full(p);
	r = drain(p, io);
	if (r > 0) {
		waitq_wake_all(&p->wwait);
		/* Writers' edge: room appeared in a full pipe (Linux). */
		if (was_full)
			vfs_poll_notify(f->inode, POLL_OUT_BITS);
	}
out:
	mutex_unlock(&p->mutex);
	return r;
}

static bool writable(struct pipe *p)
{
	return !pipe_full(p) || !p->readers;
}

/* Tells readers about data: their sleep, and their poll and epoll. */
void pipe_data_arrived(struct file *f, struct pipe *p)
{
	waitq_wake_all(&p->rwait);
	vfs_poll_notify(f->inode, POLL_IN_BITS);
}

/* Waits for a free slot: 0, or -EPIPE/-EAGAIN/-EINTR. Mutex held. */
int pipe_wait_room(struct file *f, struct pipe *p, bool nonblock)
{
	for (;;) {
		int r;

		if (!p->readers)
			return -EPIPE;
		if (!pipe_full(p))
			return 0;
		if (nonblock)
			return -EAGAIN;
		pipe_data_arrived(f, p);
		r = pipe_sleep(p, &p->wwait, writable);
		if (r < 0)
			return r;
	}
}

/*
 * As Linux with a polled pipe, every write call ends with a notification
 * of the readers, whatever it wrote (edge-triggered epoll sees it).
 */
static long pipe_write(struct file *f, struct iobuf *io, u64 *pos)
{
	struct pipe *p = pipe_of(f);
	long done, r = 0;

	if (!io->len)
		return 0;
	mutex_lock(&p->mutex);
	done = p->readers ? merge(p, io) : -EPIPE;
	while (done >= 0 && (size_t)done < io->len) {
		size_t n = MIN(PAGE_SIZE, io->len - done);

		r = pipe_wait_room(f, p, f->flags & O_NONBLOCK);
		if (r < 0)
			break;
		*slot(p, p->head) = (struct slot){ 0, 0, false };
		r = slot_fill(p, p->head, io, done, n);
		if (r < 0)
			break;
		spin_lock(&p->lock);
		p->head++;
		spin_unlock(&p->lock);
		done += n;
		waitq_wake_all(&p->rwait);
	}
	pipe_data_arrived(f, p);
	mutex_unlock(&p->mutex);
	return done ? done : r;
}

static void pipe_free(struct pipe *p)
{
	kfree(p->slots);
	kfree(p->buf);
	kfree(p);
}

/* The last file of the pipe frees it; the inode may live on (a FIFO). */
static void pipe_release(struct file *f)
{
	struct pipe *p = pipe_of(f);
	bool last;

	mutex_lock(&f->inode->lock);
	spin_lock(&p->lock);
	if (f->fmode & FMODE_READ)
		p->readers--;
	if (f->fmode & FMODE_WRITE)
		p->writers--;
	last = !p->readers && !p->writers;
	spin_unlock(&p->lock);
	waitq_wake_all(&p->rwait);
	waitq_wake_all(&p->wwait);
	vfs_poll_notify(f->inode, 0);
	if (last) {
		f->inode->pipe = NULL;
		pipe_free(p);
	}
	mutex_unlock(&f->inode->lock);
}

static u32 pipe_poll(struct file *f)
{
	struct pipe *p = pipe_of(f);
	u32 ev = 0;

	spin_lock(&p->lock);
	if (f->fmode & FMODE_READ) {
		if (!pipe_empty(p))
			ev |= POLLIN | POLLRDNORM;
		/* A FIFO reader sees no hang-up before a writer came. */
		if (!p->writers && (uintptr_t)f->priv != p->w_counter)
			ev |= POLLHUP;
	}
	if (f->fmode & FMODE_WRITE) {
		if (!pipe_full(p))
			ev |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			ev |= POLLERR;
	}
	spin_unlock(&p->lock);
	return ev;
}

#define FIONREAD 0x541b

static long pipe_ioctl(struct file *f, unsigned long req, unsigned long arg)
{
	struct pipe *p = pipe_of(f);
	int n;

	if (req != FIONREAD)
		return -ENOTTY;
	spin_lock(&p->lock);
	n = p->bytes;
	spin_unlock(&p->lock);
	return copy_to_user((void *)arg, &n, sizeof(n));
}

static struct pipe *pipe_new(void)
{
	struct pipe *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->nslots = PIPE_SLOTS;
	p->buf = kmalloc(PIPE_SLOTS * PAGE_SIZE);
	p->slots = kzalloc(PIPE_SLOTS * sizeof(*p->slots));
	if (!p->buf || !p->slots) {
		pipe_free(p);
		return NULL;
	}
	mutex_init(&p->mutex);
	p->lock = (struct spinlock)SPINLOCK_INIT;
	waitq_init(&p->rwait);
	waitq_init(&p->wwait);
	return p;
}

/* Waits until *counter moves past seen (the other end was opened). */
static int wait_partner(struct pipe *p, struct waitq *wq, u32 *counter,
			u32 seen)
{
	int r = 0;

	spin_lock(&p->lock);
	while (*counter == seen && r == 0)
		r = waitq_sleep(wq, &p->lock, 0);
	spin_unlock(&p->lock);
	return r;
}

/* Counts a new end and wakes the other side's waiting opens. */
static void count_open(struct pipe *p, bool read, bool write)
{
	spin_lock(&p->lock);
	if (read) {
		p->readers++;
		p->r_counter++;
	}
	if (write) {
		p->writers++;
		p->w_counter++;
	}
	spin_unlock(&p->lock);
	waitq_wake_all(read ? &p->wwait : &p->rwait);
	if (read && write)
		waitq_wake_all(&p->rwait);
}

/* Frees the inode's pipe when no file uses it; ino->lock held. */
static void drop_unused(struct inode *ino, struct pipe *p)
{
	if (!p->readers && !p->writers) {
		ino->pipe = NULL;
		pipe_free(p);
	}
}

/* Undoes count_open after an interrupted wait; ino->lock held. */
static void uncount_open(struct inode *ino, struct pipe *p, bool read)
{
	spin_lock(&p->lock);
	if (read)
		p->readers--;
	else
		p->writers--;
	spin_unlock(&p->lock);
	waitq_wake_all(read ? &p->wwait : &p->rwait);
	drop_unused(ino, p);
}

/* fifo_open of Linux: attaches the inode's pipe and counts this end. */
static int pipe_open(struct inode *ino, struct file *f)
{
	bool rd = f->fmode & FMODE_READ, wr = f->fmode & FMODE_WRITE;
	struct pipe *p;
	u32 seen;
	int r = 0;

	if (!rd && !wr)
		return -EINVAL;
	mutex_lock(&ino->lock);
	p = ino->pipe ? ino->pipe : pipe_new();
	if (!p) {
		mutex_unlock(&ino->lock);
		return -ENOMEM;
	}
	ino->pipe = p;
	if (wr && !rd && !p->readers && (f->flags & O_NONBLOCK)) {
		drop_unused(ino, p);
		mutex_unlock(&ino->lock);
		return -ENXIO;
	}
	seen = rd ? p->w_counter : p->r_counter;
	/* Linux's f_version: the writers seen so far (for POLLHUP). */
	if (rd && !wr && !p->writers && (f->flags & O_NONBLOCK) &&
	    ino->sb != vfs_anon_super())
		f->priv = (void *)(uintptr_t)p->w_counter;
	count_open(p, rd, wr);
	if (rd != wr && !(rd ? p->writers : p->readers) &&
	    !(rd && (f->flags & O_NONBLOCK))) {
		mutex_unlock(&ino->lock);
		r = wait_partner(p, rd ? &p->rwait : &p->wwait,
				 rd ? &p->w_counter : &p->r_counter, seen);
		mutex_lock(&ino->lock);
		if (r < 0)
			uncount_open(ino, p, rd);
	}
	mutex_unlock(&ino->lock);
	vfs_poll_notify(ino, 0);
	return r;
}

/*
 * Linux's pipe_set_size: the ring becomes size (rounded up to a power of
 * two pages, at least one) unless the data does not fit (-EBUSY).
 */
long pipe_resize(struct pipe *p, u64 size)
{
	u32 n = 1, used;
	char *buf;
	struct slot *slots;

	if (size > PIPE_MAX_SIZE)
		return -EINVAL;
	while ((u64)n * PAGE_SIZE < size)
		n *= 2;
	used = p->head - p->tail;
	if (n < used)
		return -EBUSY;
	buf = kmalloc((size_t)n * PAGE_SIZE);
	slots = kzalloc(n * sizeof(*slots));
	if (!buf || !slots) {
		kfree(buf);
		kfree(slots);
		return -ENOMEM;
	}
	for (u32 i = 0; i < used; i++) {
		memcpy(buf + i * PAGE_SIZE,
		       p->buf + ((p->tail + i) & (p->nslots - 1)) * PAGE_SIZE,
		       PAGE_SIZE);
		slots[i] = *slot(p, p->tail + i);
	}
	spin_lock(&p->lock);
	kfree(p->buf);
	kfree(p->slots);
	p->buf = buf;
	p->slots = slots;
	p->nslots = n;
	p->tail = 0;
	p->head = used;
	spin_unlock(&p->lock);
	return (long)(n * PAGE_SIZE);
}

long pipe_fcntl_size(struct file *f, bool set, u64 size)
{
	struct pipe *p;
	long r;

	if (f->ops != &fifo_ops)
		return -EBADF;
	p = pipe_of(f);
	mutex_lock(&p->mutex);
	r = set ? pipe_resize(p, size) : (long)(p->nslots * PAGE_SIZE);
	mutex_unlock(&p->mutex);
	if (set && r > 0) {
		waitq_wake_all(&p->wwait);
		vfs_poll_notify(f->inode, POLL_OUT_BITS);
	}
	return r;
}

const struct file_ops fifo_ops = {
	.open = pipe_open,
	.read = pipe_read,
	.write = pipe_write,
	.release = pipe_release,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
};

int pipe_create(int flags, struct file **r, struct file **w)
{
	struct inode *ino = inode_new(vfs_anon_super(), S_IFIFO | 0600);
	int extra = flags & (O_NONBLOCK | O_DIRECT), err;

	if (!ino)
		return -ENFILE;
	ino->fops = &fifo_ops;
	/* O_NONBLOCK: the read end must not wait for the write end. */
	err = file_open_inode(ino, NULL, O_RDONLY | O_NONBLOCK | extra, r);
	if (err == 0) {
		(*r)->flags = O_RDONLY | extra;
		err = file_open_inode(ino, NULL, O_WRONLY | extra, w);
		if (err < 0)
			file_put(*r);
	}
	inode_put(ino);
	return err;
}

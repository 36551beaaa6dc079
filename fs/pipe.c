/*
 * fs/pipe.c: pipes. Layer: fs. A pipe is 16 page-sized slots (64 KiB,
 * Linux's default) behind one anonymous S_IFIFO inode and two files. The
 * slots follow Linux's pipe buffers, so capacities and partial writes match
 * it: a write first appends its last (len % 4096) bytes' worth to the
 * newest slot if they fit there, then fills whole free slots a page at a
 * time; a read drains the oldest slots.
 *
 * read sleeps while the pipe is empty and has writers; it returns 0 (end of
 * file) once empty with no writers left. write sleeps while all slots are
 * taken; a write of at most PIPE_BUF bytes lands in one slot, so it is
 * atomic; with no reader left write gives -EPIPE (the caller raises
 * SIGPIPE). Both give -EAGAIN instead of sleeping with O_NONBLOCK.
 * DIVERGENCE: O_DIRECT (packet mode) pipes behave as byte streams.
 * Locks: p->lock (a spinlock) guards everything; waitq_sleep drops it
 * while asleep.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>

#define PIPE_SLOTS 16

struct slot {
	u16 off, len;	/* the data in this slot's page */
};

struct pipe {
	struct spinlock lock;
	char *buf;		/* PIPE_SLOTS pages, one per slot */
	u32 head, tail;		/* slots [tail, head) hold data (mod 16) */
	struct slot slots[PIPE_SLOTS];
	u32 bytes;		/* bytes buffered */
	u32 readers, writers;	/* open files of each end */
	struct waitq rwait;	/* readers waiting for data */
	struct waitq wwait;	/* writers waiting for room */
};

static struct pipe *pipe_of(struct file *f)
{
	return f->inode->priv;
}

static bool pipe_empty(struct pipe *p)
{
	return p->head == p->tail;
}

static bool pipe_full(struct pipe *p)
{
	return p->head - p->tail >= PIPE_SLOTS;
}

static struct slot *slot(struct pipe *p, u32 i)
{
	return &p->slots[i % PIPE_SLOTS];
}

static char *slot_end(struct pipe *p, u32 i)
{
	return p->buf + (i % PIPE_SLOTS) * PAGE_SIZE + slot(p, i)->off +
	       slot(p, i)->len;
}

/* Copies buffered bytes out, oldest first; lock held. */
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
		s->off += n;
		s->len -= n;
		p->bytes -= n;
		done += n;
		if (!s->len)
			p->tail++;
	}
	return done;
}

/* Appends n bytes from io at "at" to slot i, which has room; lock held. */
static int slot_fill(struct pipe *p, u32 i, struct iobuf *io, size_t at,
		     size_t n)
{
	int r = iobuf_copy_in(io, at, slot_end(p, i), n);

	if (r == 0) {
		slot(p, i)->len += n;
		p->bytes += n;
	}
	return r;
}

/* Linux's merge: the write's tail-of-page part joins the newest slot. */
static long merge(struct pipe *p, struct iobuf *io)
{
	size_t chars = io->len % PAGE_SIZE;
	struct slot *last = slot(p, p->head - 1);
	int r;

	if (!chars || pipe_empty(p) ||
	    last->off + last->len + chars > PAGE_SIZE)
		return 0;
	r = slot_fill(p, p->head - 1, io, 0, chars);
	return r < 0 ? r : (long)chars;
}

static long pipe_read(struct file *f, struct iobuf *io, u64 *pos)
{
	struct pipe *p = pipe_of(f);
	long r = 0;

	if (!io->len)
		return 0;
	spin_lock(&p->lock);
	while (pipe_empty(p) && p->writers) {
		r = f->flags & O_NONBLOCK ? -EAGAIN :
		    waitq_sleep(&p->rwait, &p->lock, 0);
		if (r < 0)
			goto out;
	}
	r = drain(p, io);
	if (r > 0)
		waitq_wake_all(&p->wwait);
out:
	spin_unlock(&p->lock);
	if (r > 0)
		vfs_poll_wake();
	return r;
}

/* Waits for a free slot: 0, or -EPIPE/-EAGAIN/-EINTR. Lock held. */
static int wait_room(struct file *f, struct pipe *p)
{
	for (;;) {
		int r;

		if (!p->readers)
			return -EPIPE;
		if (!pipe_full(p))
			return 0;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		r = waitq_sleep(&p->wwait, &p->lock, 0);
		if (r < 0)
			return r;
	}
}

static long pipe_write(struct file *f, struct iobuf *io, u64 *pos)
{
	struct pipe *p = pipe_of(f);
	long done, r = 0;

	if (!io->len)
		return 0;
	spin_lock(&p->lock);
	done = p->readers ? merge(p, io) : -EPIPE;
	while (done >= 0 && (size_t)done < io->len) {
		size_t n = MIN(PAGE_SIZE, io->len - done);

		r = wait_room(f, p);
		if (r < 0)
			break;
		*slot(p, p->head) = (struct slot){ 0, 0 };
		r = slot_fill(p, p->head, io, done, n);
		if (r < 0)
			break;
		p->head++;
		done += n;
		waitq_wake_all(&p->rwait);
	}
	if (done > 0)
		waitq_wake_all(&p->rwait);
	spin_unlock(&p->lock);
	if (done > 0)
		vfs_poll_wake();
	return done ? done : r;
}

static void pipe_free(struct pipe *p)
{
	kfree(p->buf);
	kfree(p);
}

/* The last file of the pipe frees it; the inode goes right after. */
static void pipe_release(struct file *f)
{
	struct pipe *p = pipe_of(f);
	bool last;

	spin_lock(&p->lock);
	if (f->fmode & FMODE_READ)
		p->readers--;
	if (f->fmode & FMODE_WRITE)
		p->writers--;
	last = !p->readers && !p->writers;
	waitq_wake_all(&p->rwait);
	waitq_wake_all(&p->wwait);
	spin_unlock(&p->lock);
	vfs_poll_wake();
	if (last) {
		f->inode->priv = NULL;
		pipe_free(p);
	}
}

static u32 pipe_poll(struct file *f)
{
	struct pipe *p = pipe_of(f);
	u32 ev = 0;

	spin_lock(&p->lock);
	if (f->fmode & FMODE_READ) {
		if (!pipe_empty(p))
			ev |= POLLIN | POLLRDNORM;
		if (!p->writers)
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

static const struct file_ops pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.release = pipe_release,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
};

static struct inode *pipe_inode(void)
{
	struct pipe *p = kzalloc(sizeof(*p));
	struct inode *ino;

	if (!p)
		return NULL;
	p->buf = kmalloc(PIPE_SLOTS * PAGE_SIZE);
	ino = p->buf ? inode_new(vfs_anon_super(), S_IFIFO | 0600) : NULL;
	if (!ino) {
		pipe_free(p);
		return NULL;
	}
	waitq_init(&p->rwait);
	waitq_init(&p->wwait);
	p->readers = p->writers = 1;
	ino->priv = p;
	ino->fops = &pipe_ops;
	return ino;
}

int pipe_create(int flags, struct file **r, struct file **w)
{
	struct inode *ino = pipe_inode();
	int extra = flags & (O_NONBLOCK | O_DIRECT), err;

	if (!ino)
		return -ENFILE;
	err = file_open_inode(ino, NULL, O_RDONLY | extra, r);
	if (err < 0) {
		pipe_free(ino->priv);
		ino->priv = NULL;
	} else {
		err = file_open_inode(ino, NULL, O_WRONLY | extra, w);
		if (err < 0) {
			((struct pipe *)ino->priv)->writers = 0;
			file_put(*r);
		}
	}
	inode_put(ino);
	return err;
}

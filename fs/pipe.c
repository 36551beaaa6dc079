/*
 * fs/pipe.c: pipes. Layer: fs. A pipe is a 64 KiB ring buffer (Linux's
 * default capacity) behind one anonymous S_IFIFO inode and two files.
 *
 * read sleeps while the pipe is empty and has writers; it returns 0 (end of
 * file) once empty with no writers left. write sleeps while full; a write
 * of at most PIPE_BUF bytes goes in whole or not at all; with no reader
 * left write gives -EPIPE (SIGPIPE is the signal layer's business). Both
 * give -EAGAIN instead of sleeping with O_NONBLOCK on their file.
 * Locks: p->lock (a spinlock) guards everything; waitq_sleep drops it
 * while asleep.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>

#define PIPE_SIZE (64 * 1024)

struct pipe {
	struct spinlock lock;
	char *buf;
	u32 head;	/* index of the first unread byte */
	u32 count;	/* bytes in the buffer */
	u32 readers, writers; /* open files of each end */
	struct waitq rwait;   /* readers waiting for data */
	struct waitq wwait;   /* writers waiting for room */
};

static struct pipe *pipe_of(struct file *f)
{
	return f->inode->priv;
}

/* Copies up to n buffered bytes out; lock held. */
static int ring_out(struct pipe *p, struct iobuf *io, size_t at, size_t n)
{
	size_t first = MIN(n, (size_t)PIPE_SIZE - p->head);
	int r = iobuf_copy_out(io, at, p->buf + p->head, first);

	if (r == 0 && n > first)
		r = iobuf_copy_out(io, at + first, p->buf, n - first);
	if (r == 0) {
		p->head = (p->head + n) % PIPE_SIZE;
		p->count -= n;
	}
	return r;
}

static int ring_in(struct pipe *p, struct iobuf *io, size_t at, size_t n)
{
	size_t tail = (p->head + p->count) % PIPE_SIZE;
	size_t first = MIN(n, (size_t)PIPE_SIZE - tail);
	int r = iobuf_copy_in(io, at, p->buf + tail, first);

	if (r == 0 && n > first)
		r = iobuf_copy_in(io, at + first, p->buf, n - first);
	if (r == 0)
		p->count += n;
	return r;
}

static long pipe_read(struct file *f, struct iobuf *io, u64 *pos)
{
	struct pipe *p = pipe_of(f);
	long r = 0;
	size_t n;

	if (!io->len)
		return 0;
	spin_lock(&p->lock);
	while (!p->count && p->writers) {
		r = f->flags & O_NONBLOCK ? -EAGAIN :
		    waitq_sleep(&p->rwait, &p->lock, 0);
		if (r < 0)
			goto out;
	}
	n = MIN(io->len, p->count);
	r = ring_out(p, io, 0, n);
	if (r == 0) {
		r = n;
		waitq_wake_all(&p->wwait);
	}
out:
	spin_unlock(&p->lock);
	return r;
}

/* Room for the next chunk, sleeping if needed: >0, or -EPIPE/-EAGAIN/-EINTR. */
static long wait_room(struct file *f, struct pipe *p, size_t want)
{
	for (;;) {
		size_t room = PIPE_SIZE - p->count;
		int r;

		if (!p->readers)
			return -EPIPE;
		if (room && (want > PIPE_BUF || room >= want))
			return room;
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
	size_t done = 0;
	long r = 0;

	if (!io->len)
		return 0;
	spin_lock(&p->lock);
	while (done < io->len) {
		size_t n;

		r = wait_room(f, p, io->len - done);
		if (r < 0)
			break;
		n = MIN((size_t)r, io->len - done);
		r = ring_in(p, io, done, n);
		if (r < 0)
			break;
		done += n;
		waitq_wake_all(&p->rwait);
	}
	spin_unlock(&p->lock);
	return done ? (long)done : r;
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
		if (p->count)
			ev |= POLLIN;
		if (!p->writers)
			ev |= POLLHUP;
	}
	if (f->fmode & FMODE_WRITE) {
		if (p->count < PIPE_SIZE)
			ev |= POLLOUT;
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
	n = p->count;
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
	p->buf = kmalloc(PIPE_SIZE);
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

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
 * splice and tee (pipe_splice_*) copy bytes into and out of the ring but
 * keep Linux's buffer layout: a spliced-in slot starts at its page offset
 * and takes no merges; a pipe-to-pipe move copies a slot as one slot.
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

#define PIPE_SLOTS 16		/* the default ring */
#define PIPE_MAX_SIZE (1u << 31) /* F_SETPIPE_SZ: Linux's bound for root */

struct slot {
	u16 off, len;	/* the data in this slot's page */
	bool nomerge;	/* spliced in: writes do not append to it (Linux) */
};

struct pipe {
	struct mutex mutex;
	struct spinlock lock;
	char *buf;		/* nslots pages, one per slot */
	u32 head, tail;		/* slots [tail, head) hold data (mod nslots) */
	u32 nslots;		/* a power of two */
	struct slot *slots;
	u32 bytes;		/* bytes buffered */
	u32 readers, writers;	/* open files of each end */
	u32 r_counter, w_counter; /* opens of each end so far (FIFO waits) */
	struct waitq rwait;	/* readers waiting for data, FIFO opens */
	struct waitq wwait;	/* writers waiting for room, FIFO opens */
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
	return p->head - p->tail >= p->nslots;
}

static struct slot *slot(struct pipe *p, u32 i)
{
	return &p->slots[i & (p->nslots - 1)];
}

static char *slot_end(struct pipe *p, u32 i)
{
	return p->buf + (i & (p->nslots - 1)) * PAGE_SIZE + slot(p, i)->off +
	       slot(p, i)->len;
}

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
static int pipe_sleep(struct pipe *p, struct waitq *wq,
		      bool (*ready)(struct pipe *))
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

static bool readable(struct pipe *p)
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
	while (!readable(p)) {
		r = f->flags & O_NONBLOCK ? -EAGAIN :
		    pipe_sleep(p, &p->rwait, readable);
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
static void data_arrived(struct file *f, struct pipe *p)
{
	waitq_wake_all(&p->rwait);
	vfs_poll_notify(f->inode, POLL_IN_BITS);
}

/* Waits for a free slot: 0, or -EPIPE/-EAGAIN/-EINTR. Mutex held. */
static int wait_room(struct file *f, struct pipe *p, bool nonblock)
{
	for (;;) {
		int r;

		if (!p->readers)
			return -EPIPE;
		if (!pipe_full(p))
			return 0;
		if (nonblock)
			return -EAGAIN;
		data_arrived(f, p);
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

		r = wait_room(f, p, f->flags & O_NONBLOCK);
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
	data_arrived(f, p);
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
		f->inode->priv = NULL;
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
		ino->priv = NULL;
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
	p = ino->priv ? ino->priv : pipe_new();
	if (!p) {
		mutex_unlock(&ino->lock);
		return -ENOMEM;
	}
	ino->priv = p;
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
static long resize(struct pipe *p, u64 size)
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
	r = set ? resize(p, size) : (long)(p->nslots * PAGE_SIZE);
	mutex_unlock(&p->mutex);
	if (set && r > 0) {
		waitq_wake_all(&p->wwait);
		vfs_poll_notify(f->inode, POLL_OUT_BITS);
	}
	return r;
}

/* ---- splice and tee (linux/splice.c) ---- */

bool pipe_file(struct file *f)
{
	return f->ops == &fifo_ops && !(f->fmode & FMODE_PATH);
}

/*
 * The free slots from head on that are one run of the ring: an empty
 * pipe starts over at slot 0; a run that wraps while want bytes need
 * more is made whole by moving the data to the ring's start (resize to
 * the same size; without memory the run stays short). Mutex held.
 */
static u32 free_run(struct pipe *p, size_t want)
{
	u32 used = p->head - p->tail, mask = p->nslots - 1;

	if (!used) {
		spin_lock(&p->lock);
		p->head = p->tail = 0;
		spin_unlock(&p->lock);
	} else if ((p->head & mask) + (p->nslots - used) > p->nslots &&
		   (u64)(p->nslots - (p->head & mask)) * PAGE_SIZE < want) {
		resize(p, (u64)p->nslots * PAGE_SIZE);
	}
	return MIN(p->nslots - used, p->nslots - (p->head & mask));
}

/* Makes n bytes at slot head's page + off on new unmergeable slots. */
static void commit(struct pipe *p, u32 off, size_t n)
{
	spin_lock(&p->lock);
	while (n) {
		u32 len = MIN(n, PAGE_SIZE - off);

		*slot(p, p->head) = (struct slot){ off, len, true };
		p->head++;
		p->bytes += len;
		n -= len;
		off = 0;
	}
	spin_unlock(&p->lock);
}

long pipe_splice_in(struct file *f, size_t len, u32 off, bool nonblock,
		    long (*get)(void *arg, struct iobuf *io), void *arg)
{
	struct pipe *p = pipe_of(f);
	struct iobuf io = { NULL, 0, false };
	long r;

	mutex_lock(&p->mutex);
	r = wait_room(f, p, nonblock);
	if (r == 0) {
		size_t run = (size_t)free_run(p, len + off) * PAGE_SIZE;

		io.len = MIN(len, run - off);
		io.base = p->buf + (p->head & (p->nslots - 1)) * PAGE_SIZE + off;
		r = get(arg, &io);
	}
	if (r > 0) {
		commit(p, off, MIN((size_t)r, io.len));
		data_arrived(f, p);
	}
	mutex_unlock(&p->mutex);
	return r;
}

/*
 * Waits for data as splice does: 1 when there is some; 0 when empty with
 * no writer or when done (bytes moved already); -EAGAIN, -EINTR. Mutex
 * held.
 */
static int wait_data(struct pipe *p, bool nonblock, bool done)
{
	while (pipe_empty(p)) {
		int r;

		if (!p->writers || done)
			return 0;
		if (nonblock)
			return -EAGAIN;
		r = pipe_sleep(p, &p->rwait, readable);
		if (r < 0)
			return r;
	}
	return 1;
}

#define SPLICE_PIECES 16

/*
 * The oldest buffered bytes, at most len, as kernel pieces in iov (pages
 * that adjoin in the ring make one piece); *n gets the count of pieces.
 * Returns the bytes. Mutex held.
 */
static size_t gather(struct pipe *p, size_t len, struct iobuf *iov, u32 *n)
{
	size_t total = 0;

	*n = 0;
	for (u32 i = p->tail; i != p->head && total < len; i++) {
		struct slot *s = slot(p, i);
		size_t k = MIN(s->len, len - total);
		char *at = slot_end(p, i) - s->len;

		if (*n && iov[*n - 1].base + iov[*n - 1].len == at)
			iov[*n - 1].len += k;
		else if (*n == SPLICE_PIECES)
			break;
		else
			iov[(*n)++] = (struct iobuf){ at, k, false };
		total += k;
	}
	return total;
}

/* Drops the n oldest bytes; mutex held. */
static void consume(struct pipe *p, size_t n)
{
	spin_lock(&p->lock);
	while (n) {
		struct slot *s = slot(p, p->tail);
		u32 k = MIN(s->len, n);

		s->off += k;
		s->len -= k;
		p->bytes -= k;
		n -= k;
		if (!s->len)
			p->tail++;
	}
	spin_unlock(&p->lock);
}

/* Tells writers about room: their sleep, poll and epoll (as splice). */
static void room_made(struct file *f, struct pipe *p)
{
	waitq_wake_all(&p->wwait);
	vfs_poll_notify(f->inode, POLL_OUT_BITS);
}

long pipe_splice_out(struct file *f, size_t len, bool nonblock,
		     long (*put)(void *arg, struct iobuf *iov, u32 n),
		     void *arg)
{
	struct pipe *p = pipe_of(f);
	struct iobuf iov[SPLICE_PIECES];
	size_t done = 0;
	long r = 0;

	mutex_lock(&p->mutex);
	while (done < len) {
		size_t want;
		u32 n;

		r = wait_data(p, nonblock, done > 0);
		if (r <= 0)
			break;
		want = gather(p, len - done, iov, &n);
		r = put(arg, iov, n);
		if (r <= 0)
			break;
		consume(p, MIN((size_t)r, want));
		done += r;
		if ((size_t)r < want)
			break;
	}
	if (done)
		room_made(f, p);
	mutex_unlock(&p->mutex);
	return done ? (long)done : r;
}

/* Linux's ipipe_prep: 0 once there is data or no writer; or an error. */
static int in_prep(struct pipe *p, bool nonblock)
{
	int r;

	mutex_lock(&p->mutex);
	r = wait_data(p, nonblock, false);
	mutex_unlock(&p->mutex);
	return MIN(r, 0);
}

/* Linux's opipe_prep: 0 once there is room; -EPIPE, -EAGAIN, -EINTR. */
static int out_prep(struct file *f, struct pipe *p, bool nonblock)
{
	int r;

	mutex_lock(&p->mutex);
	r = wait_room(f, p, nonblock);
	mutex_unlock(&p->mutex);
	return r;
}

/* Both mutexes, in address order (two splices the other way round). */
static void lock_two(struct pipe *a, struct pipe *b, bool lock)
{
	struct pipe *first = a < b ? a : b, *second = a < b ? b : a;

	if (lock) {
		mutex_lock(&first->mutex);
		mutex_lock(&second->mutex);
	} else {
		mutex_unlock(&second->mutex);
		mutex_unlock(&first->mutex);
	}
}

/*
 * Copies slot i of a, at most len bytes of it, to a new slot of b (not
 * full) at the same page offset, as Linux moves a buffer; a part or a
 * tee'd copy takes no merges. Both mutexes held. Returns the count.
 */
static u32 copy_slot(struct pipe *a, u32 i, struct pipe *b, size_t len,
		     bool tee)
{
	struct slot *s = slot(a, i);
	u32 n = MIN(s->len, len);
	char *dst = b->buf + (b->head & (b->nslots - 1)) * PAGE_SIZE + s->off;

	memcpy(dst, slot_end(a, i) - s->len, n);
	spin_lock(&b->lock);
	*slot(b, b->head) = (struct slot){ s->off, n,
					   tee || n < s->len || s->nomerge };
	b->head++;
	b->bytes += n;
	spin_unlock(&b->lock);
	return n;
}

/*
 * One pass with both mutexes held: moves (or, for tee, copies) slots of
 * a to b until len, an empty a or a full b. Returns the count, -EPIPE,
 * -EAGAIN, or 0 with *retry set when nothing moved and it should wait.
 */
static long move_slots(struct pipe *a, struct pipe *b, size_t len,
		       bool nonblock, bool tee, bool *retry)
{
	u32 i = a->tail;
	long done = 0;

	*retry = false;
	while (len) {
		u32 n;

		if (!b->readers)
			return done ? done : -EPIPE;
		if (i == a->head || pipe_full(b)) {
			if (tee || done || (i == a->head && !a->writers))
				break;
			if (nonblock)
				return -EAGAIN;
			*retry = true;
			break;
		}
		n = copy_slot(a, i, b, len, tee);
		if (!tee)
			consume(a, n);
		i = tee ? i + 1 : a->tail;
		done += n;
		len -= n;
	}
	return done;
}

long pipe_splice_pipe(struct file *in, struct file *out, size_t len,
		      bool nonblock, bool tee)
{
	struct pipe *a = pipe_of(in), *b = pipe_of(out);
	bool retry;
	long r;

	do {
		r = in_prep(a, nonblock);
		if (r == 0)
			r = out_prep(out, b, nonblock);
		if (r < 0)
			return r;
		lock_two(a, b, true);
		r = move_slots(a, b, len, nonblock, tee, &retry);
		lock_two(a, b, false);
	} while (retry && !tee);
	if (r > 0 && !tee)
		room_made(in, a);
	if (r > 0)
		data_arrived(out, b);
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

/*
 * fs/pipe_splice.c: splice and tee on pipes, for linux/splice.c. Layer:
 * fs. Interface: pipe_file, pipe_splice_in, pipe_splice_out,
 * pipe_splice_pipe (skiff/vfs.h); the pipe itself is fs/pipe.c's
 * (fs/pipe.h). They copy bytes into and out of the ring but keep Linux's
 * buffer layout: a spliced-in slot starts at its page offset and takes no
 * merges; a pipe-to-pipe move copies a slot as one slot. Locks as in
 * fs/pipe.c; two pipes' mutexes are taken in address order.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "pipe.h"

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
		pipe_resize(p, (u64)p->nslots * PAGE_SIZE);
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
	r = pipe_wait_room(f, p, nonblock);
	if (r == 0) {
		size_t run = (size_t)free_run(p, len + off) * PAGE_SIZE;

		io.len = MIN(len, run - off);
		io.base = p->buf + (p->head & (p->nslots - 1)) * PAGE_SIZE + off;
		r = get(arg, &io);
	}
	if (r > 0) {
		commit(p, off, MIN((size_t)r, io.len));
		pipe_data_arrived(f, p);
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
		r = pipe_sleep(p, &p->rwait, pipe_readable);
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
	r = pipe_wait_room(f, p, nonblock);
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
		pipe_data_arrived(out, b);
	return r;
}

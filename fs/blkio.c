/*
 * fs/blkio.c: synchronous block I/O for the filesystems (the blk_* calls
 * of skiff/blkdev.h) over a driver's submit/kick/reap. Layer: fs.
 *
 * Per device, one spinlock (interrupts off) serializes the driver's calls
 * and one wait queue holds the threads waiting for their requests. The
 * device's interrupt (bd->irq) takes the same lock and wakes them all;
 * a waiter reaps (marking everyone's finished requests done) and sleeps
 * again until its own are done. A waiter checks under the lock and
 * waitq_sleep drops it only once the waiter is on the queue, so a
 * completion is never missed. Sleeps are uninterruptible: a request in
 * flight owns its buffer until the device is done with it.
 */
#include <skiff/alloc.h>
#include <skiff/blkdev.h>
#include <skiff/errno.h>
#include <skiff/sched.h>

struct blkio {
	struct spinlock lock;
	struct waitq wq;
};

static struct spinlock setup_lock = SPINLOCK_INIT;

static void blkio_irq(struct blkdev *bd)
{
	struct blkio *io = bd->user;

	spin_lock(&io->lock);
	waitq_wake_all(&io->wq);
	spin_unlock(&io->lock);
}

static struct blkio *blkio_of(struct blkdev *bd)
{
	struct blkio *io = __atomic_load_n(&bd->user, __ATOMIC_ACQUIRE);

	if (io)
		return io;
	io = kzalloc(sizeof(*io));
	if (!io)
		return NULL;
	io->lock = (struct spinlock)SPINLOCK_INIT;
	waitq_init(&io->wq);
	spin_lock(&setup_lock);
	if (bd->user) {
		kfree(io);
		io = bd->user;
	} else {
		__atomic_store_n(&bd->user, io, __ATOMIC_RELEASE);
		bd->irq = blkio_irq;
	}
	spin_unlock(&setup_lock);
	return io;
}

static bool all_done(struct blk_req *reqs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!__atomic_load_n(&reqs[i].done, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

int blk_run(struct blkdev *bd, struct blk_req *reqs, unsigned n)
{
	struct blkio *io = blkio_of(bd);
	int err = 0;
	bool was;

	if (!io)
		return -ENOMEM;
	spin_lock(&io->lock);
	for (unsigned i = 0; i < n; i++) {
		int e = bd->submit(bd, &reqs[i]);

		if (e) {
			reqs[i].status = e;
			reqs[i].done = true;
		}
	}
	bd->kick(bd);
	was = thread_set_uninterruptible(thread_current(), true);
	for (;;) {
		if (bd->reap(bd))
			waitq_wake_all(&io->wq); /* others' requests may be done */
		if (all_done(reqs, n))
			break;
		waitq_sleep(&io->wq, &io->lock, 0);
	}
	thread_set_uninterruptible(thread_current(), was);
	spin_unlock(&io->lock);
	for (unsigned i = 0; i < n && !err; i++)
		err = reqs[i].status;
	return err;
}

int blk_rw(struct blkdev *bd, bool write, u64 sector, void *buf, u32 len)
{
	struct blk_req r = { .op = write ? BLK_WRITE : BLK_READ,
			     .sector = sector, .buf = buf, .len = len };

	return blk_run(bd, &r, 1);
}

int blk_flush(struct blkdev *bd)
{
	struct blk_req r = { .op = BLK_FLUSH };

	if (!bd->can_flush)
		return 0;
	return blk_run(bd, &r, 1);
}

int blk_discard(struct blkdev *bd, u64 sector, u64 count)
{
	struct blk_req r = { .op = BLK_DISCARD, .sector = sector,
			     .len = count * 512 };

	if (count > 0xffffffffu / 512)
		return -EINVAL;
	return blk_run(bd, &r, 1);
}

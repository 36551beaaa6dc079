/*
 * fs/vfs/poll.c: waiting for file readiness (poll, select). Layer: VFS.
 *
 * Each file reports its readiness through file_ops.poll. A waiter does not
 * register on every file: there is one poll wait queue and a change
 * counter; whatever may make a file ready (a pipe read, write or close)
 * calls vfs_poll_wake(). A waiter reads the counter, checks its files, and
 * sleeps only if the counter has not moved. Sources that cannot call
 * vfs_poll_wake (console input) are caught by waking up every
 * POLL_RECHECK_NS at most.
 */
#include <skiff/errno.h>
#include <skiff/time.h>
#include <skiff/vfs.h>

#define POLL_RECHECK_NS 10000000ull /* 10 ms */

static struct spinlock poll_lock = SPINLOCK_INIT;
static struct waitq poll_wq;
static bool poll_wq_ready;
static u64 poll_seq;

static void poll_init(void)
{
	if (!poll_wq_ready) {
		waitq_init(&poll_wq);
		poll_wq_ready = true;
	}
}

u64 vfs_poll_seq(void)
{
	return __atomic_load_n(&poll_seq, __ATOMIC_ACQUIRE);
}

void vfs_poll_wake(void)
{
	spin_lock(&poll_lock);
	poll_init();
	poll_seq++;
	waitq_wake_all(&poll_wq);
	spin_unlock(&poll_lock);
}

int vfs_poll_wait(u64 seq, u64 deadline)
{
	u64 now = time_monotonic_ns(), until = now + POLL_RECHECK_NS;
	int r = 0;

	if (deadline && deadline <= now)
		return -ETIMEDOUT;
	if (deadline && deadline < until)
		until = deadline;
	spin_lock(&poll_lock);
	poll_init();
	if (poll_seq == seq)
		r = waitq_sleep(&poll_wq, &poll_lock, until);
	spin_unlock(&poll_lock);
	return r == -EINTR ? -EINTR : 0;
}

u32 file_poll(struct file *f)
{
	if (f->fmode & FMODE_PATH)
		return POLLNVAL;
	if (!f->ops || !f->ops->poll)
		return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	return f->ops->poll(f);
}

/*
 * sched/futex.c: the futex core. Waiters sleep on one of a fixed set of
 * wait queues chosen by hashing the futex word's address (one address space,
 * so the address is the key); each waiter records its key and bitset, and
 * wake-ups pick the matching sleepers. The check of the futex word and the
 * sleep happen under the bucket's lock, so no wake-up is lost.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/sched.h>
#include "futex.h"
#include "thread.h"

#define NBUCKETS 64

static struct waitq buckets[NBUCKETS];
static bool ready;

static struct waitq *bucket(u64 key)
{
	if (!ready) {
		for (int i = 0; i < NBUCKETS; i++)
			waitq_init(&buckets[i]);
		ready = true;
	}
	return &buckets[(key >> 2) * 0x9e3779b97f4a7c15ull >> 58];
}

int futex_wait(u32 *uaddr, u32 val, u64 deadline_ns, u32 bitset)
{
	struct waitq *wq;
	struct thread *t = thread_current();
	u32 cur;

	if (!bitset)
		return -EINVAL;
	if ((u64)uaddr & 3)
		return -EINVAL;
	if (user_check(uaddr, sizeof(*uaddr), false))
		return -EFAULT;
	wq = bucket((u64)uaddr);
	/* Touch the word first: a page fault must not happen under the lock. */
	cur = __atomic_load_n(uaddr, __ATOMIC_SEQ_CST);
	spin_lock(&wq->lock);
	cur = __atomic_load_n(uaddr, __ATOMIC_SEQ_CST);
	if (cur != val) {
		spin_unlock(&wq->lock);
		return -EAGAIN;
	}
	t->futex_key = (u64)uaddr;
	t->futex_bitset = bitset;
	int r = waitq_sleep(wq, &wq->lock, deadline_ns);
	t->futex_key = 0;
	spin_unlock(&wq->lock);
	return r;
}

struct match {
	u64 key;
	u32 bitset;
};

static bool matches(struct thread *t, void *arg)
{
	struct match *m = arg;

	return t->futex_key == m->key && (t->futex_bitset & m->bitset);
}

int futex_wake(u32 *uaddr, int n, u32 bitset)
{
	struct match m = { (u64)uaddr, bitset };

	if (!bitset)
		return -EINVAL;
	if ((u64)uaddr & 3)
		return -EINVAL;
	if (n <= 0)
		return 0;
	return waitq_wake_match(bucket((u64)uaddr), matches, &m, n, NULL);
}

struct requeue_arg {
	struct match m;
	u64 to;
};

static bool requeue_move(struct thread *t, void *arg)
{
	struct requeue_arg *a = arg;

	if (t->futex_key != a->m.key)
		return false;
	t->futex_key = a->to;
	return true;
}

int futex_requeue(u32 *uaddr, int nwake, u32 *uaddr2, int nmove,
		  const u32 *cmpval)
{
	struct waitq *from = bucket((u64)uaddr), *to = bucket((u64)uaddr2);

	if (((u64)uaddr & 3) || ((u64)uaddr2 & 3) || nwake < 0 || nmove < 0)
		return -EINVAL;
	if (cmpval) {
		if (user_check(uaddr, sizeof(u32), false))
			return -EFAULT;
		if (__atomic_load_n(uaddr, __ATOMIC_SEQ_CST) != *cmpval)
			return -EAGAIN;
	}
	struct match m = { (u64)uaddr, ~0u };
	int woken = waitq_wake_match(from, matches, &m, nwake, NULL);
	struct requeue_arg a = { m, (u64)uaddr2 };
	/* to == from (one bucket): the waiters stay, their key changes. */
	int moved = waitq_wake_match(from, requeue_move, &a, nmove, to);
	return woken + moved;
}

/*
 * sched/futex.c: the futex core. Waiters sleep on one of a fixed set of
 * wait queues chosen by hashing the futex word's key (vm_futex_key: the
 * address within its address space, or the page of a shared file that
 * several processes map); each waiter records its key and bitset, and
 * wake-ups pick the matching sleepers. The check of the futex word and the
 * sleep happen under the bucket's lock, and so do wake-ups (on another CPU
 * a wake between the check and the sleep was lost), so none is lost.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/sched.h>
#include <skiff/futex.h>
#include "thread.h"

#define NBUCKET_BITS 10
#define NBUCKETS (1 << NBUCKET_BITS)

static struct waitq buckets[NBUCKETS];
static bool ready;
static struct spinlock ready_lock = SPINLOCK_INIT;

static u64 key_of(u32 *uaddr)
{
	return vm_futex_key((u64)uaddr);
}

static struct waitq *bucket(u64 key)
{
	/*
	 * Made at the first futex call, not at boot. Under a lock (interrupts
	 * off): a thread preempted halfway through used to be overtaken by
	 * another that made them all, slept on one, and then had its queue
	 * emptied when the first went on: a lost wake-up (pthread_once's
	 * racers slept for ever, 1 run in a few hundred under load).
	 */
	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
		spin_lock(&ready_lock);
		if (!ready) {
			for (int i = 0; i < NBUCKETS; i++)
				waitq_init(&buckets[i]);
			__atomic_store_n(&ready, true, __ATOMIC_RELEASE);
		}
		spin_unlock(&ready_lock);
	}
	return &buckets[(key >> 2) * 0x9e3779b97f4a7c15ull >> (64 - NBUCKET_BITS)];
}

int futex_wait(u32 *uaddr, u32 val, u64 deadline_ns, u32 bitset)
{
	struct waitq *wq;
	struct thread *t = thread_current();
	s64 cur;

	if (!bitset)
		return -EINVAL;
	if ((u64)uaddr & 3)
		return -EINVAL;
	if (user_check(uaddr, sizeof(*uaddr), false))
		return -EFAULT;
	/* Touch the word first: a page fault must not happen under the lock,
	 * and the key depends on the page. Another thread may unmap it: that
	 * is -EFAULT (uaccess_load32). */
	cur = uaccess_load32(uaddr);
	if (cur < 0)
		return (int)cur;
	u64 key = key_of(uaddr);
	wq = bucket(key);
	spin_lock(&wq->lock);
	cur = uaccess_load32(uaddr);
	if (cur != val) {
		spin_unlock(&wq->lock);
		return cur < 0 ? (int)cur : -EAGAIN;
	}
	t->futex_key = key;
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
	if (!bitset)
		return -EINVAL;
	if ((u64)uaddr & 3)
		return -EINVAL;
	if (n <= 0)
		return 0;
	(void)uaccess_load32(uaddr); /* the key depends on the page: present */
	struct match m = { key_of(uaddr), bitset };
	struct waitq *wq = bucket(m.key);
	/* Under the bucket's lock, as the waiter's check of the word and its
	 * sleep: on another CPU, a wake between the two was lost (the word
	 * is changed without any lock). */
	spin_lock(&wq->lock);
	int r = waitq_wake_match(wq, matches, &m, n, NULL);
	spin_unlock(&wq->lock);
	return r;
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
	if (((u64)uaddr & 3) || ((u64)uaddr2 & 3) || nwake < 0 || nmove < 0)
		return -EINVAL;
	if (cmpval) {
		if (user_check(uaddr, sizeof(u32), false))
			return -EFAULT;
		s64 cur = uaccess_load32(uaddr);
		if (cur < 0)
			return (int)cur;
		if (cur != *cmpval)
			return -EAGAIN;
	}
	(void)uaccess_load32(uaddr); /* the keys depend on the pages */
	(void)uaccess_load32(uaddr2);
	struct match m = { key_of(uaddr), ~0u };
	struct waitq *from = bucket(m.key), *to = bucket(key_of(uaddr2));
	/* Both buckets' locks (in address order), as futex_wake. */
	struct waitq *first = from < to ? from : to, *second = from < to ? to : from;
	spin_lock(&first->lock);
	if (second != first)
		spin_lock(&second->lock);
	int woken = waitq_wake_match(from, matches, &m, nwake, NULL);
	struct requeue_arg a = { m, key_of(uaddr2) };
	/* to == from (one bucket): the waiters stay, their key changes. */
	int moved = waitq_wake_match(from, requeue_move, &a, nmove, to);
	if (second != first)
		spin_unlock(&second->lock);
	spin_unlock(&first->lock);
	return woken + moved;
}

/*
 * PI futexes (FUTEX_LOCK_PI, FUTEX_TRYLOCK_PI, FUTEX_UNLOCK_PI), for
 * glibc's PTHREAD_PRIO_INHERIT mutexes. The word holds the owner's tid,
 * FUTEX_WAITERS when someone sleeps on it, FUTEX_OWNER_DIED after a robust
 * owner died. The program takes and releases an uncontended lock itself;
 * the kernel is called when the word is owned (lock) or has waiters
 * (unlock). Unlock hands the lock to the first waiter directly, as Linux
 * does, so nobody can take it in between.
 * DIVERGENCE: no priority inheritance: one CPU brought up and no real-time
 * scheduling class, so there is no priority to boost.
 */
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu

struct pi_pick {
	u64 key;
	struct thread *first; /* the waiter that gets the lock */
	int count;            /* waiters on key */
};

static bool pi_count(struct thread *t, void *arg)
{
	struct pi_pick *p = arg;

	if (t->futex_key == p->key) {
		if (!p->first)
			p->first = t;
		p->count++;
	}
	return false; /* only looking */
}

static bool is_thread(struct thread *t, void *arg)
{
	return t == arg;
}

static int pi_check(u32 *uaddr)
{
	if ((u64)uaddr & 3)
		return -EINVAL;
	return user_check(uaddr, sizeof(*uaddr), true);
}

/* Sleeps on uaddr while it still holds v (which has FUTEX_WAITERS). */
static int pi_sleep(u32 *uaddr, u32 v, u64 deadline_ns)
{
	u64 key = key_of(uaddr);
	struct waitq *wq = bucket(key);
	struct thread *t = thread_current();
	int r = 0;

	spin_lock(&wq->lock);
	s64 cur = uaccess_load32(uaddr);
	if (cur < 0)
		r = (int)cur;
	else if (cur == v) {
		t->futex_key = key;
		t->futex_bitset = ~0u;
		r = waitq_sleep(wq, &wq->lock, deadline_ns);
		t->futex_key = 0;
	}
	spin_unlock(&wq->lock);
	return r;
}

/* Takes a free word: our tid, keeping OWNER_DIED, WAITERS if others wait.
 * 1 taken, 0 the word changed meanwhile, or -EFAULT. */
static int pi_take(u32 *uaddr, u32 v, u32 tid)
{
	struct pi_pick p = { key_of(uaddr), NULL, 0 };

	waitq_wake_match(bucket(p.key), pi_count, &p, 0x7fffffff, NULL);
	u32 nv = tid | (v & FUTEX_OWNER_DIED) | (p.count ? FUTEX_WAITERS : 0);
	s64 old = uaccess_cmpxchg32(uaddr, v, nv);
	return old < 0 ? (int)old : old == v;
}

/*
 * Whether the owner tid names a live thread of the caller's program: a
 * kernel thread's tid (or another process's) is no owner, as a dead one.
 */
static bool pi_owner_alive(u32 owner)
{
	struct thread *t = thread_find((int)owner);

	return t && t->h.process && t->h.process == thread_current()->h.process;
}

int futex_lock_pi(u32 *uaddr, u64 deadline_ns, bool trylock)
{
	u32 tid = (u32)thread_tid();
	bool slept = false;
	int r = pi_check(uaddr);

	if (r)
		return r;
	for (;;) {
		s64 w = uaccess_load32(uaddr);
		if (w < 0)
			return (int)w; /* unmapped meanwhile */
		u32 v = (u32)w, owner = v & FUTEX_TID_MASK;
		if (owner == tid)
			return slept ? 0 : -EDEADLK; /* handed over, or ours already */
		if (r)
			return r; /* woken by a timeout or a signal, still not ours */
		if (!owner) {
			int took = pi_take(uaddr, v, tid);
			if (took)
				return took < 0 ? took : 0;
			continue;
		}
		if (!pi_owner_alive(owner))
			return -ESRCH; /* the owner exited without unlocking */
		if (trylock)
			return -EAGAIN;
		if (!(v & FUTEX_WAITERS)) {
			u32 nv = v | FUTEX_WAITERS;
			s64 old = uaccess_cmpxchg32(uaddr, v, nv);
			if (old < 0)
				return (int)old;
			if (old != v)
				continue;
			v = nv;
		}
		r = pi_sleep(uaddr, v, deadline_ns);
		slept = true;
		if (r == -EINTR)
			r = -ERESTARTNOINTR; /* Linux restarts it after the handler */
	}
}

int futex_unlock_pi(u32 *uaddr)
{
	u32 tid = (u32)thread_tid();
	int r = pi_check(uaddr);

	if (r)
		return r;
	(void)uaccess_load32(uaddr); /* the key depends on the page */
	u64 key = key_of(uaddr);
	struct waitq *wq = bucket(key);
	spin_lock(&wq->lock);
	for (;;) {
		s64 v = uaccess_load32(uaddr);
		if (v < 0) {
			r = (int)v;
			break;
		}
		if ((v & FUTEX_TID_MASK) != tid) {
			r = -EPERM;
			break;
		}
		struct pi_pick p = { key, NULL, 0 };
		waitq_wake_match(wq, pi_count, &p, 0x7fffffff, NULL);
		u32 nv = p.first ? (u32)p.first->tid | (p.count > 1 ? FUTEX_WAITERS : 0) : 0;
		s64 old = uaccess_cmpxchg32(uaddr, (u32)v, nv);
		if (old < 0) {
			r = (int)old;
			break;
		}
		if (old != v)
			continue; /* the program set FUTEX_WAITERS meanwhile */
		if (p.first)
			waitq_wake_match(wq, is_thread, p.first, 1, NULL);
		break;
	}
	spin_unlock(&wq->lock);
	return r;
}

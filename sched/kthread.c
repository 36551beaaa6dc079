/*
 * sched/kthread.c: kernel threads for drivers' bottom halves, the
 * interface of skiff/kthread.h over the scheduler's threads and wait
 * queues. The latch (woken) is read and cleared under the queue's own
 * lock, which waitq_sleep releases only once the thread is on the queue,
 * so a wake between the check and the sleep is never lost.
 */
#include <skiff/alloc.h>
#include <skiff/kthread.h>
#include <skiff/sched.h>

struct kthread {
	struct waitq wq;	/* the thread sleeps here, alone */
	bool woken;		/* the latch, under wq.lock */
	void (*fn)(struct kthread *, void *);
	void *arg;
};

static void trampoline(void *p)
{
	struct kthread *k = p;

	k->fn(k, k->arg);
	panic("kernel thread %s returned", thread_name(thread_current()));
}

struct kthread *kthread_run(const char *name,
			    void (*fn)(struct kthread *self, void *arg),
			    void *arg)
{
	struct kthread *k = kzalloc(sizeof(*k));

	if (!k)
		return NULL;
	waitq_init(&k->wq);
	k->fn = fn;
	k->arg = arg;
	if (!thread_create(name, trampoline, k, false)) {
		kfree(k);
		return NULL;
	}
	return k;
}

void kthread_wait(struct kthread *k)
{
	spin_lock(&k->wq.lock);
	while (!k->woken)
		waitq_sleep(&k->wq, &k->wq.lock, 0);
	k->woken = false;
	spin_unlock(&k->wq.lock);
}

void kthread_wake(struct kthread *k)
{
	spin_lock(&k->wq.lock);
	k->woken = true;
	spin_unlock(&k->wq.lock);
	waitq_wake_one(&k->wq);
}

/*
 * sched/kthread.c: kernel threads for drivers' bottom halves, the
 * interface of skiff/kthread.h over the scheduler's threads and wait
 * queues. The latch (woken) is read and cleared under the queue's own
 * lock, which waitq_sleep releases only once the thread is on the queue,
 * so a wake between the check and the sleep is never lost.
 *
 * A kthread's thread is made at kthread_run but started by the first
 * kthread_wake: until then it would only run to sleep in its first
 * kthread_wait. So bringing a driver up at boot costs no thread switch
 * and arms no timer (sched_add arms the slice timer), and under TCG no
 * translation of the switch and sleep paths before the program runs.
 */
#include <skiff/alloc.h>
#include <skiff/kthread.h>
#include <skiff/sched.h>

struct kthread {
	struct waitq wq;	/* the thread sleeps here, alone */
	bool woken;		/* the latch, under wq.lock */
	bool started;		/* thread started, under wq.lock */
	struct thread *thread;	/* made by kthread_run, started once */
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
	k->thread = thread_create(name, NULL, NULL, false);
	if (!k->thread) {
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
	bool start;

	spin_lock(&k->wq.lock);
	k->woken = true;
	start = !k->started;
	k->started = true;
	spin_unlock(&k->wq.lock);
	if (start)	/* its first kthread_wait will return at once */
		thread_start(k->thread, trampoline, k);
	else
		waitq_wake_one(&k->wq);
}

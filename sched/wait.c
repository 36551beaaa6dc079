/*
 * sched/wait.c: wait queues and mutexes on top of the scheduler's
 * waitq_sleep / waitq_wake_* (sched/sched.c). A mutex may sleep, so it is
 * taken with interrupts on and never recursively: both are checked.
 */
#include <skiff/sched.h>
#include "thread.h"

void waitq_init(struct waitq *wq)
{
	wq->lock = (struct spinlock)SPINLOCK_INIT;
	list_init(&wq->sleepers);
}

void mutex_init(struct mutex *m)
{
	m->lock = (struct spinlock)SPINLOCK_INIT;
	m->owner = NULL;
	waitq_init(&m->waiters);
}

void mutex_lock(struct mutex *m)
{
	struct thread *self = thread_current();

	/* It may sleep: not in an interrupt handler, not under a spinlock. */
	if (!irq_enabled())
		panic("mutex_lock: called with interrupts off");
	spin_lock(&m->lock);
	if (m->owner == self)
		panic("mutex_lock: thread %d already holds this mutex",
		      thread_tid());
	/* A pending signal must not turn the wait into a busy loop. */
	self->uninterruptible = true;
	while (m->owner)
		waitq_sleep(&m->waiters, &m->lock, 0);
	self->uninterruptible = false;
	m->owner = self;
	spin_unlock(&m->lock);
}

bool mutex_trylock(struct mutex *m)
{
	bool got = false;

	spin_lock(&m->lock);
	if (!m->owner) {
		m->owner = thread_current();
		got = true;
	}
	spin_unlock(&m->lock);
	return got;
}

void mutex_unlock(struct mutex *m)
{
	spin_lock(&m->lock);
	if (!m->owner)
		panic("mutex_unlock: the mutex is not locked");
	m->owner = NULL;
	spin_unlock(&m->lock);
	waitq_wake_one(&m->waiters);
}

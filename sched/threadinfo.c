/*
 * sched/threadinfo.c: what the layers above may know of a thread and
 * change in it (interface: include/skiff/sched.h). struct thread stays
 * private to sched/; these accessors are its only window. None sleeps or
 * takes a lock: each reads or writes one field, as the callers did when
 * they reached into the struct.
 */
#include <skiff/lib.h>
#include <skiff/sched.h>
#include "thread.h"

int thread_id(struct thread *t)
{
	return t->tid;
}

void thread_set_id(struct thread *t, int tid)
{
	__atomic_store_n(&t->tid, tid, __ATOMIC_RELAXED);
}

void thread_set_abi(struct thread *t, struct lthread *abi)
{
	t->h.abi = abi;
}

const char *thread_name(struct thread *t)
{
	return t->name;
}

void thread_set_name(struct thread *t, const char name[THREAD_NAME_LEN])
{
	memcpy(t->name, name, THREAD_NAME_LEN);
}

void thread_set_fs_base(struct thread *t, u64 base)
{
	t->fs_base = base;
}

void *thread_fpu_area(struct thread *t)
{
	return t->fpu_area;
}

bool thread_set_uninterruptible(struct thread *t, bool on)
{
	bool was = t->uninterruptible;

	t->uninterruptible = on;
	return was;
}

void thread_summary(struct thread *t, struct thread_summary *s)
{
	s->tid = t->tid;
	s->running = t == thread_current() || t->state == THREAD_RUNNABLE;
	s->process = t->h.process;
	memcpy(s->name, t->name, THREAD_NAME_LEN);
}

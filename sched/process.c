/*
 * sched/process.c: struct process (include/skiff/process.h): creating it,
 * the thread count, and the calls into the ABI layer's registered ops.
 * Layer: sched.
 */
#include <skiff/lib.h>
#include <skiff/mm.h>
#include <skiff/process.h>
#include "thread.h"

static const struct process_abi_ops *abi_ops;

struct process *process_create(int pid)
{
	struct process *p = kzalloc(sizeof(*p));

	if (p)
		p->pid = pid;
	return p;
}

struct process *process_current(void)
{
	return thread_current()->process;
}

void process_thread_started(struct process *p)
{
	__atomic_fetch_add(&p->live_threads, 1, __ATOMIC_SEQ_CST);
}

bool process_thread_exiting(struct process *p)
{
	return __atomic_sub_fetch(&p->live_threads, 1, __ATOMIC_SEQ_CST) == 0;
}

void process_set_abi_ops(const struct process_abi_ops *ops)
{
	abi_ops = ops;
}

bool process_signal_pending(struct thread *t)
{
	return abi_ops && t->abi && abi_ops->signal_pending(t);
}

void process_abi_thread_free(struct thread *t)
{
	if (abi_ops && t->abi)
		abi_ops->thread_free(t);
}

void process_sig_summary(struct process *p, struct thread *t,
			 struct process_sig_summary *s)
{
	memset(s, 0, sizeof(*s));
	if (abi_ops && p)
		abi_ops->sig_summary(p, t, s);
}

/*
 * linux/groupkill.c: ending the other threads of a process, as execve does
 * (Linux's de_thread). The calling thread marks its process (lp->killer);
 * every other thread then sees a signal pending (abi_signal_pending, so
 * its sleeps end with -EINTR) and exits at its next return to the program
 * (lproc_killed_check, on both delivery paths of linux/sigdeliver.c); the
 * caller sleeps until none of them is left. Interface: linux/lproc.h.
 * Layer: Linux ABI.
 *
 * A thread ending here marks the robust futexes it holds (they may live in
 * memory shared with another process) but skips its clear_child_tid
 * store: nothing waits for it in an image exec is about to replace.
 */
#include <skiff/errno.h>
#include <skiff/lib.h>
#include <skiff/time.h>
#include "lproc.h"
#include "signal.h"

/* How long the killer sleeps between looks at its threads: the exiting
 * thread wakes it, but may not be off the thread list yet when it looks. */
#define RECHECK_NS 1000000ull

struct others {
	struct process *p;
	struct thread *self;
	int n;
};

/* Counts the other threads of the process and wakes them from any sleep
 * (under the thread list lock: none is freed meanwhile). */
static void interrupt_other(struct thread *t, void *arg)
{
	struct others *o = arg;

	if (thread_process(t) != o->p || t == o->self)
		return;
	o->n++;
	sched_interrupt(t);
}

bool lproc_killed(struct thread *t)
{
	struct process *p = thread_process(t);
	struct thread *k;

	if (!p || !p->abi)
		return false;
	k = __atomic_load_n(&lproc_of(p)->killer, __ATOMIC_ACQUIRE);
	return k && k != t;
}

int lproc_kill_others(void)
{
	struct thread *self = thread_current();
	struct linux_process *lp = lproc_current();
	struct others o = { process_current(), self, 0 };

	spin_lock(&lp->sig_lock);
	if (lp->killer && lp->killer != self) {
		spin_unlock(&lp->sig_lock);
		return -EAGAIN;
	}
	__atomic_store_n(&lp->killer, self, __ATOMIC_RELEASE);
	spin_unlock(&lp->sig_lock);
	signal_stop_on_send(process_current(), SIGKILL); /* stopped threads go on, to end */

	bool was = thread_set_uninterruptible(self, true);
	for (;;) {
		o.n = 0;
		thread_for_each(interrupt_other, &o);
		if (!o.n)
			break;
		waitq_sleep(&lp->kill_wq, NULL, time_monotonic_ns() + RECHECK_NS);
	}
	thread_set_uninterruptible(self, was);
	return 0;
}

void lproc_killed_check(struct thread *t)
{
	struct process *p = thread_process(t);

	if (!lproc_killed(t))
		return;
	robust_list_cleanup(lthread_of(t));
	process_thread_exiting(p); /* never the last: the killer lives */
	signal_thread_exit(t);
	waitq_wake_all(&lproc_of(p)->kill_wq);
	thread_exit();
}

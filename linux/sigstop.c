/*
 * linux/sigstop.c: job-control stops of the program. SIGSTOP, and SIGTSTP,
 * SIGTTIN and SIGTTOU when their action is the default, stop every thread
 * until SIGCONT (or SIGKILL) is sent; SIGCONT resumes them even when it is
 * blocked or ignored, then runs its handler if it has one. A stop signal
 * discards a pending SIGCONT and SIGCONT the pending stop signals, as on
 * Linux. Layer: Linux ABI; used by sigdeliver.c (interface in signal.h).
 *
 * A thread stops on its way back to the program (after a syscall or an
 * interrupt), so a thread asleep in a syscall stops when that call ends.
 * DIVERGENCE: Linux also stops it in place; nothing else can tell, since
 * the program runs no code until SIGCONT. In a VM of one process the
 * SIGCONT comes from a timer (timer_create, SIGEV_SIGNAL) or SIGKILL.
 * The stop state is the process's (struct linux_process, lproc.h).
 */
#include <skiff/sched.h>
#include "signal.h"

void signal_stop_on_send(struct linux_process *lp, int sig)
{
	if (sig == SIGCONT || sig == SIGKILL) {
		if (sig == SIGCONT)
			signal_discard(lp, STOP_SIGNALS);
		spin_lock(&lp->stop_lock);
		lp->stopped = false;
		waitq_wake_all(&lp->stop_wq);
		spin_unlock(&lp->stop_lock);
	} else if (STOP_SIGNALS & sigbit(sig)) {
		signal_discard(lp, sigbit(SIGCONT));
	}
}

/* Sleeps, deaf to signals, until the group stop ends. */
static void stop_sleep(struct linux_process *lp, struct thread *t)
{
	spin_lock(&lp->stop_lock);
	while (lp->stopped) {
		bool was = thread_set_uninterruptible(t, true);
		waitq_sleep(&lp->stop_wq, &lp->stop_lock, 0);
		thread_set_uninterruptible(t, was);
	}
	spin_unlock(&lp->stop_lock);
}

void signal_stop_now(struct thread *t)
{
	struct linux_process *lp = lproc_of(thread_process(t));

	spin_lock(&lp->stop_lock);
	lp->stopped = true;
	spin_unlock(&lp->stop_lock);
	stop_sleep(lp, t);
}

void signal_stop_check(struct thread *t)
{
	struct linux_process *lp = lproc_of(thread_process(t));

	if (__atomic_load_n(&lp->stopped, __ATOMIC_RELAXED))
		stop_sleep(lp, t);
}

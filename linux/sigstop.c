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
 * the program runs no code until SIGCONT (from another process, a timer
 * or SIGKILL).
 * The stop state is the process's (struct linux_process, lproc.h).
 */
#include <skiff/sched.h>
#include "exit.h"
#include "signal.h"

/* Tells p's parent that p stopped (status (sig << 8) | 0x7f, CLD_STOPPED)
 * or continued (0xffff, CLD_CONTINUED). */
static void report(struct process *p, int status, int code, int sig)
{
	struct linux_siginfo i;

	process_tree_lock();
	struct process *parent = p->parent;
	if (parent)
		process_get(parent);
	process_tree_unlock();
	if (!parent)
		return;
	process_report_stop(p, status);
	struct linux_process *pl = lproc_of(parent);
	spin_lock(&pl->sig_lock);
	bool quiet = pl->actions[SIGCHLD - 1].flags & SA_NOCLDSTOP;
	spin_unlock(&pl->sig_lock);
	if (!quiet) {
		exit_fill_chld(&i, p->pid, lproc_of(p)->cred.uid[0], p->cpu_ns,
			       code, sig);
		signal_send_process(parent, SIGCHLD, &i);
	}
	process_put(parent);
}

void signal_stop_on_send(struct process *p, int sig)
{
	struct linux_process *lp = lproc_of(p);

	if (sig == SIGCONT || sig == SIGKILL) {
		if (sig == SIGCONT)
			signal_discard(lp, STOP_SIGNALS);
		spin_lock(&lp->stop_lock);
		bool was = lp->stopped;
		lp->stopped = false;
		waitq_wake_all(&lp->stop_wq);
		spin_unlock(&lp->stop_lock);
		if (was && sig == SIGCONT)
			report(p, 0xffff, CLD_CONTINUED, SIGCONT);
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

void signal_stop_now(struct thread *t, int sig)
{
	struct linux_process *lp = lproc_of(thread_process(t));

	spin_lock(&lp->stop_lock);
	bool was = lp->stopped;
	lp->stopped = true;
	spin_unlock(&lp->stop_lock);
	if (!was)
		report(thread_process(t), (sig << 8) | 0x7f, CLD_STOPPED, sig);
	stop_sleep(lp, t);
}

void signal_stop_check(struct thread *t)
{
	struct linux_process *lp = lproc_of(thread_process(t));

	if (__atomic_load_n(&lp->stopped, __ATOMIC_RELAXED))
		stop_sleep(lp, t);
}

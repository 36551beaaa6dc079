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
 */
#include <skiff/sched.h>
#include "signal.h"

static bool stopped;          /* a group stop is in effect */
static struct waitq stop_wq;  /* the stopped threads */
static struct spinlock stop_lock = SPINLOCK_INIT;
static bool ready;

static void init_once(void)
{
	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
		waitq_init(&stop_wq);
		__atomic_store_n(&ready, true, __ATOMIC_RELEASE);
	}
}

void signal_stop_on_send(int sig)
{
	init_once();
	if (sig == SIGCONT || sig == SIGKILL) {
		if (sig == SIGCONT)
			signal_discard(STOP_SIGNALS);
		spin_lock(&stop_lock);
		stopped = false;
		waitq_wake_all(&stop_wq);
		spin_unlock(&stop_lock);
	} else if (STOP_SIGNALS & sigbit(sig)) {
		signal_discard(sigbit(SIGCONT));
	}
}

/* Sleeps, deaf to signals, until the group stop ends. */
static void stop_sleep(struct thread *t)
{
	spin_lock(&stop_lock);
	while (stopped) {
		bool was = t->uninterruptible;
		t->uninterruptible = true;
		waitq_sleep(&stop_wq, &stop_lock, 0);
		t->uninterruptible = was;
	}
	spin_unlock(&stop_lock);
}

void signal_stop_now(struct thread *t)
{
	init_once();
	spin_lock(&stop_lock);
	stopped = true;
	spin_unlock(&stop_lock);
	stop_sleep(t);
}

void signal_stop_check(struct thread *t)
{
	if (__atomic_load_n(&stopped, __ATOMIC_RELAXED))
		stop_sleep(t);
}

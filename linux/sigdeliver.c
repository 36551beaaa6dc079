/*
 * linux/sigdeliver.c: making signals pending and running their handlers.
 *
 * A handler runs on the way back to the program: after a syscall
 * (signal_deliver_syscall), after an interrupt that preempted program code
 * (signal_deliver_trap), or at once for a fault (signal_fault). The
 * interrupted registers, FPU state and mask are saved in a signal frame on
 * the program's stack (or its alternate stack), built by arch
 * (sigframe_push, skiff/frame.h); rt_sigreturn puts them back, all
 * registers included, through the trap return path.
 * Every read of the dispositions takes a snapshot under sig_lock (a
 * handler may be replaced by another thread meanwhile), and SA_RESETHAND
 * resets in that same step. Layer: Linux ABI.
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include "exit.h"
#include "pgrp.h"
#include "signal.h"
#include "sys.h"

#define DEFAULT_IGNORED (sigbit(SIGCHLD) | sigbit(SIGCONT) | sigbit(SIGURG) | \
			 sigbit(SIGWINCH))

/* Whether sig would be discarded now. sig_lock held. */
static bool ignored(struct linux_process *lp, int sig)
{
	u64 h = lp->actions[sig - 1].handler;

	return h == SIG_IGN || (h == SIG_DFL && (DEFAULT_IGNORED & sigbit(sig)));
}

void signal_thread_exit(struct thread *t)
{
	struct linux_process *lp = lproc_of(thread_process(t));
	struct lthread *lt = lthread_of(t);

	spin_lock(&lp->sig_lock);
	sigq_discard(&lt->pending, &lp->budget, ~0ull);
	spin_unlock(&lp->sig_lock);
}

void signal_send_thread(struct thread *t, int sig, const struct linux_siginfo *info)
{
	struct linux_process *lp;
	struct lthread *lt = lthread_of(t);

	if (!lt) /* freed after it exited: as Linux, to no one */
		return;
	lp = lproc_of(thread_process(t));
	spin_lock(&lp->sig_lock);
	if (ignored(lp, sig) && !(lt->sigmask & sigbit(sig)) && sig != SIGKILL) {
		spin_unlock(&lp->sig_lock);
		signal_stop_on_send(thread_process(t), sig);
		return;
	}
	sigq_add(&lt->pending, &lp->budget, sig, info);
	spin_unlock(&lp->sig_lock);
	/* After queueing: a SIGKILL that ends a stop is pending when the
	 * stopped thread wakes (before, a thread woken first went back to
	 * its restarted read, stopped again, and slept for ever). */
	signal_stop_on_send(thread_process(t), sig);
	if (!(lt->sigmask & sigbit(sig)))
		sched_interrupt(t);
	signalfd_notify();
}

struct pick {
	struct process *p;
	int sig;
	struct thread *t;
};

/* Whether t, of process p, can take sig now. Not a thread that is ending
 * (exec): the signal would go with it. */
static bool can_take(struct thread *t, struct process *p, int sig)
{
	return thread_process(t) == p && thread_abi(t) &&
	       !(lthread_of(t)->sigmask & sigbit(sig)) && !lproc_killed(t);
}

static void pick_thread(struct thread *t, void *arg)
{
	struct pick *p = arg;

	if (!p->t && can_take(t, p->p, p->sig))
		p->t = t;
}

/* The main thread (tid = pid), when it can take sig and has no other
 * signal to handle, as Linux tries the thread-group leader first. */
static void pick_leader(struct thread *t, void *arg)
{
	struct pick *p = arg;

	if (!p->t && thread_id(t) == p->p->pid && can_take(t, p->p, p->sig) &&
	    !(lthread_of(t)->pending.set & ~lthread_of(t)->sigmask))
		p->t = t;
}

void signal_send_process(struct process *proc, int sig,
			 const struct linux_siginfo *info)
{
	struct linux_process *lp = lproc_of(proc);
	struct thread *self = thread_current();
	struct pick p = { proc, sig, NULL };

	/* As Linux: the main thread first (a program that waits for signals
	 * in its main thread, as Python does, sees them interrupt its sleep
	 * there), then the sender, then any thread that can take it. */
	if (thread_id(self) == proc->pid)
		pick_leader(self, &p);
	else if (proc->live_threads > 1)
		thread_for_each(pick_leader, &p);
	if (!p.t)
		pick_thread(self, &p);
	if (!p.t)
		thread_for_each(pick_thread, &p);
	if (p.t) {
		signal_send_thread(p.t, sig, info);
		return;
	}
	spin_lock(&lp->sig_lock);
	if (!ignored(lp, sig) || sig == SIGKILL)
		sigq_add(&lp->shared, &lp->budget, sig, info);
	spin_unlock(&lp->sig_lock);
	signal_stop_on_send(proc, sig); /* after queueing, as above */
	signalfd_notify();
}

bool signal_is_pending(struct process *p, struct thread *t, int sig)
{
	u64 pending = lproc_of(p)->shared.set;

	/* A process signal may sit with the thread it was routed to. */
	if (!t && thread_process(thread_current()) == p)
		t = thread_current();
	if (t && thread_abi(t))
		pending |= lthread_of(t)->pending.set;
	return pending & sigbit(sig);
}

u64 signal_pending_set(struct thread *t, u64 set)
{
	struct linux_process *lp = lproc_of(thread_process(t));

	spin_lock(&lp->sig_lock);
	u64 p = (lthread_of(t)->pending.set | lp->shared.set) & set;
	spin_unlock(&lp->sig_lock);
	return p;
}

void signal_claim(struct thread *t)
{
	struct linux_process *lp = lproc_of(thread_process(t));
	struct lthread *lt = lthread_of(t);

	spin_lock(&lp->sig_lock);
	sigq_move(&lp->shared, &lt->pending, &lp->budget, ~lt->sigmask);
	spin_unlock(&lp->sig_lock);
}

void signal_set_mask(u64 mask)
{
	struct thread *t = thread_current();

	lthread_of(t)->sigmask = mask & ~UNBLOCKABLE;
	signal_claim(t);
}

int signal_dequeue(struct thread *t, u64 set, struct linux_siginfo *info)
{
	struct linux_process *lp = lproc_of(thread_process(t));
	struct sigqueue *from;

	spin_lock(&lp->sig_lock);
	int sig = sigq_next(&lthread_of(t)->pending, &lp->shared, set, &from);
	if (sig)
		sigq_take(from, &lp->budget, sig, info);
	spin_unlock(&lp->sig_lock);
	return sig;
}

struct linux_sigaction signal_action(int sig)
{
	struct linux_process *lp = lproc_current();

	spin_lock(&lp->sig_lock);
	struct linux_sigaction a = lp->actions[sig - 1];
	spin_unlock(&lp->sig_lock);
	return a;
}

/* The action to run for sig now; a one-shot handler is reset in the same
 * step, so two deliveries never both run it. */
static struct linux_sigaction take_action(struct linux_process *lp, int sig)
{
	spin_lock(&lp->sig_lock);
	struct linux_sigaction a = lp->actions[sig - 1];
	if ((a.flags & SA_RESETHAND) && a.handler != SIG_DFL &&
	    a.handler != SIG_IGN) {
		lp->actions[sig - 1].handler = SIG_DFL;
		lp->actions[sig - 1].flags &= ~SA_SIGINFO;
	}
	spin_unlock(&lp->sig_lock);
	return a;
}

static u64 pending_for(struct lthread *lt, struct linux_process *lp)
{
	return (lt->pending.set | lp->shared.set) & ~lt->sigmask;
}

static bool on_altstack(const struct lthread *lt, u64 sp)
{
	return lt->altstack_size && sp > lt->altstack_sp &&
	       sp - lt->altstack_sp <= lt->altstack_size;
}

/*
 * Runs action act of sig for the interrupted registers mc: nothing
 * (ignored), the end of the program (default), or a frame for the
 * handler, after which mc holds the handler's registers. Returns true
 * for a handler.
 */
static bool deliver(struct lthread *lt, struct sig_context *mc, int sig,
		    const struct linux_sigaction *act, struct linux_siginfo *info)
{
	u64 fault_addr = info->code > 0 ? info->addr : 0;

	if (act->handler == SIG_IGN && sig != SIGKILL)
		return false;
	if (act->handler == SIG_DFL || sig == SIGKILL) {
		if ((DEFAULT_IGNORED & sigbit(sig)) && sig != SIGKILL)
			return false;
		if (STOP_SIGNALS & sigbit(sig)) {
			/* POSIX: an orphaned group's SIGTSTP, SIGTTIN and
			 * SIGTTOU are discarded (nothing could continue it):
			 * pid 1's own group too, so a Ctrl-Z does not hang
			 * the VM for good. */
			if (sig == SIGSTOP || !jobctl_orphaned())
				signal_stop_now(lt->t, sig);
			return false;
		}
		exit_fatal_signal(sig, fault_addr, mc->rip);
	}

	rseq_abort_check(&mc->rip); /* a handler ends a critical section */

	struct sigframe_setup s = {
		.sig = sig, .handler = act->handler, .restorer = act->restorer,
		.info = info,
		.sigmask = lt->restore_sigmask ? lt->saved_sigmask : lt->sigmask,
		.stack = { lt->altstack_sp, lt->altstack_size ? 0 : SS_DISABLE,
			   0, lt->altstack_size },
		.sp = mc->rsp,
	};
	if ((act->flags & SA_ONSTACK) && lt->altstack_size &&
	    !on_altstack(lt, mc->rsp)) {
		s.sp = lt->altstack_sp + lt->altstack_size;
		s.altstack = true;
	}
	if (sigframe_push(mc, &s))
		exit_fatal_signal(SIGSEGV, s.sp, mc->rip);
	lt->restore_sigmask = false;
	if (lt->altstack_flags & SS_AUTODISARM)
		lt->altstack_size = 0;
	lt->sigmask |= act->mask | ((act->flags & SA_NODEFER) ? 0 : sigbit(sig));
	lt->sigmask &= ~UNBLOCKABLE;
	return true;
}

/* Syscalls that SA_RESTART (or an ignored signal) restarts after -EINTR. */
static bool restartable(long nr)
{
	switch (nr) {
	case 0: case 1: case 16: case 17: case 18: case 19: case 20: /* read..writev */
	case 2: case 257: /* open, openat */
	case 202: /* futex */
	case 43: case 288: case 42: case 44: case 45: case 46: case 47: /* sockets */
	case 61: case 247: /* wait4, waitid */
	case 72: /* fcntl */
		return true;
	default:
		return false;
	}
}

static void restore_mask(struct lthread *lt)
{
	if (lt->restore_sigmask) {
		lt->restore_sigmask = false;
		lt->sigmask = lt->saved_sigmask;
	}
}

/* Whether a group stop or another thread's exec or exit is in effect:
 * the two checks below, looked at inline on every syscall's way out. */
static inline bool stop_or_kill(struct linux_process *lp)
{
	return __atomic_load_n(&lp->stopped, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&lp->killer, __ATOMIC_RELAXED);
}

void signal_deliver_syscall(struct syscall_frame *f)
{
	struct thread *t = thread_current();
	struct lthread *lt = lthread_of(t);
	struct linux_process *lp = lproc_of(thread_process(t));
	long r = f->rax;
	bool ran = false;
	/* -ERESTARTNOINTR: restarted in every case (handler or none). */
	bool always = r == -ERESTARTNOINTR, restarted = false;

	rseq_cpu_update(lt);
	if (stop_or_kill(lp)) {
		signal_stop_check(t);
		lproc_killed_check(t);
	}
	if (always)
		r = -EINTR;
	if (!pending_for(lt, lp) && r != -EINTR) {
		restore_mask(lt);
		return;
	}
	struct sig_context mc;
	sigctx_from_syscall(f, &mc);
	for (int n = 0; n < NSIG; n++) {
		struct linux_siginfo info;
		int sig = signal_dequeue(t, ~lt->sigmask, &info);
		if (!sig)
			break;
		struct linux_sigaction act = take_action(lp, sig);
		bool restart = r == -EINTR &&
			       (always || (restartable(lt->sys_nr) &&
					   (act.flags & SA_RESTART)));
		if (!ran && restart && !restarted) {
			sigctx_restart_syscall(&mc, lt->sys_nr);
			restarted = true;
		}
		if (deliver(lt, &mc, sig, &act, &info))
			ran = true;
	}
	if (!ran && !restarted && r == -EINTR &&
	    (always || restartable(lt->sys_nr)))
		sigctx_restart_syscall(&mc, lt->sys_nr);
	restore_mask(lt);
	sigctx_to_syscall(&mc, f);
}

void signal_deliver_trap(struct trap_frame *f)
{
	struct thread *t = thread_current();
	struct lthread *lt = lthread_of(t);
	struct linux_process *lp = lproc_of(thread_process(t));

	rseq_cpu_update(lt);
	if (stop_or_kill(lp)) {
		signal_stop_check(t);
		lproc_killed_check(t);
	}
	if (!pending_for(lt, lp))
		return;
	struct sig_context mc;
	sigctx_from_trap(f, 0, &mc);
	for (int n = 0; n < NSIG; n++) {
		struct linux_siginfo info;
		int sig = signal_dequeue(t, ~lt->sigmask, &info);
		if (!sig)
			break;
		struct linux_sigaction act = take_action(lp, sig);
		deliver(lt, &mc, sig, &act, &info);
	}
	sigctx_to_trap(&mc, f);
}

void signal_fault(struct trap_frame *f, int sig, int code, u64 addr)
{
	struct thread *t = thread_current();
	struct lthread *lt = lthread_of(t);
	struct sig_context mc;
	struct linux_siginfo info;

	memset(&info, 0, sizeof(info));
	info.signo = sig;
	info.code = code;
	info.addr = addr;
	struct linux_sigaction act =
		take_action(lproc_of(thread_process(t)), sig);
	/* A blocked or ignored fault cannot be survived: the default action. */
	if ((lt->sigmask & sigbit(sig)) || act.handler == SIG_IGN)
		exit_fatal_signal(sig, addr, f->rip);
	sigctx_from_trap(f, addr, &mc);
	deliver(lt, &mc, sig, &act, &info);
	sigctx_to_trap(&mc, f);
}

long sys_rt_sigreturn(void)
{
	struct thread *t = thread_current();
	struct lthread *lt = lthread_of(t);
	struct syscall_frame *sf = lt->sys_frame;
	struct sig_ucontext uc;
	struct trap_frame tf;

	if (sigframe_pop(sf->rsp, &uc))
		exit_fatal_signal(SIGSEGV, sf->rsp, sf->rcx);
	lt->sigmask = uc.sigmask & ~UNBLOCKABLE;
	if (uc.stack.flags & SS_DISABLE) {
		lt->altstack_size = 0;
	} else if (uc.stack.size >= MINSIGSTKSZ) {
		lt->altstack_sp = uc.stack.sp;
		lt->altstack_size = uc.stack.size;
	}
	memset(&tf, 0, sizeof(tf));
	sigctx_to_trap(&uc.mc, &tf);
	signal_claim(t);
	signal_deliver_trap(&tf);
	irq_disable();
	trap_return(&tf);
}

void signal_summary(struct process *p, struct thread *t,
		    struct process_sig_summary *s)
{
	struct linux_process *lp = lproc_of(p);

	if (!lp)
		return;
	spin_lock(&lp->sig_lock);
	for (int sig = 1; sig <= NSIG; sig++) {
		u64 h = lp->actions[sig - 1].handler;
		if (h == SIG_IGN)
			s->ignored |= sigbit(sig);
		else if (h != SIG_DFL)
			s->caught |= sigbit(sig);
	}
	s->shared_pending = lp->shared.set;
	s->queued = lp->budget.queued;
	if (t && thread_abi(t)) {
		s->blocked = lthread_of(t)->sigmask;
		s->pending = lthread_of(t)->pending.set;
	}
	spin_unlock(&lp->sig_lock);
}

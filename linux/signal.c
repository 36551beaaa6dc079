/*
 * linux/signal.c: the signal syscalls: dispositions, masks, the alternate
 * stack, sending (kill, tgkill, tkill), and waiting (rt_sigsuspend,
 * rt_sigtimedwait, rt_sigpending, pause). Delivery is in sigdeliver.c.
 * Layer: Linux ABI.
 */
#include <skiff/console.h>
#include <skiff/errno.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include <skiff/time.h>
#include "pgrp.h"
#include "signal.h"
#include "sys.h"

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

struct discard {
	struct linux_process *lp;
	u64 sigs;
};

static void discard_in(struct thread *t, void *arg)
{
	struct discard *d = arg;

	if (thread_abi(t) && thread_process(t)->abi == d->lp) {
		spin_lock(&d->lp->sig_lock);
		sigq_discard(&lthread_of(t)->pending, &d->lp->budget, d->sigs);
		spin_unlock(&d->lp->sig_lock);
	}
}

void signal_discard(struct linux_process *lp, u64 set)
{
	struct discard d = { lp, set };

	spin_lock(&lp->sig_lock);
	sigq_discard(&lp->shared, &lp->budget, set);
	spin_unlock(&lp->sig_lock);
	thread_for_each(discard_in, &d);
}

long sys_rt_sigaction(int sig, const struct linux_sigaction *act,
		      struct linux_sigaction *old, size_t setsize)
{
	struct linux_process *lp = lproc_current();
	struct linux_sigaction a;

	if (setsize != sizeof(u64))
		return -EINVAL;
	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (act && copy_from_user(&a, act, sizeof(a)))
		return -EFAULT;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	spin_lock(&lp->sig_lock);
	struct linux_sigaction prev = lp->actions[sig - 1];
	if (act) {
		a.mask &= ~UNBLOCKABLE;
		lp->actions[sig - 1] = a;
	}
	spin_unlock(&lp->sig_lock);
	/* Setting SIG_IGN discards what is pending, in every thread (POSIX). */
	if (act && a.handler == SIG_IGN)
		signal_discard(lp, sigbit(sig));
	if (old && copy_to_user(old, &prev, sizeof(prev)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigprocmask(int how, const u64 *set, u64 *old, size_t setsize)
{
	u64 s = 0, prev = lthread_current()->sigmask;

	if (setsize != sizeof(u64))
		return -EINVAL;
	if (set && copy_from_user(&s, set, sizeof(s)))
		return -EFAULT;
	if (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return -EINVAL;
	if (old && copy_to_user(old, &prev, sizeof(prev)))
		return -EFAULT;
	if (!set)
		return 0;
	if (how == SIG_BLOCK)
		signal_set_mask(prev | s);
	else if (how == SIG_UNBLOCK)
		signal_set_mask(prev & ~s);
	else
		signal_set_mask(s);
	return 0;
}

long sys_rt_sigpending(u64 *set, size_t setsize)
{
	struct thread *t = thread_current();

	if (setsize > sizeof(u64))
		return -EINVAL;
	u64 p = signal_pending_set(t, lthread_of(t)->sigmask);
	return copy_to_user(set, &p, setsize);
}

static bool on_altstack(struct lthread *t, u64 sp)
{
	return t->altstack_size && sp > t->altstack_sp &&
	       sp - t->altstack_sp <= t->altstack_size;
}

long sys_sigaltstack(const struct sig_stack *ss, struct sig_stack *old)
{
	struct lthread *t = lthread_current();
	u64 sp = t->sys_frame->rsp;
	struct sig_stack n, o = {
		.sp = t->altstack_sp,
		.size = t->altstack_size,
		.flags = t->altstack_size ? (on_altstack(t, sp) ? SS_ONSTACK : 0)
					  : SS_DISABLE,
	};

	o.flags |= t->altstack_flags & SS_AUTODISARM;
	if (ss) {
		if (copy_from_user(&n, ss, sizeof(n)))
			return -EFAULT;
		if (on_altstack(t, sp))
			return -EPERM;
		int mode = n.flags & ~SS_AUTODISARM;
		if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			n.sp = n.size = 0;
		} else if (n.size < MINSIGSTKSZ) {
			return -ENOMEM;
		}
		if (old && copy_to_user(old, &o, sizeof(o)))
			return -EFAULT;
		t->altstack_sp = n.sp;
		t->altstack_size = n.size;
		t->altstack_flags = n.flags & SS_AUTODISARM;
		return 0;
	}
	return old ? copy_to_user(old, &o, sizeof(o)) : 0;
}

static int check_sig(int sig)
{
	return sig < 0 || sig > NSIG ? -EINVAL : 0;
}

static struct linux_siginfo user_info(int sig, int code)
{
	struct linux_siginfo i;

	memset(&i, 0, sizeof(i));
	i.signo = sig;
	i.code = code;
	i.kill.pid = process_current()->pid;
	i.kill.uid = lproc_current()->cred.uid[0];
	return i;
}

/*
 * The host forwarded a signal (skiff got SIGTERM, SIGINT, ...: docker stop
 * and docker kill): sent to the program's first process as kill() would,
 * from a sender outside it (si_pid 0, as a container sees a signal from
 * its host). Runs from the console's receive interrupt.
 */
static struct process *host_target;

static void signal_from_host(int sig)
{
	struct linux_siginfo i;

	/* Not user_info: this interrupt may have come in any thread. */
	memset(&i, 0, sizeof(i));
	i.signo = sig;
	i.code = SI_USER;
	if (host_target)
		signal_send_process(host_target, sig, &i);
}

/*
 * A signal the terminal's keys raised (Ctrl-C, Ctrl-\): to the terminal's
 * foreground process group, as the line discipline sends it, or to the
 * first process when that group is gone. From the console's receive path.
 */
static void signal_from_tty(int sig)
{
	struct linux_siginfo i;
	int pg = console_fg_pgrp();

	memset(&i, 0, sizeof(i));
	i.signo = sig;
	i.code = SI_KERNEL;
	if (pg <= 0 || pgrp_kill(-pg, sig, &i) < 0)
		signal_from_host(sig);
}

void signal_host_init(struct process *p)
{
	host_target = p;
	console_set_signal_hook(signal_from_host);
	console_set_tty_signal_hook(signal_from_tty);
	jobctl_init();
}

long sys_kill(int pid, int sig)
{
	if (check_sig(sig))
		return -EINVAL;
	struct linux_siginfo i = user_info(sig, SI_USER);
	return pgrp_kill(pid, sig, &i);
}

/* Thread tid of the process tgid (0: of any process). */
static struct thread *find_thread(int tgid, int tid)
{
	struct thread *t = thread_find(tid);

	if (!t || !thread_abi(t))
		return NULL;
	return !tgid || thread_process(t)->pid == tgid ? t : NULL;
}

static long thread_kill(int tgid, int tid, int sig)
{
	struct thread *t;

	if (check_sig(sig) || tid <= 0)
		return -EINVAL;
	t = find_thread(tgid, tid);
	if (!t)
		return -ESRCH;
	if (sig) {
		struct linux_siginfo i = user_info(sig, SI_TKILL);
		signal_send_thread(t, sig, &i);
	}
	return 0;
}

long sys_tgkill(int tgid, int tid, int sig)
{
	if (tgid <= 0)
		return -EINVAL;
	return thread_kill(tgid, tid, sig);
}

long sys_tkill(int tid, int sig)
{
	return thread_kill(0, tid, sig);
}

long sys_rt_sigsuspend(const u64 *set, size_t setsize)
{
	struct lthread *t = lthread_current();
	u64 mask;

	if (setsize != sizeof(u64))
		return -EINVAL;
	if (copy_from_user(&mask, set, sizeof(mask)))
		return -EFAULT;
	t->saved_sigmask = t->sigmask;
	t->restore_sigmask = true;
	signal_set_mask(mask);
	while (waitq_sleep(NULL, NULL, 0) != -EINTR)
		;
	return -EINTR;
}

long sys_pause(void)
{
	while (waitq_sleep(NULL, NULL, 0) != -EINTR)
		;
	return -EINTR;
}

long sys_rt_sigtimedwait(const u64 *uset, struct linux_siginfo *uinfo,
			 const struct linux_timespec *uts, size_t setsize)
{
	struct thread *t = thread_current();
	struct lthread *lt = lthread_of(t);
	struct linux_siginfo info;
	struct linux_timespec ts;
	u64 set, deadline = 0;

	if (setsize != sizeof(u64))
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	set &= ~UNBLOCKABLE;
	if (uts) {
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)NSEC_PER_SEC)
			return -EINVAL;
		deadline = time_monotonic_ns() + ts.tv_sec * NSEC_PER_SEC +
			   ts.tv_nsec;
	}
	/* Let the awaited signals wake us although they are blocked. */
	u64 mask = lt->sigmask;
	for (;;) {
		int sig = signal_dequeue(t, set, &info);
		if (sig) {
			lt->sigmask = mask;
			if (uinfo && copy_to_user(uinfo, &info, sizeof(info)))
				return -EFAULT;
			return sig;
		}
		lt->sigmask = mask & ~set;
		signal_claim(t);
		int r = waitq_sleep(NULL, NULL, deadline ? deadline : 0);
		lt->sigmask = mask;
		if (r == -ETIMEDOUT || (uts && !deadline))
			return -EAGAIN;
		if (r == -EINTR && !signal_pending_set(t, set))
			return -EINTR; /* another signal, with a handler */
		if (uts && time_monotonic_ns() >= deadline)
			deadline = 1;
	}
}

/* rt_sigqueueinfo: a signal with the sender's own siginfo (sigqueue(3)). */
long sys_rt_sigqueueinfo(int pid, int sig, const struct linux_siginfo *uinfo)
{
	struct linux_siginfo info;

	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;
	if (check_sig(sig))
		return -EINVAL;
	if (pid < 0)
		return -ESRCH;
	info.signo = sig;
	return pgrp_kill(pid ? pid : process_current()->pid, sig, &info);
}

long sys_rt_tgsigqueueinfo(int tgid, int tid, int sig,
			   const struct linux_siginfo *uinfo)
{
	struct linux_siginfo info;
	struct thread *t;

	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;
	if (check_sig(sig) || tgid <= 0 || tid <= 0)
		return -EINVAL;
	if (!(t = find_thread(tgid, tid)))
		return -ESRCH;
	if (sig) {
		info.signo = sig;
		signal_send_thread(t, sig, &info);
	}
	return 0;
}

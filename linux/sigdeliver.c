/*
 * linux/sigdeliver.c: making signals pending and running their handlers.
 *
 * A handler runs on the way back to the program: after a syscall
 * (signal_deliver_syscall), after an interrupt that preempted program code
 * (signal_deliver_trap), or at once for a fault (signal_fault). The
 * interrupted registers, FPU state and mask are saved in an rt_sigframe on
 * the program's stack (or its alternate stack) in the layout of Linux
 * x86_64, which glibc and musl read (ucontext_t); rt_sigreturn puts them
 * back, all registers included, through the trap return path.
 * Layer: Linux ABI.
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include "../arch/x86_64/trap.h"
#include "signal.h"
#include "sys.h"

u64 proc_pending;

struct rt_sigframe {
	u64 pretcode; /* sa_restorer: the handler returns into it */
	struct linux_ucontext uc;
	struct linux_siginfo info;
};

#define SYNC_SIGNALS (sigbit(SIGSEGV) | sigbit(SIGBUS) | sigbit(SIGILL) | \
		      sigbit(SIGFPE) | sigbit(SIGTRAP))
#define DEFAULT_IGNORED (sigbit(SIGCHLD) | sigbit(SIGCONT) | sigbit(SIGURG) | \
			 sigbit(SIGWINCH))

extern void trap_return(struct trap_frame *f) __noreturn;

static bool ignored(int sig)
{
	u64 h = sig_actions[sig - 1].handler;

	return h == SIG_IGN || (h == SIG_DFL && (DEFAULT_IGNORED & sigbit(sig)));
}

/*
 * Pending signals: a bit in a set (thread's sigpending, or proc_pending)
 * and an entry with its siginfo in the matching queue. A standard signal
 * has at most one entry; a real-time signal (32 and up) queues every
 * instance, as Linux does, up to RLIMIT_SIGPENDING-like MAX_QUEUED.
 * Without memory for an entry the signal stays pending with a plain
 * siginfo. sig_lock guards all of it.
 */
#define SIGRT_FIRST 32
#define MAX_QUEUED 4096

struct pending_sig {
	int sig;
	struct linux_siginfo info;
	struct list link;
};

static struct list proc_queue = { &proc_queue, &proc_queue };
static int nqueued;

static struct list *queue_of(struct thread *t)
{
	if (!t->sigqueue.next)
		list_init(&t->sigqueue);
	return &t->sigqueue;
}

static void enqueue_sig(struct list *q, u64 *set, int sig,
			const struct linux_siginfo *info)
{
	/* A timer has one signal pending at most: a new expiry updates it
	 * (its overrun count), as Linux. */
	if (info && info->code == SI_TIMER && (*set & sigbit(sig))) {
		list_for_each(it, q) {
			struct pending_sig *p = list_entry(it, struct pending_sig, link);
			if (p->sig == sig && p->info.code == SI_TIMER &&
			    p->info.timer.tid == info->timer.tid) {
				p->info = *info;
				p->info.signo = sig;
				return;
			}
		}
	}
	if ((*set & sigbit(sig)) && sig < SIGRT_FIRST)
		return; /* a standard signal does not queue */
	struct pending_sig *p = nqueued < MAX_QUEUED ? kmalloc(sizeof(*p)) : NULL;
	if (p) {
		p->sig = sig;
		if (info) {
			p->info = *info;
		} else {
			memset(&p->info, 0, sizeof(p->info));
			p->info.code = SI_KERNEL;
		}
		p->info.signo = sig;
		list_push_back(q, &p->link);
		nqueued++;
	}
	*set |= sigbit(sig);
}

/* Takes sig's first entry from q into *info; clears its bit when it was the last. */
static void take_sig(struct list *q, u64 *set, int sig, struct linux_siginfo *info)
{
	bool found = false, more = false;

	list_for_each_safe(it, tmp, q) {
		struct pending_sig *p = list_entry(it, struct pending_sig, link);
		if (p->sig != sig)
			continue;
		if (found) {
			more = true;
			break;
		}
		*info = p->info;
		list_remove(&p->link);
		kfree(p);
		nqueued--;
		found = true;
	}
	if (!found) {
		memset(info, 0, sizeof(*info));
		info->code = SI_KERNEL;
	}
	info->signo = sig;
	if (!more)
		*set &= ~sigbit(sig);
}

void signal_thread_exit(struct thread *t)
{
	spin_lock(&sig_lock);
	list_for_each_safe(it, tmp, queue_of(t)) {
		list_remove(it);
		kfree(list_entry(it, struct pending_sig, link));
		nqueued--;
	}
	t->sigpending = 0;
	spin_unlock(&sig_lock);
}

void signal_send_thread(struct thread *t, int sig, const struct linux_siginfo *info)
{
	signal_stop_on_send(sig);
	spin_lock(&sig_lock);
	if (ignored(sig) && !(t->sigmask & sigbit(sig)) && sig != SIGKILL) {
		spin_unlock(&sig_lock);
		return;
	}
	enqueue_sig(queue_of(t), &t->sigpending, sig, info);
	spin_unlock(&sig_lock);
	if (!(t->sigmask & sigbit(sig)))
		sched_interrupt(t);
	signalfd_notify();
}

struct pick {
	int sig;
	struct thread *t;
};

static void pick_thread(struct thread *t, void *arg)
{
	struct pick *p = arg;

	if (!p->t && !(t->sigmask & sigbit(p->sig)))
		p->t = t;
}

void signal_send_process(int sig, const struct linux_siginfo *info)
{
	struct thread *self = thread_current();
	struct pick p = { sig, NULL };

	signal_stop_on_send(sig);
	if (self->fpu_area && !(self->sigmask & sigbit(sig)))
		p.t = self;
	else
		thread_for_each(pick_thread, &p);
	if (p.t) {
		signal_send_thread(p.t, sig, info);
		return;
	}
	spin_lock(&sig_lock);
	if (!ignored(sig) || sig == SIGKILL)
		enqueue_sig(&proc_queue, &proc_pending, sig, info);
	spin_unlock(&sig_lock);
	signalfd_notify();
}

bool signal_is_pending(struct thread *t, int sig)
{
	/* A process signal may sit with the thread it was routed to. */
	struct thread *self = thread_current();
	u64 pending = proc_pending | (t ? t->sigpending :
				      self->fpu_area ? self->sigpending : 0);

	return pending & sigbit(sig);
}

static void discard_from(struct list *q, u64 *set, u64 drop)
{
	list_for_each_safe(it, tmp, q) {
		struct pending_sig *p = list_entry(it, struct pending_sig, link);
		if (drop & sigbit(p->sig)) {
			list_remove(&p->link);
			kfree(p);
			nqueued--;
		}
	}
	*set &= ~drop;
}

static void discard_thread(struct thread *t, void *arg)
{
	discard_from(queue_of(t), &t->sigpending, *(u64 *)arg);
}

void signal_discard(u64 set)
{
	spin_lock(&sig_lock);
	discard_from(&proc_queue, &proc_pending, set);
	thread_for_each(discard_thread, &set);
	spin_unlock(&sig_lock);
}

void signal_claim(struct thread *t)
{
	spin_lock(&sig_lock);
	u64 mine = proc_pending & ~t->sigmask;
	if (mine) {
		list_for_each_safe(it, tmp, &proc_queue) {
			struct pending_sig *p = list_entry(it, struct pending_sig, link);
			if (mine & sigbit(p->sig)) {
				list_remove(&p->link);
				list_push_back(queue_of(t), &p->link);
			}
		}
		proc_pending &= ~mine;
		t->sigpending |= mine;
	}
	spin_unlock(&sig_lock);
}

int signal_dequeue(struct thread *t, u64 set, struct linux_siginfo *info)
{
	spin_lock(&sig_lock);
	/* As Linux: the thread's own signals first, then the process's;
	 * within each, synchronous faults first, then the lowest number. */
	bool own = t->sigpending & set;
	u64 avail = (own ? t->sigpending : proc_pending) & set;
	if (!avail) {
		spin_unlock(&sig_lock);
		return 0;
	}
	u64 pick = (avail & SYNC_SIGNALS) ? (avail & SYNC_SIGNALS) : avail;
	int sig = __builtin_ctzll(pick) + 1;
	if (own)
		take_sig(queue_of(t), &t->sigpending, sig, info);
	else
		take_sig(&proc_queue, &proc_pending, sig, info);
	spin_unlock(&sig_lock);
	return sig;
}

static u64 pending_for(struct thread *t)
{
	return (t->sigpending | proc_pending) & ~t->sigmask;
}

/*
 * Runs sig's action for the interrupted registers mc: nothing (ignored),
 * the end of the program (default), or a frame for the handler, after
 * which mc holds the handler's registers. Returns true for a handler.
 */
static bool deliver(struct thread *t, struct linux_sigcontext *mc, int sig,
		    struct linux_siginfo *info)
{
	struct linux_sigaction act = sig_actions[sig - 1];
	u64 fault_addr = info->code > 0 ? info->addr : 0;

	if (act.handler == SIG_IGN && sig != SIGKILL)
		return false;
	if (act.handler == SIG_DFL || sig == SIGKILL) {
		if ((DEFAULT_IGNORED & sigbit(sig)) && sig != SIGKILL)
			return false;
		if (STOP_SIGNALS & sigbit(sig)) {
			signal_stop_now(t);
			return false;
		}
		kernel_fatal_signal(sig, fault_addr, mc->rip);
	}

	rseq_abort_check(&mc->rip); /* a handler ends a critical section */

	/* Where the frame goes: the alternate stack, or below the red zone. */
	u64 sp = mc->rsp - 128;
	if ((act.flags & SA_ONSTACK) && t->altstack_size &&
	    !(mc->rsp > t->altstack_sp &&
	      mc->rsp - t->altstack_sp <= t->altstack_size))
		sp = t->altstack_sp + t->altstack_size;
	u64 fpstate = ALIGN_DOWN(sp - cpu_feat.xsave_size, 64);
	u64 frame_at = ALIGN_DOWN(fpstate - sizeof(struct rt_sigframe), 16) - 8;
	if (user_check((void *)frame_at, sp - frame_at, true))
		kernel_fatal_signal(SIGSEGV, frame_at, mc->rip);

	struct rt_sigframe *fr = (void *)frame_at;
	memset(fr, 0, sizeof(*fr));
	/* XSAVE leaves bytes 8-63 of the header alone: clear it, as Linux
	 * does, or stale stack bytes fail rt_sigreturn's check. */
	if (cpu_feat.xsave)
		memset((void *)(fpstate + 512), 0, 64);
	fpu_save((void *)fpstate);
	fr->pretcode = act.restorer;
	fr->info = *info;
	fr->uc.stack = (struct linux_stack){ t->altstack_sp,
					     t->altstack_size ? 0 : SS_DISABLE,
					     0, t->altstack_size };
	mc->fpstate = fpstate;
	fr->uc.mc = *mc;
	fr->uc.sigmask = t->restore_sigmask ? t->saved_sigmask : t->sigmask;
	t->restore_sigmask = false;
	if (t->altstack_flags & SS_AUTODISARM)
		t->altstack_size = 0;

	t->sigmask |= act.mask | ((act.flags & SA_NODEFER) ? 0 : sigbit(sig));
	t->sigmask &= ~UNBLOCKABLE;
	if (act.flags & SA_RESETHAND) {
		sig_actions[sig - 1].handler = SIG_DFL;
		sig_actions[sig - 1].flags &= ~SA_SIGINFO;
	}

	/* The handler's registers: f(sig, &info, &uc), returning to pretcode. */
	mc->rip = act.handler;
	mc->rsp = frame_at;
	mc->rdi = sig;
	mc->rsi = (u64)&fr->info;
	mc->rdx = (u64)&fr->uc;
	mc->rax = 0;
	mc->eflags &= ~(0x400ull | 0x100ull); /* DF, TF */
	return true;
}

static void from_syscall(const struct syscall_frame *f, struct linux_sigcontext *mc)
{
	*mc = (struct linux_sigcontext){
		.r8 = f->r8, .r9 = f->r9, .r10 = f->r10, .r11 = f->r11,
		.r12 = f->r12, .r13 = f->r13, .r14 = f->r14, .r15 = f->r15,
		.rdi = f->rdi, .rsi = f->rsi, .rbp = f->rbp, .rbx = f->rbx,
		.rdx = f->rdx, .rax = f->rax, .rcx = f->rcx, .rsp = f->rsp,
		.rip = f->rcx, .eflags = f->r11, .cs = 0x08, .ss = 0x10,
	};
}

static void from_trap(const struct trap_frame *f, struct linux_sigcontext *mc)
{
	*mc = (struct linux_sigcontext){
		.r8 = f->r8, .r9 = f->r9, .r10 = f->r10, .r11 = f->r11,
		.r12 = f->r12, .r13 = f->r13, .r14 = f->r14, .r15 = f->r15,
		.rdi = f->rdi, .rsi = f->rsi, .rbp = f->rbp, .rbx = f->rbx,
		.rdx = f->rdx, .rax = f->rax, .rcx = f->rcx, .rsp = f->rsp,
		.rip = f->rip, .eflags = f->rflags, .cs = 0x08, .ss = 0x10,
		.err = f->error, .trapno = f->vector,
	};
}

static void to_trap(const struct linux_sigcontext *mc, struct trap_frame *f)
{
	f->r8 = mc->r8; f->r9 = mc->r9; f->r10 = mc->r10; f->r11 = mc->r11;
	f->r12 = mc->r12; f->r13 = mc->r13; f->r14 = mc->r14; f->r15 = mc->r15;
	f->rdi = mc->rdi; f->rsi = mc->rsi; f->rbp = mc->rbp; f->rbx = mc->rbx;
	f->rdx = mc->rdx; f->rax = mc->rax; f->rcx = mc->rcx; f->rsp = mc->rsp;
	f->rip = mc->rip;
	/* The program may change the arithmetic flags, DF, TF and AC. */
	f->rflags = (mc->eflags & 0x40dd5) | 0x202;
	f->cs = 0x08;
	f->ss = 0x10;
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

void signal_deliver_syscall(struct syscall_frame *f)
{
	struct thread *t = thread_current();
	long r = f->rax;
	bool ran = false;
	/* -ERESTARTNOINTR: restarted in every case (handler or none). */
	bool always = r == -ERESTARTNOINTR, restarted = false;

	signal_stop_check(t);
	if (always)
		r = -EINTR;
	if (!pending_for(t) && r != -EINTR) {
		if (t->restore_sigmask) {
			t->restore_sigmask = false;
			t->sigmask = t->saved_sigmask;
		}
		return;
	}
	struct linux_sigcontext mc;
	from_syscall(f, &mc);
	for (int n = 0; n < NSIG; n++) {
		struct linux_siginfo info;
		int sig = signal_dequeue(t, ~t->sigmask, &info);
		if (!sig)
			break;
		struct linux_sigaction act = sig_actions[sig - 1];
		bool restart = r == -EINTR && (always || (restartable(t->sys_nr) &&
						      (act.flags & SA_RESTART)));
		if (!ran && restart && !restarted) {
			mc.rax = t->sys_nr; /* re-run the syscall after the handler */
			mc.rip -= 2;        /* the SYSCALL instruction */
			mc.rcx = mc.rip;
			restarted = true;
		}
		if (deliver(t, &mc, sig, &info))
			ran = true;
	}
	if (!ran && !restarted && r == -EINTR &&
	    (always || restartable(t->sys_nr))) {
		mc.rax = t->sys_nr;
		mc.rip -= 2;
		mc.rcx = mc.rip;
	}
	if (t->restore_sigmask) {
		t->restore_sigmask = false;
		t->sigmask = t->saved_sigmask;
	}
	f->r8 = mc.r8; f->r9 = mc.r9; f->r10 = mc.r10;
	f->r12 = mc.r12; f->r13 = mc.r13; f->r14 = mc.r14; f->r15 = mc.r15;
	f->rdi = mc.rdi; f->rsi = mc.rsi; f->rbp = mc.rbp; f->rbx = mc.rbx;
	f->rdx = mc.rdx; f->rax = mc.rax; f->rsp = mc.rsp;
	f->rcx = mc.rip;
	f->r11 = (mc.eflags & 0x40dd5) | 0x202;
}

void signal_deliver_trap(struct trap_frame *f)
{
	struct thread *t = thread_current();

	signal_stop_check(t);
	if (!pending_for(t))
		return;
	struct linux_sigcontext mc;
	from_trap(f, &mc);
	for (int n = 0; n < NSIG; n++) {
		struct linux_siginfo info;
		int sig = signal_dequeue(t, ~t->sigmask, &info);
		if (!sig)
			break;
		deliver(t, &mc, sig, &info);
	}
	to_trap(&mc, f);
}

void signal_fault(struct trap_frame *f, int sig, int code, u64 addr)
{
	struct thread *t = thread_current();
	struct linux_sigcontext mc;
	struct linux_siginfo info;

	memset(&info, 0, sizeof(info));
	info.signo = sig;
	info.code = code;
	info.addr = addr;
	/* A blocked or ignored fault cannot be survived: the default action. */
	if ((t->sigmask & sigbit(sig)) || sig_actions[sig - 1].handler == SIG_IGN)
		kernel_fatal_signal(sig, addr, f->rip);
	from_trap(f, &mc);
	mc.cr2 = f->vector == 14 ? addr : 0;
	deliver(t, &mc, sig, &info);
	to_trap(&mc, f);
}

/* An XSAVE area the program gave back must not make XRSTOR fault. */
static bool fpstate_ok(u64 p)
{
	if ((p & 63) || user_check((void *)p, cpu_feat.xsave_size, false))
		return false;
	const u8 *a = (const u8 *)p;
	u32 mxcsr;
	memcpy(&mxcsr, a + 24, 4);
	if (mxcsr & ~0xffffu)
		return false;
	if (!cpu_feat.xsave)
		return true;
	u64 hdr[8];
	memcpy(hdr, a + 512, sizeof(hdr));
	if (hdr[0] & ~cpu_feat.xcr0 || hdr[1])
		return false;
	for (int i = 2; i < 8; i++)
		if (hdr[i])
			return false;
	return true;
}

long sys_rt_sigreturn(void)
{
	struct thread *t = thread_current();
	struct syscall_frame *sf = t->sys_frame;
	struct rt_sigframe *fr = (void *)(sf->rsp - 8);
	struct trap_frame tf;

	if (user_check(fr, sizeof(*fr), false))
		kernel_fatal_signal(SIGSEGV, (u64)fr, sf->rcx);
	struct linux_ucontext uc = fr->uc;
	if (uc.mc.fpstate && !fpstate_ok(uc.mc.fpstate))
		kernel_fatal_signal(SIGSEGV, uc.mc.fpstate, sf->rcx);
	t->sigmask = uc.sigmask & ~UNBLOCKABLE;
	if (uc.stack.flags & SS_DISABLE) {
		t->altstack_size = 0;
	} else if (uc.stack.size >= MINSIGSTKSZ) {
		t->altstack_sp = uc.stack.sp;
		t->altstack_size = uc.stack.size;
	}
	memset(&tf, 0, sizeof(tf));
	to_trap(&uc.mc, &tf);
	irq_disable();
	if (uc.mc.fpstate)
		fpu_restore((void *)uc.mc.fpstate);
	irq_enable();
	signal_claim(t);
	signal_deliver_trap(&tf);
	irq_disable();
	trap_return(&tf);
}

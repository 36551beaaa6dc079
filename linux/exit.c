/*
 * linux/exit.c: how a thread and a process end: exit, exit_group, a fatal
 * signal. Layer: Linux ABI; the process tree it updates is sched/'s
 * (skiff/process.h), interface in linux/exit.h.
 *
 * Pid 1 is the program skiff started: its end is the VM's (kernel_exit,
 * kernel_fatal_signal), as before processes existed. Another process ends
 * in steps:
 *   1. exit_group or a fatal signal marks it exiting (lp->exiting, the
 *      first status wins) and sends SIGKILL to its other threads, which
 *      take the same exit at their next return to the program (a sleeping
 *      one is woken by the signal);
 *   2. each thread leaves (robust futexes, clear_child_tid); the last one
 *      tears the process down: timers, fds, cwd, address space;
 *   3. its children go to pid 1 (with their PR_SET_PDEATHSIG), it becomes
 *      a zombie (or is reaped at once when its parent ignores SIGCHLD or
 *      set SA_NOCLDWAIT), its parent's waiters and vfork wait are woken,
 *      and the parent gets its exit_signal with CLD_EXITED or CLD_KILLED.
 */
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include <skiff/futex.h>
#include <skiff/vfs.h>
#include "exit.h"
#include "pgrp.h"
#include "signal.h"

#define NSEC_PER_TICK 10000000ull /* clock_t: USER_HZ = 100 */

void exit_fill_chld(struct linux_siginfo *i, int pid, u32 uid, u64 cpu_ns,
		    int code, int status)
{
	memset(i, 0, sizeof(*i));
	i->signo = SIGCHLD;
	i->code = code;
	i->chld.pid = pid;
	i->chld.uid = uid;
	i->chld.status = status;
	i->chld.utime = cpu_ns / NSEC_PER_TICK;
}

/* Whether parent ignores its children's end: they are reaped at once. */
static bool autoreap(struct process *parent, int exit_signal, bool *send)
{
	struct linux_process *lp = lproc_of(parent);

	spin_lock(&lp->sig_lock);
	struct linux_sigaction a = lp->actions[SIGCHLD - 1];
	spin_unlock(&lp->sig_lock);
	*send = exit_signal && !(exit_signal == SIGCHLD && a.handler == SIG_IGN);
	return exit_signal == SIGCHLD &&
	       (a.handler == SIG_IGN || (a.flags & SA_NOCLDWAIT));
}

/* The next child of p after pid `after` with a PR_SET_PDEATHSIG,
 * referenced; NULL: none. */
static struct process *next_pdeath(struct process *p, int after)
{
	struct process *found = NULL;

	process_tree_lock();
	list_for_each(it, &p->children) {
		struct process *c = list_entry(it, struct process, sibling);
		if (c->pid > after && c->state == PROCESS_LIVE &&
		    lproc_of(c)->pdeathsig && (!found || c->pid < found->pid))
			found = c;
	}
	if (found)
		process_get(found);
	process_tree_unlock();
	return found;
}

/* The children of p get their PR_SET_PDEATHSIG: p is ending. Sent with
 * no lock held (a SIGCONT reports to the parent: the tree lock). */
static void send_pdeathsig(struct process *p)
{
	struct process *c;
	int after = 0;

	while ((c = next_pdeath(p, after))) {
		struct linux_siginfo i;
		int sig = lproc_of(c)->pdeathsig;
		memset(&i, 0, sizeof(i));
		i.signo = sig;
		i.code = SI_USER;
		i.kill.pid = p->pid;
		signal_send_process(c, sig, &i);
		after = c->pid;
		process_put(c);
	}
}

/* Step 2's teardown: what the process held, but not its ABI state (a
 * zombie's is still read: its pid, creds, the wait status). */
static void teardown(struct process *p)
{
	itimer_stop_all(lproc_of(p));
	signal_discard(lproc_of(p), ~0ull);
	/* Under the tree lock: /proc/PID takes references to these there. */
	process_tree_lock();
	struct fd_table *files = p->files;
	struct fs_context *fs = p->fs;
	struct vm_space *vm = p->vm;
	p->files = NULL;
	p->fs = NULL;
	p->vm = NULL;
	process_tree_unlock();
	fd_table_put(files);
	fs_context_put(fs);
	vm_space_put(vm);
}

/* Step 3 for p, whose last thread is the caller (not pid 1). */
static void process_finish(struct process *p, int status)
{
	struct linux_siginfo info;
	int groups[JOBCTL_MAX_GROUPS];
	bool send;

	teardown(p);
	send_pdeathsig(p);
	int ngroups = jobctl_exit_groups(p, groups);
	process_tree_lock();
	struct process *parent = p->parent;
	process_get(parent);
	process_tree_unlock();
	bool reap = autoreap(parent, p->exit_signal, &send);
	int code = (status & 0x7f) ? ((status & 0x80) ? CLD_DUMPED : CLD_KILLED)
				   : CLD_EXITED;
	exit_fill_chld(&info, p->pid, lproc_of(p)->cred.uid[0], p->cpu_ns, code,
		       code == CLD_EXITED ? (status >> 8) & 0xff : status & 0x7f);
	info.signo = p->exit_signal;
	int sig = p->exit_signal;
	process_end(p, status, reap);
	jobctl_exited(p, groups, ngroups);
	if (send)
		signal_send_process(parent, sig, &info);
	process_put(parent);
}

/* clear_child_tid (set_tid_address): zeroed, and a waiter woken. */
static void clear_tid(struct lthread *lt)
{
	int zero = 0;

	if (lt->clear_child_tid &&
	    !copy_to_user(lt->clear_child_tid, &zero, sizeof(zero))) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		futex_wake((u32 *)lt->clear_child_tid, 1, ~0u);
	}
}

void exit_thread(int status)
{
	struct thread *t = thread_current();
	struct process *p = thread_process(t);
	struct linux_process *lp = lproc_of(p);

	robust_list_cleanup(lthread_of(t));
	/* Counted in one atomic step: of threads exiting together, exactly
	 * one is the last. In pid 1, it ends the VM with its status. */
	if (p->pid == 1 && process_thread_exiting(p))
		kernel_exit(status);
	thread_leaving();
	clear_tid(lthread_of(t));
	signal_thread_exit(t);
	if (p->pid != 1 && process_thread_exiting(p)) {
		int st = __atomic_load_n(&lp->exiting, __ATOMIC_ACQUIRE)
				 ? lp->exit_status
				 : (status & 0xff) << 8;
		process_finish(p, st);
	}
	thread_exit();
}

struct next_thread {
	struct process *p;
	int after, found;
};

static void next_one(struct thread *t, void *arg)
{
	struct next_thread *n = arg;
	int tid = thread_id(t);

	if (thread_process(t) == n->p && thread_abi(t) && tid > n->after &&
	    (!n->found || tid < n->found))
		n->found = tid;
}

int exit_next_thread(struct process *p, int after)
{
	struct next_thread n = { p, after, 0 };

	thread_for_each(next_one, &n);
	return n.found;
}

/* Step 1: every other thread of p exits; the first status is kept. */
static void kill_others(struct process *p, int status)
{
	struct linux_process *lp = lproc_of(p);
	struct thread *self = thread_current();

	spin_lock(&lp->stop_lock);
	if (!lp->exiting) {
		lp->exit_status = status;
		__atomic_store_n(&lp->exiting, true, __ATOMIC_RELEASE);
	}
	spin_unlock(&lp->stop_lock);
	for (int tid = 0; (tid = exit_next_thread(p, tid)) > 0;) {
		struct thread *t = lthread_find(p, tid);
		if (t && t != self)
			signal_send_thread(t, SIGKILL, NULL);
	}
}

void exit_group(int status)
{
	struct process *p = process_current();

	if (p->pid == 1)
		kernel_exit(status);
	kill_others(p, (status & 0xff) << 8);
	exit_thread(status);
}

/* Signals whose default action is to dump core (signal(7): "Core"). */
#define CORE_SIGNALS (sigbit(SIGQUIT) | sigbit(SIGILL) | sigbit(SIGTRAP) | \
		      sigbit(SIGABRT) | sigbit(SIGBUS) | sigbit(SIGFPE) |     \
		      sigbit(SIGSEGV) | sigbit(SIGXCPU) | sigbit(SIGXFSZ) |   \
		      sigbit(SIGSYS))
#define CORE_MIN 4096 /* the least RLIMIT_CORE an ELF core is written at */

/*
 * The wait status of death by sig: with the core flag (0x80, WCOREDUMP)
 * when Linux with its default core_pattern ("core") would write a core
 * file: a core signal, the process dumpable (PR_SET_DUMPABLE) and
 * RLIMIT_CORE at least a page.
 * DIVERGENCE: no core file is written; the flag says one would have been.
 */
static int killed_status(struct linux_process *lp, int sig)
{
	sig &= 0x7f;
	if (sig < 1 || sig > 64 || !(CORE_SIGNALS & sigbit(sig)))
		return sig;
	if (!lp->dumpable || lp->limits[RLIMIT_CORE].cur < CORE_MIN)
		return sig;
	return sig | 0x80;
}

void exit_fatal_signal(int sig, u64 addr, u64 rip)
{
	struct process *p = process_current();

	if (p->pid == 1 && !lproc_of(p)->exiting)
		kernel_fatal_signal(sig, addr, rip);
	kill_others(p, killed_status(lproc_of(p), sig));
	exit_thread(0);
}

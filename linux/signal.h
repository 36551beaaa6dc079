/*
 * Signals inside the kernel (linux/signal.c, linux/sigdeliver.c). Layer:
 * Linux ABI. Dispositions and the process-wide pending queue are the
 * process's (struct linux_process), masks and the thread's own queue are
 * per thread (struct lthread); a process-directed signal goes to a thread
 * that does not block it (or waits in the process queue until one unblocks
 * it). Queueing rules: linux/sigqueue.h. Locking: linux/lproc.h.
 */
#ifndef LINUX_SIGNAL_H
#define LINUX_SIGNAL_H

#include <skiff/errno.h>
#include <skiff/frame.h>
#include "abi.h"
#include "lproc.h"
#include "syscall.h"

#define UNBLOCKABLE (sigbit(SIGKILL) | sigbit(SIGSTOP))
/* The signals whose default action stops the program (sigstop.c). */
#define STOP_SIGNALS (sigbit(SIGSTOP) | sigbit(SIGTSTP) | sigbit(SIGTTIN) | \
		      sigbit(SIGTTOU))

/* Makes sig pending for thread t (info may be NULL) and wakes it. */
void signal_send_thread(struct thread *t, int sig, const struct linux_siginfo *info);
/* Drops what is pending for a thread that exits. */
void signal_thread_exit(struct thread *t);
/* Makes sig pending for process p. Any context (timer interrupts too). */
void signal_send_process(struct process *p, int sig,
			 const struct linux_siginfo *info);
/* Lets the host's forwarded signals (skiff/proto.h PROTO_IN_SIGNAL) reach
 * process p, the program. Boot, once. */
void signal_host_init(struct process *p);
/* Takes the lowest pending signal in set for t; 0 if none. Fills *info. */
int signal_dequeue(struct thread *t, u64 set, struct linux_siginfo *info);
/* Whether sig is pending for t (NULL: for process p) and not yet taken. */
bool signal_is_pending(struct process *p, struct thread *t, int sig);
/* Signals pending for t or its process, in set. */
u64 signal_pending_set(struct thread *t, u64 set);
/* Gives t the process-pending signals it no longer blocks. */
void signal_claim(struct thread *t);
/* Sets the current thread's mask (UNBLOCKABLE dropped) and claims. */
void signal_set_mask(u64 mask);
/* The action for sig (1..NSIG) of the current process, read under the lock. */
struct linux_sigaction signal_action(int sig);
/* A signal became pending: wakes signalfd readers and pollers
 * (linux/signalfd.c). Any context; no signal lock held. */
void signalfd_notify(void);
/* For /proc (process_abi_ops.sig_summary). */
void signal_summary(struct process *p, struct thread *t,
		    struct process_sig_summary *s);

/* Drops every pending instance of the signals in set, in the process queue
 * of lp and in every thread's. Takes lp->sig_lock. */
void signal_discard(struct linux_process *lp, u64 set);

/*
 * Job-control stops (sigstop.c). signal_stop_on_send: a signal is being
 * sent (SIGCONT and SIGKILL end a stop). signal_stop_now: a stop signal's
 * default action; returns once the program is continued. A stop and the
 * SIGCONT that ends it are reported to the parent (wait's WUNTRACED and
 * WCONTINUED, SIGCHLD unless SA_NOCLDSTOP); pid 1 has no parent. signal_stop_check:
 * on the way back to the program, stops there while a stop is in effect.
 * The last two sleep.
 */
void signal_stop_on_send(struct process *p, int sig);
void signal_stop_now(struct thread *t, int sig);
void signal_stop_check(struct thread *t);

/* Delivery on the way back to the program: after a syscall, after a trap.
 * signal_deliver_syscall is called only when signal_syscall_work says
 * there is something to do: a group stop or another thread's exec or exit
 * in effect, a signal to deliver, an interrupted call (r), a mask to put
 * back. Inline, so that a syscall with none of these makes no call. */
static inline bool signal_syscall_work(struct lthread *lt,
				       struct linux_process *lp, long r)
{
	return __atomic_load_n(&lp->stopped, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&lp->killer, __ATOMIC_RELAXED) ||
	       ((lt->pending.set | lp->shared.set) & ~lt->sigmask) ||
	       r == -EINTR || r == -ERESTARTNOINTR || lt->restore_sigmask ||
	       (lt->rseq && lt->rseq_cpu != sched_cpu_id());
}
void signal_deliver_syscall(struct syscall_frame *f);
void signal_deliver_trap(struct trap_frame *f);
/* A synchronous fault: run the handler now, or end the program. */
void signal_fault(struct trap_frame *f, int sig, int code, u64 addr);

/* linux/thread.c: restarts an interrupted rseq critical section;
 * rseq_cpu_update: the rseq area's cpu_id is the CPU the caller runs on
 * (called on the way back to the program). */
void rseq_abort_check(u64 *rip);
void rseq_cpu_update(struct lthread *lt);

#endif

/*
 * Signals inside the kernel (linux/signal.c, linux/sigdeliver.c). Layer:
 * Linux ABI. One process: dispositions are shared by all threads, masks and
 * pending sets are per thread; a process-directed signal goes to a thread
 * that does not block it (or waits in proc_pending until one unblocks it).
 * Standard signals have one pending instance; real-time signals queue.
 */
#ifndef LINUX_SIGNAL_H
#define LINUX_SIGNAL_H

#include "../arch/x86_64/cpu.h"
#include "../sched/thread.h"
#include "abi.h"
#include "syscall.h"

#define UNBLOCKABLE (sigbit(SIGKILL) | sigbit(SIGSTOP))
/* The signals whose default action stops the program (sigstop.c). */
#define STOP_SIGNALS (sigbit(SIGSTOP) | sigbit(SIGTSTP) | sigbit(SIGTTIN) | \
		      sigbit(SIGTTOU))

extern struct linux_sigaction sig_actions[NSIG];
extern struct spinlock sig_lock;
extern u64 proc_pending;

/* Makes sig pending for thread t (info may be NULL) and wakes it. */
void signal_send_thread(struct thread *t, int sig, const struct linux_siginfo *info);
/* Drops what is pending for a thread that exits. */
void signal_thread_exit(struct thread *t);
/* Makes sig pending for the process. */
void signal_send_process(int sig, const struct linux_siginfo *info);
/* Takes the lowest pending signal in set for t; 0 if none. Fills *info. */
int signal_dequeue(struct thread *t, u64 set, struct linux_siginfo *info);
/* Whether sig is pending for t (NULL: for the process) and not yet taken. */
bool signal_is_pending(struct thread *t, int sig);
/* Gives t the process-pending signals it no longer blocks. */
void signal_claim(struct thread *t);
/* A signal became pending: wakes signalfd readers and pollers
 * (linux/signalfd.c). Any context; no signal lock held. */
void signalfd_notify(void);

/* Drops every pending instance of the signals in set, for every thread. */
void signal_discard(u64 set);

/*
 * Job-control stops (sigstop.c). signal_stop_on_send: a signal is being
 * sent (SIGCONT and SIGKILL end a stop). signal_stop_now: a stop signal's
 * default action; returns once the program is continued. signal_stop_check:
 * on the way back to the program, stops there while a stop is in effect.
 * The last two sleep.
 */
void signal_stop_on_send(int sig);
void signal_stop_now(struct thread *t);
void signal_stop_check(struct thread *t);

/* Delivery on the way back to the program: after a syscall, after a trap. */
void signal_deliver_syscall(struct syscall_frame *f);
void signal_deliver_trap(struct trap_frame *f);
/* A synchronous fault: run the handler now, or end the program. */
void signal_fault(struct trap_frame *f, int sig, int code, u64 addr);

#endif

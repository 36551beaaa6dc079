/*
 * The Linux-ABI state of a process and of a thread (linux/lproc.c).
 * Layer: Linux ABI, private to linux/.
 *
 * struct linux_process hangs off struct process (p->abi), struct lthread
 * off struct thread (thread_abi); the scheduler sees neither. Locks:
 * lp->sig_lock (a spinlock: signals are sent from interrupts) guards the
 * dispositions, both pending queues and the queue budget; a thread's mask
 * and altstack are written only by the thread itself (or before it runs),
 * and read by senders without the lock, as single words. The other
 * fields are written by the process's own syscalls.
 */
#ifndef LINUX_LPROC_H
#define LINUX_LPROC_H

#include <skiff/frame.h>
#include <skiff/process.h>
#include <skiff/sched.h>
#include "abi.h"
#include "sigqueue.h"

#define LINUX_MAX_TIMERS 32

/* A timer that sends a signal (linux/itimer.c). Slot 0: ITIMER_REAL. */
struct ptimer {
	struct ktimer k;
	struct process *proc; /* whose timer */
	bool used;
	int notify;   /* SIGEV_* */
	int signo;
	int tid;      /* SIGEV_THREAD_ID target */
	u64 value;    /* sigev_value */
	u64 interval; /* ns, 0 = one-shot */
	int overrun;
	int id;
};

/* User and group ids (linux/cred.c): [0] real, [1] effective, [2] saved,
 * [3] filesystem; all 0 at start (root). */
struct linux_cred {
	u32 uid[4], gid[4];
	u32 ngroups;
	u32 *groups;	/* kmalloc'd, ngroups entries */
};

struct linux_process {
	struct linux_cred cred;               /* cred.c's cred_lock */
	struct spinlock sig_lock;
	struct linux_sigaction actions[NSIG]; /* dispositions (sig_lock) */
	struct sigqueue shared;               /* process-wide pending (sig_lock) */
	struct sigq_budget budget;            /* queued entries (sig_lock) */
	struct linux_rlimit limits[RLIM_NLIMITS];
	int nice;                             /* get/setpriority */
	int sched_policy, sched_prio;         /* sched_setscheduler */
	int dumpable, no_new_privs, pdeathsig, thp_disable; /* prctl */
	int membarrier_registered;            /* MEMBARRIER_CMD_REGISTER_* */
	u32 personality;
	struct spinlock stop_lock;            /* guards stopped (sigstop.c) */
	bool stopped;                         /* a group stop is in effect */
	struct waitq stop_wq;                 /* the stopped threads */
	bool exiting;                         /* exit_group or a fatal signal:
					       * every thread exits (exit.c) */
	int exit_status;                      /* its wait status, once exiting */
	struct thread *killer;                /* set: every other thread exits
					       * at its next return to the
					       * program (groupkill.c) */
	struct waitq kill_wq;                 /* the killer waits there */
	struct spinlock timer_lock;           /* timers' allocation */
	struct ptimer timers[LINUX_MAX_TIMERS + 1];
};

struct lthread {
	struct thread *t;
	u64 sigmask;             /* blocked signals (bit n-1 = signal n) */
	u64 saved_sigmask;       /* mask to restore after sigsuspend & co */
	bool restore_sigmask;    /* saved_sigmask is in force after delivery */
	struct sigqueue pending; /* signals for this thread (sig_lock) */
	u64 altstack_sp, altstack_size; /* sigaltstack */
	int altstack_flags;
	long sys_nr;             /* the syscall in progress */
	struct syscall_frame *sys_frame; /* its frame */
	int *clear_child_tid;    /* set_tid_address */
	void *robust_list;       /* set_robust_list */
	u64 rseq;                /* registered struct rseq, 0: none */
	u32 rseq_len, rseq_sig;
	int rseq_cpu;            /* the cpu_id last written there */
	bool killable;           /* asleep where only SIGKILL interrupts
				  * (a vfork parent) */
};

/* The ABI state of thread t, of the running thread, of the running
 * thread's process. Only for program threads. */
static inline struct lthread *lthread_of(struct thread *t)
{
	return thread_abi(t);
}

static inline struct lthread *lthread_current(void)
{
	return thread_abi(thread_current());
}

static inline struct linux_process *lproc_of(struct process *p)
{
	return p->abi;
}

static inline struct linux_process *lproc_current(void)
{
	return process_current()->abi;
}

/*
 * Gives p its Linux-ABI state (Linux's defaults). 0 or -ENOMEM.
 */
int lproc_create(struct process *p);
/*
 * fork: gives child (no ABI state yet) a copy of parent's dispositions,
 * rlimits, credentials, prctl and scheduling state; not its timers, pending
 * signals or PR_SET_PDEATHSIG (cleared, as Linux). 0 or -ENOMEM.
 */
int lproc_clone(struct process *child, struct process *parent);
/* The credentials of cred.c: copy (0 or -ENOMEM) and release. */
int cred_clone(struct linux_cred *dst, const struct linux_cred *src);
void cred_free(struct linux_cred *c);
/* Disarms every timer of lp (linux/itimer.c): its process ends. */
void itimer_stop_all(struct linux_process *lp);
/* New per-thread state with the given signal mask; NULL without memory. */
struct lthread *lthread_alloc(u64 sigmask);
/* Gives it to t, a program thread not yet started (freed with t). */
void lthread_attach(struct thread *t, struct lthread *lt);

/* The program thread tid of process p, or NULL (kernel threads are not
 * the program's). As thread_find, the thread may exit meanwhile. */
struct thread *lthread_find(struct process *p, int tid);

/*
 * exec (linux/execve.c), once the calling thread is the process's only one:
 * signal handlers back to SIG_DFL (ignored signals stay ignored; flags and
 * masks cleared), POSIX timers deleted (ITIMER_REAL and alarm kept),
 * dumpable again, membarrier registrations dropped, threads no longer
 * killed. The signal mask and pending signals stay.
 */
void lproc_exec_reset(struct linux_process *lp);

/*
 * Ending the other threads of the calling thread's process
 * (linux/groupkill.c), for exec: each exits at its next return to the
 * program, its sleeps interrupted as by a signal; returns once none is
 * left. -EAGAIN when another thread of the process is doing the same (the
 * caller is then one of those to end: lproc_killed_check ends it).
 * Sleeps, deaf to signals.
 */
int lproc_kill_others(void);
/* Whether t is to end (another thread of its process called
 * lproc_kill_others). No lock; any context. */
bool lproc_killed(struct thread *t);
/* On the way back to the program: ends t (never returns) if it is to end. */
void lproc_killed_check(struct thread *t);

/* linux/thread.c: marks the robust futexes t still holds as their owner's
 * death (OWNER_DIED) and wakes a waiter: t exits or execs. */
void robust_list_cleanup(struct lthread *t);

/*
 * At boot, before the program starts: registers the ABI layer's hooks
 * with sched/ and arch/ and sets up the first process and its main thread.
 */
void linux_init(void);

#endif

/*
 * struct process: one program's state, shared by its threads. Owned by
 * sched/ (sched/process.c); each subsystem keeps its own part behind an
 * opaque pointer and defines the type in its own header:
 *
 *   vm     mm/     the address space: areas, brk, fault counters
 *   files  fs/     the descriptor table and the fd limit
 *   fs     fs/     cwd and umask
 *   abi    linux/  the Linux-ABI state: signal dispositions and the
 *                  process-wide pending queue, rlimits, prctl and
 *                  scheduling-policy state, timers (linux/lproc.h)
 *
 * The scheduler's own part is here: the count of live threads and the
 * CPU time of its threads. A thread points at its process
 * (struct thread.process); kernel threads have none.
 *
 * The process tree (sched/process.c): every process is in the pid table
 * from process_add_child until it is reaped; each has a parent (pid 1
 * has none, orphans are given to pid 1), a process group and a session.
 * One spinlock, the tree lock (process_tree_lock), guards the table, the
 * parent/children/sibling links, pgid, sid and the exit state of every
 * process: SMP-safe, never held across a sleep except as the lock handed
 * to waitq_sleep. A process lives while referenced: the table holds one
 * reference until the process is reaped, each thread holds one until it
 * is freed, process_lookup gives one.
 *
 * Upward calls: sched/ asks the ABI layer about a thread's signals and
 * tells it when a thread is freed through struct process_abi_ops, which
 * linux/ registers at boot (process_set_abi_ops). fs/procfs reads signal
 * summaries through process_sig_summary() instead of linux/'s tables.
 */
#ifndef SKIFF_PROCESS_H
#define SKIFF_PROCESS_H

#include <skiff/sched.h>
#include <skiff/types.h>

struct thread;
struct vm_space;
struct fd_table;
struct fs_context;
struct linux_process;

enum process_state {
	PROCESS_LIVE,     /* threads running (or not yet started) */
	PROCESS_ZOMBIE,   /* ended, waiting for its parent's wait */
	PROCESS_REAPED,   /* out of the table; freed at its last reference */
};

struct process {
	int pid;                    /* = the tid of its first thread */
	struct process *parent;     /* NULL for pid 1 (tree lock) */
	int ppid;                   /* its pid, 0 for none: written with parent,
				     * read without the lock (getppid) */
	struct list children;       /* struct process.sibling (tree lock) */
	struct list sibling;        /* in its parent's children */
	struct list table_link;     /* the pid table (tree lock) */
	int pgid, sid;              /* process group and session (tree lock) */
	int refs;                   /* atomic; see above */
	enum process_state state;   /* tree lock */
	int exit_status;            /* wait status once a zombie (Linux's
				     * encoding: code << 8, or the signal) */
	int exit_signal;            /* sent to the parent when it ends (0: none) */
	int stop_report;            /* wait status of a stop/continue not yet
				     * reported to a WUNTRACED/WCONTINUED wait
				     * (0: none); tree lock */
	struct waitq child_wq;      /* its wait()s: a child changed state */
	struct waitq vfork_wq;      /* a vfork parent waits here for vfork_active */
	bool vfork_active;          /* the vfork parent still waits (tree lock) */
	bool execed;                /* it has exec'd since fork (tree lock) */
	bool adopted;               /* an orphan given to pid 1 (tree lock):
				     * that link keeps no process group from
				     * being orphaned (linux/jobctl.c) */
	u64 children_cpu_ns;        /* CPU time of its reaped children */
	char comm[16];              /* its last thread's name, once a zombie */
	struct vm_space *vm;        /* mm/: vm_current() */
	struct fd_table *files;     /* fs/: fd_table_current() */
	struct fs_context *fs;      /* fs/: fs_context_current() */
	struct linux_process *abi;  /* linux/: set by the ABI layer */
	/* What /proc/self shows of the program: copies made by exec (fs's
	 * proc_set_exe & co.), read by procfs. exe is NUL-terminated. */
	char *exe;
	struct process_blob { char *buf; size_t len; }
		cmdline, environ, auxv;     /* argv and envp strings, auxv pairs */
	int live_threads;           /* started, not exited; atomic */
	u64 cpu_ns;                 /* CPU time of its threads up to their
				     * last switch (exited ones included) */
};

/*
 * A new process with pid and no threads yet, one reference (the table's,
 * once added); its subsystem parts are set by their owners. pid 0: it
 * takes the tid of its first thread (thread_create_in). Not yet in the
 * tree. NULL without memory. May be called with no lock held.
 */
struct process *process_create(int pid);
/*
 * Puts child (its pid set) into the pid table as a child of parent, in
 * parent's process group and session. Never sleeps.
 */
void process_add_child(struct process *parent, struct process *child);
/* The process with this pid (zombies included), with a reference; NULL. */
struct process *process_lookup(int pid);
/* Takes / drops a reference; the last frees p (and its ABI state through
 * process_abi_ops.process_free). A process is freed only once reaped. */
void process_get(struct process *p);
void process_put(struct process *p);
/*
 * Calls fn(p, arg) for each process in the table, pid order, under the
 * tree lock: fn must not sleep or take the tree lock; it may take a
 * reference. Stops early when fn returns true.
 */
void process_for_each(bool (*fn)(struct process *p, void *arg), void *arg);
/* How many processes are in the table (zombies included). */
int process_count(void);
/* The pid table's head (struct process.table_link, pid order), for walks
 * under the tree lock. */
struct list *process_table(void);
/* The tree lock (see above), for the ABI layer's walks over children. */
void process_tree_lock(void);
void process_tree_unlock(void);
/* pid 1, the program skiff started. */
struct process *process_init(void);
/*
 * p's last thread ended: gives its children to pid 1 (waking pid 1's
 * waiters when one of them is a zombie), then makes p a zombie with the
 * wait status status, or reaps it at once when reap (its parent ignores
 * SIGCHLD), and wakes its parent's waiters and a vfork parent. The caller
 * is p's last thread: its name becomes p->comm. Takes the tree lock;
 * never sleeps.
 */
void process_end(struct process *p, int status, bool reap);
/*
 * A zombie child's wait: p leaves the table (PROCESS_REAPED), its CPU time
 * is added to its parent's children_cpu_ns. Tree lock held.
 */
void process_reap_locked(struct process *p);
/* Records a stop (status (sig << 8) | 0x7f) or continue (0xffff) of p for
 * its parent's WUNTRACED/WCONTINUED wait and wakes the parent's waiters. */
void process_report_stop(struct process *p, int status);
/*
 * child exec'd (exec calls it): wakes its vfork parent and marks it
 * (setpgid from its parent is EACCES now). Its end wakes the vfork parent
 * through process_end. Any number of times; never sleeps.
 */
void process_vfork_done(struct process *child);
/*
 * The vfork parent (the caller) sleeps until process_vfork_done(child),
 * or until process_signal_pending says a signal must end the sleep (the
 * ABI layer answers only for SIGKILL then). Takes the tree lock.
 */
void process_vfork_wait(struct process *child);
/*
 * A wait(): with the tree lock held, sleeps until a child of p changes
 * state (process_end, process_report_stop) or a signal; the lock is
 * released while asleep and held again on return. 0 or -EINTR.
 */
int process_wait_children(struct process *p);
/* The process of the running thread; NULL for a kernel thread. */
#ifdef SKIFF_HOST_TEST /* tests/unit: the shims define them */
struct process *process_current(void);
#else
static inline struct process *process_current(void)
{
	return thread_process(thread_current());
}
#endif

/* A thread of p was started (thread_start). */
void process_thread_started(struct process *p);
/*
 * The calling thread of p is exiting: true when it was the last one, in
 * which case the count stays at zero and the caller ends the process.
 * One atomic step, so two threads exiting together never both see another.
 */
bool process_thread_exiting(struct process *p);

/* What the ABI layer gives sched/ and procfs. */
struct process_sig_summary {
	u64 blocked;         /* the thread's mask */
	u64 pending;         /* pending for the thread */
	u64 shared_pending;  /* pending for the process */
	u64 ignored, caught; /* dispositions SIG_IGN / a handler */
	int queued;          /* entries queued in the process */
};

struct process_abi_ops {
	/* Whether t has a pending signal it does not block (a sleep is
	 * interrupted). Called with the scheduler lock held and interrupts
	 * off: it must not sleep or take locks. */
	bool (*signal_pending)(struct thread *t);
	/* t is being freed: release its ABI state. */
	void (*thread_free)(struct thread *t);
	/* Fills *s for t (NULL: only the process-wide fields) of p. */
	void (*sig_summary)(struct process *p, struct thread *t,
			    struct process_sig_summary *s);
	/* p is being freed (its last reference): release p->abi. */
	void (*process_free)(struct process *p);
};
/* Registers ops at boot (kept, not copied). */
void process_set_abi_ops(const struct process_abi_ops *ops);

/* The calls through those ops: false / nothing / zeros before registration. */
bool process_signal_pending(struct thread *t);
void process_abi_thread_free(struct thread *t);
void process_sig_summary(struct process *p, struct thread *t,
			 struct process_sig_summary *s);

#endif

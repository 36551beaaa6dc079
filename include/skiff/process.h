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
 * Upward calls: sched/ asks the ABI layer about a thread's signals and
 * tells it when a thread is freed through struct process_abi_ops, which
 * linux/ registers at boot (process_set_abi_ops). fs/procfs reads signal
 * summaries through process_sig_summary() instead of linux/'s tables.
 */
#ifndef SKIFF_PROCESS_H
#define SKIFF_PROCESS_H

#include <skiff/types.h>

struct thread;
struct vm_space;
struct fd_table;
struct fs_context;
struct linux_process;

struct process {
	int pid;
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
 * A new process with pid and no threads yet; its subsystem parts are set
 * by their owners. NULL without memory. May be called with no lock held.
 */
struct process *process_create(int pid);
/* The process of the running thread; NULL for a kernel thread. */
struct process *process_current(void);

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
};
/* Registers ops at boot (kept, not copied). */
void process_set_abi_ops(const struct process_abi_ops *ops);

/* The calls through those ops: false / nothing / zeros before registration. */
bool process_signal_pending(struct thread *t);
void process_abi_thread_free(struct thread *t);
void process_sig_summary(struct process *p, struct thread *t,
			 struct process_sig_summary *s);

#endif

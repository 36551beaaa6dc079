/*
 * struct thread and the scheduler's internal interface (sched/). Private
 * to sched/: the rest of the kernel uses skiff/sched.h, whose accessors
 * (sched/threadinfo.c) give the ABI layer and procfs the thread's
 * identity, its process and its ABI state.
 */
#ifndef SCHED_THREAD_H
#define SCHED_THREAD_H

#include <skiff/process.h>
#include <skiff/sched.h>

enum thread_state {
	THREAD_RUNNABLE, /* running or on the run queue */
	THREAD_SLEEPING, /* on a wait queue and/or the timer queue */
	THREAD_DEAD,
};

struct thread {
	struct thread_head h;    /* first (skiff/sched.h): rsp, process, abi
				  * (freed through process_abi_thread_free) */
	int tid;
	enum thread_state state;
	bool on_runq;
	bool idle;               /* a CPU's idle thread: never queued */
	int cpu;                 /* the CPU it runs or last ran on */
	u32 affinity;            /* the CPUs it may run on, a bit each */
	bool leaving;            /* thread_leaving: gone from thread_for_each */
	u64 vruntime;            /* ns of CPU used, the scheduler's fairness key */
	u64 run_start;           /* when it last got the CPU */
	u64 cpu_ns;              /* CPU time used before run_start */
	struct rb_node run_node; /* run queue (sched/runq.c), while on_runq */
	struct list wait_link;   /* the waitq it sleeps on; zombies once dead */
	struct timerq_node timer; /* its sleep's deadline (sched/timerq.c) */
	struct waitq *wq;        /* the waitq it sleeps on, or NULL */
	int wake_result;         /* what waitq_sleep returns */
	bool uninterruptible;    /* asleep in mutex_lock: signals do not wake it */
	u8 *kstack;              /* lowest address of its kernel stack */
	u64 kstack_top;
	u8 *fpu_area;            /* XSAVE area, NULL for kernel-only threads */
	u64 fs_base;             /* the program's TLS base */
	struct list all_link;    /* every thread (thread_find) */
	u64 futex_key;           /* the futex word it waits on (sched/futex.c) */
	u32 futex_bitset;
	char name[THREAD_NAME_LEN];
};

/*
 * thread_create, thread_start, thread_exit, thread_find, thread_for_each,
 * the CPU-time calls, sched_interrupt and the accessors the layers above
 * use instead of this struct: skiff/sched.h.
 */
/* Boot: p, pid 1, enters the process table (sched/process.c). */
void process_boot(struct process *p);
/* Frees the stacks of threads that have exited. */
void sched_reap(void);

/*
 * Wakes up to max sleepers of wq for which match(t, arg) holds, or moves
 * them to the waitq to (when to != NULL). Returns how many.
 */
int waitq_wake_match(struct waitq *wq, bool (*match)(struct thread *, void *),
		     void *arg, int max, struct waitq *to);

/* schedule, sched_timer_tick, sched_need_resched: skiff/arch.h (trap.c
 * calls them up from arch). */

#endif

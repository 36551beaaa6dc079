/*
 * Threads, locks, wait queues and sleeping. sched/.
 *
 * Locking is written for SMP: a spinlock disables interrupts on this CPU and
 * spins on the others. A mutex and waitq_sleep may sleep: never call them
 * with a spinlock held (except the one handed to waitq_sleep) or from an
 * interrupt handler.
 */
#ifndef SKIFF_SCHED_H
#define SKIFF_SCHED_H

#include <skiff/arch.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/rbtree.h>

struct spinlock {
	volatile u32 locked;
	u64 saved_flags; /* RFLAGS of the holder before it took the lock */
};
#define SPINLOCK_INIT { 0, 0 }

void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);

/*
 * Whether l is held. With one CPU running and interrupts off (as they are
 * while any spinlock is held), a held lock is held by this CPU.
 */
static inline bool spin_held(const struct spinlock *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0;
}

/*
 * Checked invariants: panic (with a backtrace naming the caller) unless
 * interrupts are off on this CPU, or unless the spinlock l is held.
 */
#define assert_irqs_off()                                               \
	do {                                                            \
		if (irq_enabled())                                      \
			panic("%s: called with interrupts on", __func__); \
	} while (0)
#define assert_held(l)                                                   \
	do {                                                             \
		if (!spin_held(l))                                       \
			panic("%s: called without holding %s", __func__, \
			      #l);                                       \
	} while (0)

struct waitq {
	struct spinlock lock;
	struct list sleepers; /* struct thread.wait_link */
};

void waitq_init(struct waitq *wq);

/*
 * Sleeps on wq until waitq_wake_*() or the monotonic deadline (ns, 0 = none).
 * The caller holds *lk (may be NULL); it is released while asleep, so a
 * wake-up between the caller's check and the sleep is never lost, and taken
 * again before returning. Returns 0 when woken, -ETIMEDOUT, or -EINTR when a
 * signal is pending for the thread.
 */
int waitq_sleep(struct waitq *wq, struct spinlock *lk, u64 deadline_ns);
void waitq_wake_one(struct waitq *wq);
void waitq_wake_all(struct waitq *wq);

/* A sleeping lock. */
struct mutex {
	struct spinlock lock;
	struct thread *owner;
	struct waitq waiters;
};
void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
/* Takes m if it is free (true), without sleeping; never from an interrupt
 * handler (the owner is the running thread). */
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);

struct thread;
struct process;
struct lthread;

/*
 * The head of every struct thread (sched/thread.h embeds it first): the
 * words the layers above read on every syscall, read inline. Under TCG a
 * call and its return cost several ns each (the return is an indirect
 * jump QEMU looks up), and a null syscall made a dozen such calls.
 * Written by sched/ only (thread_set_abi for abi); read through the
 * accessors below, never named elsewhere.
 */
struct thread_head {
	u64 rsp;                 /* switch_to's saved stack pointer (entry.S) */
	struct process *process; /* NULL for a kernel thread */
	struct lthread *abi;     /* the ABI layer's per-thread state */
};

/* The thread running on this CPU. Not volatile: for the code calling it,
 * the running thread is always itself, on whichever CPU. */
#ifdef SKIFF_HOST_TEST /* tests/unit: the shims define them */
struct thread *thread_current(void);
#else
static inline struct thread *thread_current(void)
{
	struct thread *t;

	asm("movq %%gs:%c1, %0" : "=r"(t)
	    : "i"(offsetof(struct percpu, current)));
	return t;
}
#endif
/* The Linux thread id of the current thread. */
int thread_tid(void);

/*
 * ---- Threads, for the layers above (linux/, fs/procfs) ----
 *
 * struct thread is the scheduler's own (sched/thread.h): its run-queue
 * and timer links, state and stacks change under the scheduler's lock and
 * no other layer may touch them. The others hold pointers and use the
 * calls below (sched/threadinfo.c): accessors rather than a public struct
 * because what the ABI layer needs is a handful of words (tid, name,
 * process, its own state, the TLS base), while the struct is mostly
 * scheduler state; an accessor is a call, which costs nothing next to a
 * syscall. None of them sleeps or takes a lock.
 */
/* Its tid. */
int thread_id(struct thread *t);
/* exec from a thread other than the first: it takes its process's pid
 * (the first thread is gone, so no live thread has that tid). */
void thread_set_id(struct thread *t, int tid);
/* Its process; NULL for a kernel thread. */
#ifdef SKIFF_HOST_TEST /* tests/unit: the shims define them */
struct process *thread_process(struct thread *t);
#else
static inline struct process *thread_process(struct thread *t)
{
	return ((struct thread_head *)t)->process;
}
#endif
/* The ABI layer's per-thread state (linux/lproc.h), NULL until set; set by
 * the ABI layer before the thread starts, freed through
 * process_abi_thread_free (skiff/process.h). */
#ifdef SKIFF_HOST_TEST /* tests/unit: the shims define them */
struct lthread *thread_abi(struct thread *t);
#else
static inline struct lthread *thread_abi(struct thread *t)
{
	return ((struct thread_head *)t)->abi;
}
#endif
void thread_set_abi(struct thread *t, struct lthread *abi);
/* Its name (comm: up to 15 bytes and a NUL, THREAD_NAME_LEN bytes in
 * all), valid while t lives; set writes all THREAD_NAME_LEN bytes. */
#define THREAD_NAME_LEN 16
const char *thread_name(struct thread *t);
void thread_set_name(struct thread *t, const char name[THREAD_NAME_LEN]);
/* The program's TLS base (FS) t runs with from its next switch in. */
void thread_set_fs_base(struct thread *t, u64 base);
/* Its XSAVE area (cpu_feat.xsave_size bytes): what fpu_save fills and the
 * switch to t restores. Program threads only. */
void *thread_fpu_area(struct thread *t);
/*
 * Makes the sleeps of t (the calling thread) deaf to signals (on) or not,
 * as mutex_lock's are; returns the previous setting, for the caller to
 * put back.
 */
bool thread_set_uninterruptible(struct thread *t, bool on);
/* What /proc shows of a thread. */
struct thread_summary {
	int tid;
	bool running;		/* running or runnable ("R"), else asleep */
	struct process *process;
	char name[THREAD_NAME_LEN];
};
void thread_summary(struct thread *t, struct thread_summary *s);

/*
 * Creates a thread named name that runs fn(arg) and makes it runnable;
 * with fn NULL, it waits for thread_start. program: it runs program code
 * (an XSAVE area; the caller's process). NULL without memory.
 */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg,
			     bool program);
/*
 * The same for a program thread of process p (p NULL: a kernel thread);
 * the thread holds a reference on p until it is freed. When p->pid is 0
 * (a new process: process_create(0)), p takes the thread's tid as its pid.
 */
struct thread *thread_create_in(struct process *p, const char *name,
				void (*fn)(void *), void *arg);
/* Sets a thread made with fn == NULL running fn(arg). */
void thread_start(struct thread *t, void (*fn)(void *), void *arg);
/*
 * Ends the current thread (its stack is freed later, by another thread).
 * The caller has done the Linux side (clear_child_tid, robust list) and
 * counted the exit (process_thread_exiting).
 */
void thread_exit(void) __noreturn;
/* The thread with this tid, or NULL. */
struct thread *thread_find(int tid);
/* Calls fn for every live program thread, under the thread list lock. */
void thread_for_each(void (*fn)(struct thread *, void *), void *arg);
/* The current thread is ending: thread_for_each no longer lists it (so a
 * pthread_join woken by its clear_child_tid finds it gone from
 * /proc/self/task, as on Linux). thread_find still finds it. */
void thread_leaving(void);
/* CPU time used by the current thread, and by all threads of its process
 * ever; thread_cpu_ns: by thread t (which may be running now). */
u64 sched_thread_cpu_ns(void);
u64 sched_process_cpu_ns(void);
u64 thread_cpu_ns(struct thread *t);
/* The CPUs t may run on, bit c for CPU c (sched/sched.c). Setting: the
 * mask is cut to the CPUs online and must keep one (else -EINVAL); t
 * leaves a CPU no longer in it at its next switch, which comes at once
 * (the caller's before its syscall returns). New program threads keep
 * their creator's. */
u32 thread_affinity(struct thread *t);
int thread_set_affinity(struct thread *t, u32 mask);
/* The CPU the caller runs on (it may move at any time after). */
#ifdef SKIFF_HOST_TEST
int sched_cpu_id(void);
#else
static inline int sched_cpu_id(void)
{
	int id;

	asm volatile("movl %%gs:%c1, %0" : "=r"(id)
		     : "i"(offsetof(struct percpu, cpu_id)));
	return id;
}
#endif
/* Wakes t from a sleep with -EINTR: a signal arrived for it. */
void sched_interrupt(struct thread *t);

/* A deadline in one of the scheduler's timer queues, embedded in its owner. */
struct timerq_node {
	struct rb_node rb;
	u64 deadline; /* monotonic ns; 0 exactly while not queued */
};

/*
 * A callback at a monotonic time, run from the timer interrupt with
 * interrupts off and no scheduler lock held: it must not sleep, and may
 * wake threads or call ktimer_set (to re-arm itself, for instance).
 */
struct ktimer {
	struct timerq_node node; /* node.deadline: when it fires, 0 = not armed */
	void (*fn)(struct ktimer *);
};
/*
 * Arms k for the monotonic time deadline_ns (re-arming it if armed), or
 * disarms it when deadline_ns is 0. Never sleeps; any context. O(log n).
 */
void ktimer_set(struct ktimer *k, u64 deadline_ns);

/* When k fires next (monotonic ns), 0 when it is not armed. */
static inline u64 ktimer_deadline(const struct ktimer *k)
{
	return __atomic_load_n(&k->node.deadline, __ATOMIC_RELAXED);
}

/*
 * Boot, once, after the heap and the LAPIC: sets up this CPU's scheduler
 * and turns the boot context into the first thread (the program's main
 * thread).
 */
void sched_init(void);

/* Sleeps until the monotonic clock reaches deadline_ns: 0 or -EINTR. */
int sched_sleep_until(u64 deadline_ns);
void sched_yield(void);

#endif

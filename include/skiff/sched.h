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

#include <skiff/lib.h>

struct spinlock {
	volatile u32 locked;
	u64 saved_flags; /* RFLAGS of the holder before it took the lock */
};
#define SPINLOCK_INIT { 0, 0 }

void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);

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
void mutex_unlock(struct mutex *m);

struct thread;
/* The thread running on this CPU. */
struct thread *thread_current(void);
/* The Linux thread id of the current thread. */
int thread_tid(void);

/* Sleeps until the monotonic clock reaches deadline_ns: 0 or -EINTR. */
int sched_sleep_until(u64 deadline_ns);
void sched_yield(void);

#endif

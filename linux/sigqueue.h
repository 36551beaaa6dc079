/*
 * Pending signals (linux/sigqueue.c): a set of pending signal numbers and
 * a queue of their instances with siginfo, in arrival order. Layer: Linux
 * ABI; built for the host too (tests/unit/test_sigqueue.c).
 *
 * As Linux: a standard signal (1..31) has at most one instance pending; a
 * real-time signal (32..64) queues every instance, up to the process's
 * budget of entries; past it (or without memory) the signal is still
 * pending, with a plain siginfo. A timer's signal is pending once: a new
 * expiry updates its entry (the overrun count).
 * The caller serializes every call on one queue (linux/: sig_lock).
 */
#ifndef LINUX_SIGQUEUE_H
#define LINUX_SIGQUEUE_H

#include <skiff/lib.h>
#include "abi.h"

#define SIGRT_FIRST 32

struct sigqueue {
	u64 set;             /* signals with an instance pending (sigbit) */
	struct list entries; /* struct pending_sig, oldest first */
};

/* Entries allocated for one process, and how many it may have. */
struct sigq_budget {
	int queued;
	int max;
};

struct pending_sig {
	int sig;
	struct linux_siginfo info;
	struct list link;
};

void sigq_init(struct sigqueue *q);
/* Makes sig pending in q with *info (NULL: SI_KERNEL). Never fails. */
void sigq_add(struct sigqueue *q, struct sigq_budget *b, int sig,
	      const struct linux_siginfo *info);
/* Takes the oldest instance of sig, which is pending in q, into *info;
 * sig stays pending while instances remain. */
void sigq_take(struct sigqueue *q, struct sigq_budget *b, int sig,
	       struct linux_siginfo *info);
/* Discards every instance of the signals in sigs. */
void sigq_discard(struct sigqueue *q, struct sigq_budget *b, u64 sigs);
/* Moves the instances of sigs from `from` to the end of `to`; a standard
 * signal already pending in `to` keeps its one instance there. */
void sigq_move(struct sigqueue *from, struct sigqueue *to,
	       struct sigq_budget *b, u64 sigs);
/*
 * The signal in allowed to take next, as Linux dequeues: the thread's own
 * queue first, then the process's; in each, synchronous faults (SIGSEGV,
 * SIGBUS, SIGILL, SIGFPE, SIGTRAP) first, then the lowest number. Returns
 * it and sets *from to its queue, or 0.
 */
int sigq_next(struct sigqueue *own, struct sigqueue *shared, u64 allowed,
	      struct sigqueue **from);

#endif

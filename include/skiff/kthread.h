/*
 * Kernel threads for drivers' bottom halves: a driver's interrupt handler
 * wakes a thread of the driver's, which does the work an interrupt handler
 * must not (take sleeping locks, call up into the network stack).
 * Declared at drivers' level and implemented by sched/ (sched/kthread.c):
 * an upward call DESIGN.md allows, as skiff/alloc.h is for mm, so that a
 * driver needs no header of the scheduler.
 *
 * The wake-up is a latch: kthread_wake before kthread_wait is not lost,
 * and several wakes before one wait are one.
 */
#ifndef SKIFF_KTHREAD_H
#define SKIFF_KTHREAD_H

#include <skiff/types.h>

struct kthread;

/*
 * Creates a kernel thread named name (up to 15 bytes) that will run
 * fn(itself, arg). It starts at the first kthread_wake (which may come
 * before kthread_run returns: hence self), so fn should begin with
 * kthread_wait, which then returns at once: a bottom half has nothing to
 * do before its first wake, and boot pays no thread switch for it. fn
 * never returns. NULL without memory. Any thread context; never from an
 * interrupt handler.
 */
struct kthread *kthread_run(const char *name,
			    void (*fn)(struct kthread *self, void *arg),
			    void *arg);
/* Sleeps until kthread_wake was called since the last return (or at
 * once if it was). The thread t itself only. */
void kthread_wait(struct kthread *t);
/* Wakes t, or makes its next kthread_wait return at once. Any context,
 * interrupt handlers included; never sleeps. */
void kthread_wake(struct kthread *t);

#endif

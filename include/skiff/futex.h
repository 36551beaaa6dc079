/*
 * The futex core (sched/futex.c): waiting on a word of program memory,
 * keyed by its address. Layer: sched; linux/futex.c builds futex(2) on it
 * and linux/thread.c wakes clear_child_tid and robust-list waiters. All
 * may sleep except futex_wake; uaddr is a program address.
 */
#ifndef SKIFF_FUTEX_H
#define SKIFF_FUTEX_H

#include <skiff/types.h>

/* Sleeps while *uaddr == val, until woken (0), deadline (-ETIMEDOUT),
 * a signal (-EINTR); -EAGAIN when *uaddr != val at the start. */
int futex_wait(u32 *uaddr, u32 val, u64 deadline_ns, u32 bitset);
/* Wakes up to n waiters on uaddr whose bitset intersects; returns how many. */
int futex_wake(u32 *uaddr, int n, u32 bitset);
/* Wakes nwake waiters of uaddr and moves up to nmove others to uaddr2;
 * with cmpval, first -EAGAIN unless *uaddr == *cmpval. */
int futex_requeue(u32 *uaddr, int nwake, u32 *uaddr2, int nmove,
		  const u32 *cmpval);

/*
 * PI futexes: the word holds the owner's tid (| FUTEX_WAITERS, | _OWNER_DIED).
 * lock: 0 once the word holds our tid; -EDEADLK if it did already, -ESRCH
 * when its owner no longer exists, -EAGAIN (trylock) when owned,
 * -ETIMEDOUT at the monotonic deadline (0: none), -ERESTARTNOINTR on a
 * signal (restarted after the handler). unlock: hands the lock to the
 * first waiter, or clears the word; -EPERM unless we own it. Both -EFAULT
 * unless the word is writable program memory, -EINVAL if misaligned.
 */
int futex_lock_pi(u32 *uaddr, u64 deadline_ns, bool trylock);
int futex_unlock_pi(u32 *uaddr);

#endif

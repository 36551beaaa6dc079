/*
 * linux/futex.c: futex(2), a thin entry over sched/futex.c. Layer: Linux ABI.
 * Every operation but FUTEX_FD and the requeue-PI pair (ENOSYS, as a kernel
 * built without them) is there, the PI ones without priority inheritance.
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/time.h>
#include <skiff/futex.h>
#include "abi.h"
#include "sys.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_FD 2
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAKE_BITSET 10
#define FUTEX_LOCK_PI2 13
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256

/* The deadline of a timeout: relative for WAIT, absolute for WAIT_BITSET. */
static int deadline_of(const struct linux_timespec *uts, bool absolute,
		       bool realtime, u64 *deadline)
{
	struct linux_timespec ts;

	*deadline = 0;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	u64 ns = (u64)ts.tv_sec > (1ull << 33) ? (1ull << 62)
					       : ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	u64 now = time_monotonic_ns();
	if (!absolute)
		*deadline = now + ns;
	else if (realtime) {
		u64 rt = time_realtime_ns();
		*deadline = ns > rt ? now + (ns - rt) : now;
	} else
		*deadline = ns;
	if (!*deadline)
		*deadline = 1; /* 0 means "no timeout" to the scheduler */
	return 0;
}

/* FUTEX_WAKE_OP's operation on *uaddr2; returns whether to wake there. */
static int wake_op(u32 *uaddr2, u32 opword, bool *cond)
{
	u32 op = (opword >> 28) & 7, cmp = (opword >> 24) & 15;
	u32 oparg = (opword >> 12) & 0xfff, cmparg = opword & 0xfff;
	u32 old, new;
	s64 seen;

	if (opword & (8u << 28))
		oparg = 1u << (oparg & 31);
	/* Through the uaccess atomics: another thread may unmap the word. */
	if (user_check(uaddr2, sizeof(u32), true) ||
	    (seen = uaccess_load32(uaddr2)) < 0)
		return -EFAULT;
	do {
		old = seen;
		switch (op) {
		case 0: new = oparg; break;
		case 1: new = old + oparg; break;
		case 2: new = old | oparg; break;
		case 3: new = old & ~oparg; break;
		case 4: new = old ^ oparg; break;
		default: return -ENOSYS;
		}
		seen = uaccess_cmpxchg32(uaddr2, old, new);
		if (seen < 0)
			return -EFAULT;
	} while ((u32)seen != old);
	switch (cmp) {
	case 0: *cond = old == cmparg; break;
	case 1: *cond = old != cmparg; break;
	case 2: *cond = (s32)old < (s32)cmparg; break;
	case 3: *cond = (s32)old <= (s32)cmparg; break;
	case 4: *cond = (s32)old > (s32)cmparg; break;
	case 5: *cond = (s32)old >= (s32)cmparg; break;
	default: return -ENOSYS;
	}
	return 0;
}

/*
 * The key of a futex that only wakes: a private one is its address, which
 * must be a program address; a shared one is the page's, so the word must
 * be mapped (Linux looks the page up): -EFAULT otherwise, as there.
 */
static int key_check(const u32 *uaddr, bool private)
{
	if ((u64)uaddr & 3)
		return -EINVAL;
	if (private)
		return (u64)uaddr < USER_END - sizeof(u32) ? 0 : -EFAULT;
	return user_check(uaddr, sizeof(u32), false);
}

long sys_futex(u32 *uaddr, int op, u32 val, const struct linux_timespec *timeout,
	       u32 *uaddr2, u32 val3)
{
	int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	u64 deadline;
	int r;

	bool private = op & FUTEX_PRIVATE_FLAG;
	if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_LOCK_PI2)
		return -ENOSYS; /* as Linux: only these take the realtime clock */
	/* val2 (nr to requeue) travels in the timeout argument. */
	u32 val2 = (u32)(unsigned long)timeout;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		r = deadline_of(timeout, cmd == FUTEX_WAIT_BITSET, realtime,
				&deadline);
		if (r)
			return r;
		return futex_wait(uaddr, val, deadline,
				  cmd == FUTEX_WAIT ? ~0u : val3);
	case FUTEX_WAKE:
		r = key_check(uaddr, private);
		return r ? r : futex_wake(uaddr, (int)MIN(val, 0x7fffffffu), ~0u);
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		r = key_check(uaddr, private);
		return r ? r : futex_wake(uaddr, (int)MIN(val, 0x7fffffffu), val3);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		r = key_check(uaddr, private);
		if (!r)
			r = key_check(uaddr2, private);
		if (r)
			return r;
		return futex_requeue(uaddr, (int)MIN(val, 0x7fffffffu), uaddr2,
				     (int)MIN(val2, 0x7fffffffu),
				     cmd == FUTEX_CMP_REQUEUE ? &val3 : NULL);
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
		/* LOCK_PI's timeout is on CLOCK_REALTIME, LOCK_PI2's on
		 * CLOCK_MONOTONIC unless FUTEX_CLOCK_REALTIME; both absolute. */
		r = deadline_of(timeout, true, cmd == FUTEX_LOCK_PI || realtime,
				&deadline);
		return r ? r : futex_lock_pi(uaddr, deadline, false);
	case FUTEX_TRYLOCK_PI:
		return futex_lock_pi(uaddr, 0, true);
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(uaddr);
	case FUTEX_WAKE_OP: {
		bool cond = false;
		r = key_check(uaddr, private);
		if (r)
			return r;
		r = wake_op(uaddr2, val3, &cond);
		if (r)
			return r;
		int n = futex_wake(uaddr, (int)MIN(val, 0x7fffffffu), ~0u);
		if (n >= 0 && cond)
			n += futex_wake(uaddr2, (int)MIN(val2, 0x7fffffffu), ~0u);
		return n;
	}
	default:
		return -ENOSYS; /* FUTEX_FD, WAIT_REQUEUE_PI, CMP_REQUEUE_PI */
	}
}

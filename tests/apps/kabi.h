/*
 * tests/apps/kabi.h: Linux x86_64 ABI constants and structures the test
 * programs need that musl's headers lack (musl-gcc has no <linux/...>),
 * written from the futex(2), clone(2) and timer_create(2) manual pages,
 * and two helpers for threads made without libc:
 *   k_sys(n, a, b, c)   a raw system call (no errno, no TLS: safe in a
 *                       child that has no thread pointer of its own)
 *   k_clone(flags, stack_top, ptid, ctid, tls, fn, arg)
 *                       clone(2) calling fn(arg) in the child on stack_top,
 *                       then exit(fn's value); returns the tid or -errno
 *   k_clone_wait(ctid)  waits until CLONE_CHILD_CLEARTID zeroed *ctid
 * Layer: tests.
 */
#ifndef TESTS_APPS_KABI_H
#define TESTS_APPS_KABI_H

#include <signal.h>
#include <stdint.h>

/* futex(2) operations and flags */
#define K_FUTEX_WAIT 0
#define K_FUTEX_WAKE 1
#define K_FUTEX_REQUEUE 3
#define K_FUTEX_CMP_REQUEUE 4
#define K_FUTEX_WAKE_OP 5
#define K_FUTEX_WAIT_BITSET 9
#define K_FUTEX_WAKE_BITSET 10
#define K_FUTEX_PRIVATE 128
#define K_FUTEX_CLOCK_REALTIME 256
#define K_FUTEX_WAITERS 0x80000000u
#define K_FUTEX_OWNER_DIED 0x40000000u
#define K_FUTEX_TID_MASK 0x3fffffffu

/* FUTEX_WAKE_OP encoding: op, oparg, cmp, cmparg */
#define K_OP_SET 0
#define K_OP_ADD 1
#define K_OP_OR 2
#define K_OP_ANDN 3
#define K_OP_XOR 4
#define K_OP_ARG_SHIFT 8
#define K_CMP_EQ 0
#define K_CMP_GT 4
#define K_FUTEX_OP(op, oparg, cmp, cmparg)                                   \
	((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | \
	 ((cmparg) & 0xfff))

/* set_robust_list(2) */
struct k_robust_list {
	struct k_robust_list *next;
};
struct k_robust_head {
	struct k_robust_list list;
	long futex_offset;
	struct k_robust_list *pending;
};

/* clone3(2) */
struct k_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
		set_tid, set_tid_size, cgroup;
};
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

/* the kernel's struct sigevent (timer_create(2)) */
struct k_sigevent {
	union sigval value;
	int signo;
	int notify;
	int tid;
	int pad[11];
};
#define K_SIGEV_SIGNAL 0
#define K_SIGEV_NONE 1
#define K_SIGEV_THREAD_ID 4


static inline long k_sys(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "0"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

/* fn and arg ride in callee-saved registers, which the child inherits. */
static inline long k_clone(unsigned long flags, void *sp, int *pt, int *ct, void *tls,
			   int (*fn)(void *), void *arg)
{
	register long r10 __asm__("r10") = (long)ct;
	register long r8 __asm__("r8") = (long)tls;
	register long r12 __asm__("r12") = (long)fn;
	register long r13 __asm__("r13") = (long)arg;
	long r;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "mov %%r13, %%rdi\n\t"
			 "call *%%r12\n\t"
			 "mov %%eax, %%edi\n\t"
			 "mov $60, %%eax\n\t"
			 "syscall\n\t"
			 "ud2\n"
			 "1:"
			 : "=a"(r)
			 : "0"(56L), "D"(flags), "S"(sp), "d"(pt), "r"(r10), "r"(r8),
			   "r"(r12), "r"(r13)
			 : "rcx", "r11", "memory");
	return r;
}

static inline void k_clone_wait(int *ct)
{
	int v;

	while ((v = __atomic_load_n(ct, __ATOMIC_SEQ_CST)) != 0)
		k_sys(202 /* futex */, (long)ct, K_FUTEX_WAIT, v);
}

#endif

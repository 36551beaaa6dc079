/*
 * linux/thread.c: the process and its threads as the program sees them:
 * ids, TLS (arch_prctl), exit, thread clones, and the per-thread pointers
 * glibc registers. Clones of a new process are fork.c's, the end of a
 * process exit.c's. Layer: Linux ABI.
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include <skiff/frame.h>
#include <skiff/futex.h>
#include "abi.h"
#include "exit.h"
#include "fork.h"
#include "lproc.h"
#include "signal.h"
#include "syscall.h"
#include "sys.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define ARCH_GET_CPUID 0x1011
#define ARCH_SET_CPUID 0x1012

long sys_arch_prctl(int code, unsigned long addr)
{
	struct thread *t = thread_current();

	switch (code) {
	case ARCH_SET_FS:
		if (addr >= USER_END)
			return -EPERM;
		thread_set_fs_base(t, addr);
		wrmsr(MSR_FS_BASE, addr);
		return 0;
	case ARCH_GET_FS: {
		u64 fs = rdmsr(MSR_FS_BASE);
		return copy_to_user((void *)addr, &fs, sizeof(fs));
	}
	case ARCH_GET_GS: {
		u64 gs = 0;
		return copy_to_user((void *)addr, &gs, sizeof(gs));
	}
	case ARCH_SET_GS:
		/* DIVERGENCE: GS holds the kernel's per-CPU data. */
		return -EPERM;
	case ARCH_GET_CPUID:
		return 1;
	case ARCH_SET_CPUID:
		return -ENODEV;
	default:
		return -EINVAL;
	}
}

long sys_set_tid_address(int *tidptr)
{
	lthread_current()->clear_child_tid = tidptr;
	return thread_tid();
}

long sys_set_robust_list(void *head, size_t len)
{
	if (len != 24) /* sizeof(struct robust_list_head) */
		return -EINVAL;
	lthread_current()->robust_list = head;
	return 0;
}

long sys_get_robust_list(int pid, void **head, size_t *len)
{
	struct thread *t = pid ? thread_find(pid) : thread_current();
	size_t l = 24;

	if (!t || !thread_abi(t))
		return -ESRCH;
	if (copy_to_user(head, &lthread_of(t)->robust_list, sizeof(*head)) ||
	    copy_to_user(len, &l, sizeof(l)))
		return -EFAULT;
	return 0;
}

#define RSEQ_FLAG_UNREGISTER 1
#define RSEQ_MIN_LEN 32

/*
 * rseq(2). cpu_id_start and cpu_id are the CPU the thread runs on,
 * rewritten on its way back to the program after it moved
 * (rseq_cpu_update). A critical section interrupted by preemption or a
 * signal restarts at its abort handler (rseq_abort_check).
 */
long sys_rseq(void *rseq, u32 len, int flags, u32 sig)
{
	struct lthread *t = lthread_current();
	u64 a = (u64)rseq;

	if (flags & RSEQ_FLAG_UNREGISTER) {
		if (flags & ~RSEQ_FLAG_UNREGISTER)
			return -EINVAL;
		if (t->rseq != a || t->rseq_len != len)
			return -EINVAL;
		if (t->rseq_sig != sig)
			return -EPERM;
		t->rseq = 0;
		return 0;
	}
	if (t->rseq) {
		if (t->rseq != a || t->rseq_len != len)
			return -EINVAL;
		return t->rseq_sig != sig ? -EPERM : -EBUSY;
	}
	if (flags || (a & 31) || len < RSEQ_MIN_LEN)
		return -EINVAL;
	int cpu = sched_cpu_id();
	u32 ids[2] = { cpu, cpu }; /* cpu_id_start, cpu_id */
	if (user_check(rseq, len, true) || copy_to_user(rseq, ids, sizeof(ids)))
		return -EFAULT;
	t->rseq_cpu = cpu;
	t->rseq = a;
	t->rseq_len = len;
	t->rseq_sig = sig;
	return 0;
}

void rseq_cpu_update(struct lthread *lt)
{
	int cpu = sched_cpu_id();
	u32 ids[2] = { cpu, cpu };

	if (!lt->rseq || lt->rseq_cpu == cpu)
		return;
	lt->rseq_cpu = cpu;
	/* An area unmapped since: left alone (Linux would SIGSEGV). */
	copy_to_user((void *)lt->rseq, ids, sizeof(ids));
}

void rseq_abort_check(u64 *rip)
{
	struct lthread *t = lthread_current();
	u64 cs_addr, cs[4]; /* version+flags, start_ip, post_commit_offset, abort_ip */
	u32 sig;

	if (!t->rseq || copy_from_user(&cs_addr, (void *)(t->rseq + 8), 8) ||
	    !cs_addr)
		return;
	if (copy_from_user(cs, (void *)cs_addr, sizeof(cs)))
		return;
	if (*rip < cs[1] || *rip - cs[1] >= cs[2])
		return;
	if (copy_from_user(&sig, (void *)(cs[3] - 4), 4) || sig != t->rseq_sig)
		exit_fatal_signal(11, cs[3], *rip);
	cs_addr = 0;
	copy_to_user((void *)(t->rseq + 8), &cs_addr, 8);
	*rip = cs[3];
}

long sys_exit_group(int status)
{
	exit_group(status);
}

#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu
#define ROBUST_LIST_LIMIT 2048

/* Marks one robust futex of the exiting thread as its owner's death. */
static void robust_release(u64 entry, s64 offset, int tid)
{
	u32 *word = (u32 *)(entry + offset);
	s64 v;

	if (user_check(word, sizeof(*word), true))
		return;
	v = uaccess_load32(word);
	while (v >= 0 && ((u32)v & FUTEX_TID_MASK) == (u32)tid) {
		u32 nv = ((u32)v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
		s64 seen = uaccess_cmpxchg32(word, v, nv);
		if (seen == v) {
			if (v & FUTEX_WAITERS)
				futex_wake(word, 1, ~0u);
			break;
		}
		v = seen;
	}
}

/* Walks the robust list glibc registered (set_robust_list(2)). */
void robust_list_cleanup(struct lthread *t)
{
	u64 head[3]; /* list, futex_offset, list_op_pending */
	u64 entry;

	if (!t->robust_list || copy_from_user(head, t->robust_list, sizeof(head)))
		return;
	/* Bit 0 of each entry pointer marks a PI mutex: not part of it. */
	entry = head[0] & ~1ull;
	for (int n = 0; entry != (u64)t->robust_list && n < ROBUST_LIST_LIMIT; n++) {
		u64 next;
		if (copy_from_user(&next, (void *)entry, sizeof(next)))
			break;
		if (entry != (head[2] & ~1ull))
			robust_release(entry, head[1], thread_id(t->t));
		entry = next & ~1ull;
	}
	if (head[2] & ~1ull)
		robust_release(head[2] & ~1ull, head[1], thread_id(t->t));
}

long sys_exit(int status)
{
	exit_thread(status);
}

#define NEEDED (CLONE_VM | CLONE_THREAD | CLONE_SIGHAND)

extern void clone_return(struct syscall_frame *f) __noreturn;

void clone_start(void *arg)
{
	struct syscall_frame f;

	memcpy(&f, arg, sizeof(f));
	kfree(arg);
	clone_return(&f); /* the stack above f is not needed again */
}

/* clone and clone3; those of a new process are fork.c's (fork_clone). */
static long do_clone(const struct clone_req *rq)
{
	struct thread *self = thread_current();
	struct lthread *lself = lthread_of(self);

	/* Linux's own consistency checks come first (copy_process). */
	if ((rq->flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS))
		return -EINVAL;
	if ((rq->flags & CLONE_THREAD) && !(rq->flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((rq->flags & CLONE_SIGHAND) && !(rq->flags & CLONE_VM))
		return -EINVAL;
	if (!(rq->flags & CLONE_THREAD))
		return fork_clone(rq);
	if ((rq->flags & ~(CLONE_THREAD_FLAGS | 0xff)) ||
	    (rq->flags & NEEDED) != NEEDED)
		return -ENOSYS; /* DIVERGENCE: a thread with these flags */
	if ((rq->flags & CLONE_SETTLS) && rq->tls >= USER_END)
		return -EPERM;

	struct syscall_frame *f = kmalloc(sizeof(*f));
	struct lthread *lt = lthread_alloc(lself->sigmask);
	if (!f || !lt) { /* out of kernel memory: EAGAIN, as a thread limit */
		kfree(f);
		kfree(lt);
		return -EAGAIN;
	}
	memcpy(f, lself->sys_frame, sizeof(*f));
	f->rax = 0;
	if (rq->stack)
		f->rsp = rq->stack;
	struct thread *t = thread_create(thread_name(self), NULL, NULL, true);
	if (!t) {
		kfree(f);
		kfree(lt);
		return -EAGAIN;
	}
	lthread_attach(t, lt);
	/* The child starts with the parent's FPU state. */
	fpu_save(thread_fpu_area(t));
	thread_set_fs_base(t, (rq->flags & CLONE_SETTLS) ? rq->tls
						       : rdmsr(MSR_FS_BASE));
	if (rq->flags & CLONE_CHILD_CLEARTID)
		lthread_of(t)->clear_child_tid = rq->child_tid;
	/* As Linux: a tid pointer that cannot be written is not written, and
	 * the clone still succeeds (so never a store through it from here). */
	int tid = thread_id(t);
	if (rq->flags & CLONE_CHILD_SETTID)
		(void)copy_to_user(rq->child_tid, &tid, sizeof(tid));
	if (rq->flags & CLONE_PARENT_SETTID)
		(void)copy_to_user(rq->parent_tid, &tid, sizeof(tid));
	thread_start(t, clone_start, f);
	return tid;
}

long sys_clone(unsigned long flags, unsigned long stack, int *parent_tid,
	       int *child_tid, unsigned long tls)
{
	struct clone_req rq = { flags & ~0xfful, stack, parent_tid, child_tid,
				tls, flags & 0xff };

	return do_clone(&rq);
}

struct clone_args {
	u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack,
		stack_size, tls, set_tid, set_tid_size, cgroup;
};

long sys_clone3(struct clone_args *uargs, size_t size)
{
	struct clone_args a;

	memset(&a, 0, sizeof(a));
	if (size < 64 || size > PAGE_SIZE)
		return -EINVAL;
	if (copy_from_user(&a, uargs, MIN(size, sizeof(a))))
		return -EFAULT;
	if (a.flags >> 32 & ~3ull) /* beyond CLONE_CLEAR_SIGHAND, CLONE_INTO_CGROUP */
		return -EINVAL;
	if (a.exit_signal > NSIG || a.set_tid || a.set_tid_size || a.cgroup)
		return -EINVAL;
	if ((a.flags & (CLONE_THREAD | CLONE_PARENT)) && a.exit_signal)
		return -EINVAL;
	if ((a.stack == 0) != (a.stack_size == 0))
		return -EINVAL;
	if (a.flags & 0xff) /* clone3 has exit_signal instead */
		return -EINVAL;
	struct clone_req rq = { a.flags, a.stack ? a.stack + a.stack_size : 0,
				(int *)a.parent_tid, (int *)a.child_tid, a.tls,
				(int)a.exit_signal };
	return do_clone(&rq);
}

long sys_getpid(void)
{
	return process_current()->pid;
}

long sys_gettid(void)
{
	return thread_tid();
}

/* The thread sched_{get,set}affinity name: pid 0 is the caller. */
static struct thread *affinity_target(int pid)
{
	if (pid < 0)
		return NULL;
	return pid ? thread_find(pid) : thread_current();
}

long sys_sched_getaffinity(int pid, size_t len, unsigned long *mask)
{
	struct thread *t = affinity_target(pid);
	unsigned long m;

	if (!t)
		return -ESRCH;
	if (len < sizeof(m) || (len & (sizeof(long) - 1)))
		return -EINVAL;
	m = thread_affinity(t) & ((1ul << cpu_count()) - 1);
	if (copy_to_user(mask, &m, sizeof(m)))
		return -EFAULT;
	return sizeof(m);
}

long sys_sched_setaffinity(int pid, size_t len, const unsigned long *mask)
{
	struct thread *t = affinity_target(pid);
	unsigned long m = 0;

	if (!t)
		return -ESRCH;
	/* A shorter mask is zero-extended, a longer one cut, as Linux. */
	if (copy_from_user(&m, mask, MIN(len, sizeof(m))))
		return -EFAULT;
	return thread_set_affinity(t, (u32)m);
}

#define PRIO_PROCESS 0
#define PRIO_PGRP 1
#define PRIO_USER 2

long sys_getpriority(int which, int who)
{
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	if (who != 0 && who != 1 && !(which == PRIO_PROCESS && thread_find(who)))
		return -ESRCH;
	/* The nice value does not change scheduling. */
	return 20 - lproc_current()->nice; /* the kernel's encoding: 40..1 */
}

long sys_setpriority(int which, int who, int prio)
{
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	if (who != 0 && who != 1 && !(which == PRIO_PROCESS && thread_find(who)))
		return -ESRCH;
	lproc_current()->nice = prio < -20 ? -20 : prio > 19 ? 19 : prio;
	return 0;
}

#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define PR_GET_TIMERSLACK 30
#define PR_SET_TIMERSLACK 29
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define PR_SET_THP_DISABLE 41
#define PR_GET_THP_DISABLE 42
#define PR_CAPBSET_READ 23
#define PR_SET_VMA 0x53564d41

/* As strncpy_from_user: up to 15 bytes or the NUL; -EFAULT if a byte
 * before either cannot be read. */
static long set_name(struct thread *t, const char *uname)
{
	char name[16];
	size_t n = 0;

	while (n < sizeof(name) - 1) {
		if (copy_from_user(&name[n], uname + n, 1))
			return -EFAULT;
		if (!name[n])
			break;
		n++;
	}
	name[n] = '\0';
	thread_set_name(t, name);
	return 0;
}

long sys_prctl(int op, unsigned long a2, unsigned long a3, unsigned long a4,
	       unsigned long a5)
{
	struct thread *t = thread_current();
	struct linux_process *lp = lproc_of(thread_process(t));

	switch (op) {
	case PR_SET_NAME:
		return set_name(t, (const char *)a2);
	case PR_GET_NAME:
		return copy_to_user((void *)a2, thread_name(t), 16);
	case PR_SET_DUMPABLE:
		if (a2 > 1)
			return -EINVAL;
		lp->dumpable = a2;
		return 0;
	case PR_GET_DUMPABLE:
		return lp->dumpable;
	case PR_SET_NO_NEW_PRIVS:
		if (a2 != 1 || a3 || a4 || a5)
			return -EINVAL;
		lp->no_new_privs = 1;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		return lp->no_new_privs;
	case PR_SET_PDEATHSIG:
		if (a2 > NSIG)
			return -EINVAL;
		lp->pdeathsig = a2;
		return 0;
	case PR_GET_PDEATHSIG:
		return copy_to_user((void *)a2, &lp->pdeathsig, sizeof(int));
	case PR_SET_THP_DISABLE:
		lp->thp_disable = !!a2;
		return 0;
	case PR_GET_THP_DISABLE:
		return lp->thp_disable;
	case PR_GET_TIMERSLACK:
		return 50000;
	case PR_SET_TIMERSLACK:
		return 0;
	case PR_CAPBSET_READ:
		return a2 <= 40 ? 1 : -EINVAL;
	case PR_SET_VMA:
		return 0; /* naming anonymous memory: accepted, not shown */
	default:
		return -EINVAL;
	}
}

#define MEMBARRIER_CMD_QUERY 0
#define MEMBARRIER_CMD_GLOBAL 1
#define MEMBARRIER_CMD_GLOBAL_EXPEDITED 2
#define MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED 4
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED 8
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED 16
#define MEMBARRIER_SUPPORTED 0x1f

/*
 * One CPU: every barrier is already complete when the call is made. The
 * private expedited commands still require registering first, as Linux.
 */
long sys_membarrier(int cmd, unsigned flags, int cpu)
{
	if (flags)
		return -EINVAL;
	if (cmd == MEMBARRIER_CMD_QUERY)
		return MEMBARRIER_SUPPORTED;
	if (cmd & ~MEMBARRIER_SUPPORTED || __builtin_popcount(cmd) != 1)
		return -EINVAL;
	if (cmd == MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED ||
	    cmd == MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED) {
		__atomic_fetch_or(&lproc_current()->membarrier_registered, cmd,
				  __ATOMIC_SEQ_CST);
		return 0;
	}
	if (cmd == MEMBARRIER_CMD_PRIVATE_EXPEDITED &&
	    !(__atomic_load_n(&lproc_current()->membarrier_registered,
			      __ATOMIC_SEQ_CST) &
	      MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED))
		return -EPERM;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return 0;
}

#define SCHED_OTHER 0
#define SCHED_FIFO 1
#define SCHED_RR 2
#define SCHED_BATCH 3
#define SCHED_IDLE 5
#define SCHED_RESET_ON_FORK 0x40000000

static bool valid_policy(int p)
{
	return p == SCHED_OTHER || p == SCHED_FIFO || p == SCHED_RR ||
	       p == SCHED_BATCH || p == SCHED_IDLE;
}

static bool rt_policy(int p)
{
	return p == SCHED_FIFO || p == SCHED_RR;
}

static long check_pid(int pid)
{
	if (pid < 0)
		return -EINVAL;
	return pid && pid != 1 && !thread_find(pid) ? -ESRCH : 0;
}

long sys_sched_get_priority_max(int policy)
{
	return valid_policy(policy) ? (rt_policy(policy) ? 99 : 0) : -EINVAL;
}

long sys_sched_get_priority_min(int policy)
{
	return valid_policy(policy) ? (rt_policy(policy) ? 1 : 0) : -EINVAL;
}

/* DIVERGENCE: policies and priorities are recorded, not used: all threads
 * share the CPU fairly. */
long sys_sched_getscheduler(int pid)
{
	long r = check_pid(pid);
	return r ? r : lproc_current()->sched_policy;
}

long sys_sched_getparam(int pid, int *param)
{
	long r = check_pid(pid);

	if (!r && !param)
		return -EINVAL;
	return r ? r : copy_to_user(param, &lproc_current()->sched_prio,
				    sizeof(int));
}

static long set_sched(int pid, int policy, const int *param)
{
	int prio;
	long r = check_pid(pid);

	if (!param)
		return -EINVAL;
	if (r)
		return r;
	if (copy_from_user(&prio, param, sizeof(prio)))
		return -EFAULT;
	struct linux_process *lp = lproc_current();
	if (policy < 0)
		policy = lp->sched_policy;
	policy &= ~SCHED_RESET_ON_FORK;
	if (!valid_policy(policy))
		return -EINVAL;
	if (rt_policy(policy) ? prio < 1 || prio > 99 : prio != 0)
		return -EINVAL;
	lp->sched_policy = policy;
	lp->sched_prio = prio;
	return 0;
}

long sys_sched_setscheduler(int pid, int policy, const int *param)
{
	if (policy < 0)
		return -EINVAL;
	return set_sched(pid, policy, param);
}

long sys_sched_setparam(int pid, const int *param)
{
	return set_sched(pid, -1, param);
}

long sys_sched_rr_get_interval(int pid, struct linux_timespec *ts)
{
	struct linux_timespec t = { 0, 100000000 }; /* SCHED_RR's 100 ms */
	long r = check_pid(pid);

	if (r)
		return r;
	return copy_to_user(ts, &t, sizeof(t));
}

long sys_sched_yield(void)
{
	sched_yield();
	return 0;
}

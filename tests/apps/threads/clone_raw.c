/*
 * clone_raw: clone(2) with the flags a thread library passes, through an
 * assembly wrapper (no libc in the child): the child runs on the given
 * stack with the given TLS base, shares the pid, sees CLONE_CHILD_SETTID's
 * write; the parent gets the tid from the return value and from
 * CLONE_PARENT_SETTID; at exit CLONE_CHILD_CLEARTID zeroes the word and
 * wakes the futex. Bad flag combinations are EINVAL (never a fork).
 */
#include <sched.h>
#include <stdint.h>
#include "check.h"
#include "kabi.h"

#define SYS(...) syscall(__VA_ARGS__)
#define ARCH_GET_FS 0x1003
#define STACK_SIZE (64 * 1024)

static char stack[STACK_SIZE] __attribute__((aligned(16)));
static int ptid, ctid;
static volatile long child_tid, child_pid, child_ctid_seen, child_fs, child_sp_ok;
static unsigned long fake_tls[8];

static int child(void *arg)
{
	volatile char here;
	unsigned long fs = 0;

	(void)arg;
	child_tid = k_sys(SYS_gettid, 0, 0, 0);
	child_pid = k_sys(SYS_getpid, 0, 0, 0);
	child_ctid_seen = ctid;
	k_sys(SYS_arch_prctl, ARCH_GET_FS, (long)&fs, 0);
	child_fs = (long)fs;
	child_sp_ok = (char *)&here > stack && (char *)&here < stack + STACK_SIZE;
	return 0;
}

int main(void)
{
	unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			      CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
			      CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
	long tid, r;
	int waits = 0;

	fake_tls[0] = (unsigned long)fake_tls;
	ctid = -1;
	tid = k_clone(flags, stack + STACK_SIZE, &ptid, &ctid, fake_tls, child, NULL);
	yes("clone returned a tid > 0", tid > 0);
	yes("  tid differs from the pid", tid != getpid());
	yes("  CLONE_PARENT_SETTID wrote it", ptid == tid);
	/* CHILD_CLEARTID: the word becomes 0 and the futex is woken */
	while ((r = __atomic_load_n(&ctid, __ATOMIC_SEQ_CST)) != 0 && waits < 1000) {
		SYS(SYS_futex, &ctid, K_FUTEX_WAIT, (int)r, NULL, NULL, 0);
		waits++;
	}
	yes("  child tid word cleared at exit", ctid == 0);
	yes("  child's gettid equals it", child_tid == tid);
	yes("  child's getpid is the parent's", child_pid == getpid());
	yes("  CLONE_CHILD_SETTID wrote the tid before the child ran", child_ctid_seen == tid);
	yes("  CLONE_SETTLS: child's FS base", child_fs == (long)fake_tls);
	yes("  child ran on the given stack", child_sp_ok);

	SHOW(SYS(SYS_clone, CLONE_THREAD | CLONE_VM, stack + STACK_SIZE, NULL, NULL, 0));
	SHOW(SYS(SYS_clone, CLONE_SIGHAND, stack + STACK_SIZE, NULL, NULL, 0));
	SHOW(SYS(SYS_clone, CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_FS | CLONE_NEWNS,
		 stack + STACK_SIZE, NULL, NULL, 0));
	return 0;
}

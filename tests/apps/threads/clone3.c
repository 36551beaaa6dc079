/*
 * clone3: clone3(2) creating a thread through an assembly wrapper: the
 * child starts at the top of the given stack, shares the pid, and the
 * parent_tid/child_tid words behave as with clone. Bad arguments are
 * rejected before anything is created: a short struct, flags the struct
 * cannot carry, an exit signal on a thread, a stack without a size.
 */
#include <sched.h>
#include <stdint.h>
#include "check.h"
#include "kabi.h"

#define SYS(...) syscall(__VA_ARGS__)
#define STACK_SIZE (64 * 1024)

static char stack[STACK_SIZE] __attribute__((aligned(16)));
static int ptid, ctid;
static volatile long child_tid, child_pid, child_sp_ok, child_arg;

static long rsys(long n)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "0"(n) : "rcx", "r11", "memory");
	return r;
}

static int child(void *arg)
{
	volatile char here;

	child_arg = (long)arg;
	child_tid = rsys(SYS_gettid);
	child_pid = rsys(SYS_getpid);
	child_sp_ok = (char *)&here > stack && (char *)&here < stack + STACK_SIZE;
	return 0;
}

/* clone3(args, size) calling fn(arg) in the child, which then exits. */
static long clone3_call(struct k_clone_args *ca, size_t size, int (*fn)(void *), void *arg)
{
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
			 : "0"(SYS_clone3), "D"(ca), "S"(size), "r"(r12), "r"(r13)
			 : "rcx", "r11", "memory");
	return r;
}

static long bad(uint64_t flags, uint64_t exit_signal, uint64_t st, uint64_t size, size_t asize)
{
	struct k_clone_args ca = { .flags = flags, .exit_signal = exit_signal, .stack = st,
				   .stack_size = size };

	return SYS(SYS_clone3, &ca, asize);
}

int main(void)
{
	const uint64_t thread = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
				CLONE_THREAD | CLONE_SYSVSEM;
	struct k_clone_args ca = {
		.flags = thread | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID,
		.child_tid = (uintptr_t)&ctid,
		.parent_tid = (uintptr_t)&ptid,
		.stack = (uintptr_t)stack,
		.stack_size = STACK_SIZE,
	};
	long tid, r;
	int waits = 0;

	ctid = -1;
	tid = clone3_call(&ca, sizeof(ca), child, (void *)77L);
	yes("clone3 returned a tid > 0", tid > 0);
	yes("  parent_tid written", ptid == tid);
	while ((r = __atomic_load_n(&ctid, __ATOMIC_SEQ_CST)) != 0 && waits < 1000) {
		SYS(SYS_futex, &ctid, K_FUTEX_WAIT, (int)r, NULL, NULL, 0);
		waits++;
	}
	yes("  child_tid cleared at exit", ctid == 0);
	yes("  child's gettid is the tid", child_tid == tid);
	yes("  child's getpid is the parent's", child_pid == getpid());
	yes("  child ran on the given stack", child_sp_ok);
	say("  child's argument: %ld", child_arg);

	SHOW(bad(thread, 0, (uintptr_t)stack, STACK_SIZE, 32));
	SHOW(bad(thread, 0, (uintptr_t)stack, STACK_SIZE, 0));
	SHOW(bad(CLONE_THREAD, 0, (uintptr_t)stack, STACK_SIZE, sizeof(struct k_clone_args)));
	SHOW(bad(thread, SIGCHLD, (uintptr_t)stack, STACK_SIZE, sizeof(struct k_clone_args)));
	SHOW(bad(thread, 0, (uintptr_t)stack, 0, sizeof(struct k_clone_args)));
	SHOW(bad(thread | (1ULL << 40), 0, (uintptr_t)stack, STACK_SIZE,
		 sizeof(struct k_clone_args)));
	SHOW(SYS(SYS_clone3, NULL, sizeof(struct k_clone_args)));
	return 0;
}

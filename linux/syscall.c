/*
 * linux/syscall.c: the C side of the SYSCALL entry (arch/x86_64/entry.S).
 * Runs on the calling thread's kernel stack with interrupts on.
 */
#include <skiff/sched.h>
#include "../sched/thread.h"
#include "syscall.h"

void syscall_handler(struct syscall_frame *f)
{
	thread_current()->sys_frame = f;
	f->rax = syscall_dispatch(f);
	if (sched_need_resched())
		schedule();
}

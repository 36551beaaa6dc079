/*
 * linux/syscall.c: the C side of the SYSCALL entry (arch/x86_64/entry.S).
 * Runs on the calling thread's kernel stack with interrupts on.
 */
#include <skiff/errno.h>
#include <skiff/sched.h>
#include "signal.h"
#include "syscall.h"

/* Writes that fail with EPIPE also raise SIGPIPE, as on Linux. */
static bool raises_sigpipe(long nr)
{
	return nr == 1 || nr == 18 || nr == 20 || nr == 296 || nr == 40 ||
	       nr == 275 || nr == 276 || nr == 278;
}

void syscall_handler(struct syscall_frame *f)
{
	struct thread *t = thread_current();
	struct lthread *lt = lthread_of(t);

	lt->sys_frame = f;
	lt->sys_nr = f->rax;
	f->rax = syscall_dispatch(f);
	if ((long)f->rax == -EPIPE && raises_sigpipe(lt->sys_nr))
		signal_send_thread(t, SIGPIPE, NULL);
	if (sched_need_resched())
		schedule();
	signal_deliver_syscall(f);
}

/*
 * linux/signal.c: signal dispositions and masks. They are recorded and
 * reported back as Linux does; delivery comes with threads and handlers.
 * Layer: Linux ABI.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include "../sched/thread.h"
#include "abi.h"
#include "sys.h"

#define SIGKILL 9
#define SIGSTOP 19
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define UNBLOCKABLE ((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)))

static struct linux_sigaction actions[NSIG];

long sys_rt_sigaction(int sig, const struct linux_sigaction *act,
		      struct linux_sigaction *old, size_t setsize)
{
	struct linux_sigaction a;

	if (setsize != sizeof(u64))
		return -EINVAL;
	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (act && copy_from_user(&a, act, sizeof(a)))
		return -EFAULT;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (old && copy_to_user(old, &actions[sig - 1], sizeof(*old)))
		return -EFAULT;
	if (act) {
		a.mask &= ~UNBLOCKABLE;
		actions[sig - 1] = a;
	}
	return 0;
}

long sys_rt_sigprocmask(int how, const u64 *set, u64 *old, size_t setsize)
{
	struct thread *t = thread_current();
	u64 s = 0;

	if (setsize != sizeof(u64))
		return -EINVAL;
	if (set && copy_from_user(&s, set, sizeof(s)))
		return -EFAULT;
	if (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return -EINVAL;
	if (old && copy_to_user(old, &t->sigmask, sizeof(*old)))
		return -EFAULT;
	if (!set)
		return 0;
	s &= ~UNBLOCKABLE;
	if (how == SIG_BLOCK)
		t->sigmask |= s;
	else if (how == SIG_UNBLOCK)
		t->sigmask &= ~s;
	else
		t->sigmask = s;
	return 0;
}

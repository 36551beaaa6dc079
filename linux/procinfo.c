/*
 * linux/procinfo.c: the summaries of the Linux ABI's state that /proc
 * shows (SigPnd, ShdPnd, SigBlk, SigIgn, SigCgt of /proc/PID/status, the
 * signal fields of stat). Layer: Linux ABI. fs/procfs never reads linux/'s
 * tables or takes its locks: it asks the provider that linux_procfs_init()
 * registers at boot (procfs_set_provider in skiff/vfs.h).
 */
#include <skiff/vfs.h>
#include "exec.h"
#include "signal.h"

struct sig_find {
	int tid;
	struct proc_signals *out;
	bool found;
};

/* Under the thread list lock: the thread's own mask and pending set. */
static void thread_sigs(struct thread *t, void *arg)
{
	struct sig_find *s = arg;

	if (t->tid != s->tid)
		return;
	s->found = true;
	s->out->blocked = __atomic_load_n(&t->sigmask, __ATOMIC_RELAXED);
	s->out->pending = __atomic_load_n(&t->sigpending, __ATOMIC_RELAXED);
}

static bool signals(int tid, struct proc_signals *out)
{
	struct sig_find s = { tid, out, false };

	out->pending = out->blocked = out->ignored = out->caught = 0;
	thread_for_each(thread_sigs, &s);
	spin_lock(&sig_lock);
	out->shared = proc_pending;
	for (int sig = 1; sig <= NSIG; sig++) {
		u64 h = sig_actions[sig - 1].handler;

		if (h == SIG_IGN)
			out->ignored |= sigbit(sig);
		else if (h != SIG_DFL)
			out->caught |= sigbit(sig);
	}
	spin_unlock(&sig_lock);
	return s.found;
}

static const struct procfs_provider provider = {
	.signals = signals,
};

void linux_procfs_init(void)
{
	procfs_set_provider(&provider);
}

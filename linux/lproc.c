/*
 * linux/lproc.c: the Linux-ABI state of processes and threads
 * (linux/lproc.h), and the hooks the ABI layer registers at boot: with
 * sched/ (struct process_abi_ops: a thread's pending signals, freeing a
 * thread's state, signal summaries for /proc) and with arch/ (struct
 * trap_signal_ops: faults, delivery after an interrupt, rseq after a
 * preemption). Layer: Linux ABI.
 */
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include "lproc.h"
#include "signal.h"

/* The limits Linux gives a process by default, and ours. */
static const struct linux_rlimit default_limits[RLIM_NLIMITS] = {
	[0] = { RLIM_INFINITY, RLIM_INFINITY },       /* CPU */
	[1] = { RLIM_INFINITY, RLIM_INFINITY },       /* FSIZE */
	[2] = { RLIM_INFINITY, RLIM_INFINITY },       /* DATA */
	[RLIMIT_STACK] = { 8 << 20, RLIM_INFINITY },
	[RLIMIT_CORE] = { 0, RLIM_INFINITY },         /* CORE */
	[5] = { RLIM_INFINITY, RLIM_INFINITY },       /* RSS */
	[6] = { 63449, 63449 },                       /* NPROC */
	[RLIMIT_NOFILE] = { 0, 0 },                   /* fs's fd table */
	[8] = { 8 << 20, 8 << 20 },                   /* MEMLOCK */
	[9] = { RLIM_INFINITY, RLIM_INFINITY },       /* AS */
	[10] = { RLIM_INFINITY, RLIM_INFINITY },      /* LOCKS */
	[11] = { 63449, 63449 },                      /* SIGPENDING */
	[12] = { 819200, 819200 },                    /* MSGQUEUE */
	[13] = { 0, 0 },                              /* NICE */
	[14] = { 0, 0 },                              /* RTPRIO */
	[15] = { RLIM_INFINITY, RLIM_INFINITY },      /* RTTIME */
};

/* Real-time signal instances a process may have queued. */
#define MAX_QUEUED 4096

static struct linux_process *lproc_alloc(void)
{
	struct linux_process *lp = kzalloc(sizeof(*lp));

	if (!lp)
		return NULL;
	lp->sig_lock = (struct spinlock)SPINLOCK_INIT;
	lp->timer_lock = (struct spinlock)SPINLOCK_INIT;
	lp->stop_lock = (struct spinlock)SPINLOCK_INIT;
	waitq_init(&lp->stop_wq);
	waitq_init(&lp->kill_wq);
	sigq_init(&lp->shared);
	lp->budget.max = MAX_QUEUED;
	return lp;
}

int lproc_create(struct process *p)
{
	struct linux_process *lp = lproc_alloc();

	if (!lp)
		return -ENOMEM;
	memcpy(lp->limits, default_limits, sizeof(lp->limits));
	lp->dumpable = 1;
	p->abi = lp;
	return 0;
}

int lproc_clone(struct process *child, struct process *parent)
{
	struct linux_process *lp = lproc_alloc(), *pp = lproc_of(parent);

	if (!lp)
		return -ENOMEM;
	if (cred_clone(&lp->cred, &pp->cred)) {
		kfree(lp);
		return -ENOMEM;
	}
	spin_lock(&pp->sig_lock);
	memcpy(lp->actions, pp->actions, sizeof(lp->actions));
	spin_unlock(&pp->sig_lock);
	memcpy(lp->limits, pp->limits, sizeof(lp->limits));
	lp->nice = pp->nice;
	lp->sched_policy = pp->sched_policy;
	lp->sched_prio = pp->sched_prio;
	lp->dumpable = pp->dumpable;
	lp->no_new_privs = pp->no_new_privs;
	lp->thp_disable = pp->thp_disable;
	lp->personality = pp->personality;
	child->abi = lp;
	return 0;
}

/* The last reference to p: its timers were stopped when it ended. */
static void abi_process_free(struct process *p)
{
	struct linux_process *lp = lproc_of(p);

	sigq_discard(&lp->shared, &lp->budget, ~0ull);
	cred_free(&lp->cred);
	kfree(lp);
	p->abi = NULL;
}

void lproc_exec_reset(struct linux_process *lp)
{
	spin_lock(&lp->sig_lock);
	for (int i = 0; i < NSIG; i++) {
		u64 h = lp->actions[i].handler;
		lp->actions[i] = (struct linux_sigaction){
			.handler = h == SIG_IGN ? SIG_IGN : SIG_DFL };
	}
	spin_unlock(&lp->sig_lock);
	/* POSIX timers go; slot 0, ITIMER_REAL, stays armed. */
	for (int i = 1; i <= LINUX_MAX_TIMERS; i++) {
		if (!lp->timers[i].used)
			continue;
		ktimer_set(&lp->timers[i].k, 0);
		lp->timers[i].used = false;
	}
	lp->dumpable = 1;
	lp->membarrier_registered = 0;
	__atomic_store_n(&lp->killer, NULL, __ATOMIC_RELEASE);
}

struct lthread *lthread_alloc(u64 sigmask)
{
	struct lthread *lt = kzalloc(sizeof(*lt));

	if (lt) {
		lt->sigmask = sigmask;
		sigq_init(&lt->pending);
	}
	return lt;
}

void lthread_attach(struct thread *t, struct lthread *lt)
{
	lt->t = t;
	thread_set_abi(t, lt);
}

struct thread *lthread_find(struct process *p, int tid)
{
	struct thread *t = thread_find(tid);

	return t && thread_abi(t) && thread_process(t) == p ? t : NULL;
}

static bool abi_signal_pending(struct thread *t)
{
	struct lthread *lt = lthread_of(t);

	if (lt->killable)
		return (lt->pending.set & sigbit(SIGKILL)) || lproc_killed(t);
	return (lt->pending.set & ~lt->sigmask) || lproc_killed(t);
}

/* Its pending signals were dropped when it exited (signal_thread_exit). */
static void abi_thread_free(struct thread *t)
{
	kfree(thread_abi(t));
	thread_set_abi(t, NULL);
}

static const struct process_abi_ops abi_ops = {
	.signal_pending = abi_signal_pending,
	.thread_free = abi_thread_free,
	.sig_summary = signal_summary,
	.process_free = abi_process_free,
};

static const struct trap_signal_ops trap_ops = {
	.fault = signal_fault,
	.deliver = signal_deliver_trap,
	.preempted = rseq_abort_check,
};

void linux_init(void)
{
	struct thread *main = thread_current();
	struct lthread *lt = lthread_alloc(0);

	if (!lt || lproc_create(thread_process(main)))
		panic("out of memory for the program's first thread");
	lthread_attach(main, lt);
	process_set_abi_ops(&abi_ops);
	trap_set_signal_ops(&trap_ops);
	signal_host_init(thread_process(main));
}

/*
 * linux/pgrp.c: process ids as the program sees them: getppid, process
 * groups and sessions (setpgid, getpgid, getpgrp, setsid, getsid), and
 * the targets of kill(2) (a pid, a process group, every process: -1).
 * Layer: Linux ABI, on sched/'s process tree (skiff/process.h), whose
 * tree lock guards pgid and sid. Interface: linux/pgrp.h.
 */
#include <skiff/errno.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include "pgrp.h"
#include "signal.h"
#include "sys.h"

long sys_getppid(void)
{
	/* One word, no lock: a program's null syscall (microbench's). */
	return __atomic_load_n(&process_current()->ppid, __ATOMIC_RELAXED);
}

/* The process pid names (0: the caller), in the table; tree lock held. */
static struct process *find_locked(int pid)
{
	struct process *self = process_current(), *found = NULL;

	if (!pid)
		return self;
	list_for_each(l, process_table()) {
		struct process *it = list_entry(l, struct process, table_link);
		if (it->pid == pid) {
			found = it;
			break;
		}
	}
	return found;
}

static long get_id(int pid, bool sid)
{
	if (pid < 0)
		return -ESRCH;
	process_tree_lock();
	struct process *p = find_locked(pid);
	long r = !p ? -ESRCH : sid ? p->sid : p->pgid;
	process_tree_unlock();
	return r;
}

long sys_getpgid(int pid)
{
	return get_id(pid, false);
}

long sys_getpgrp(void)
{
	return get_id(0, false);
}

long sys_getsid(int pid)
{
	return get_id(pid, true);
}

/* Whether a process of session sid is in group pgid; tree lock held. */
static bool group_in_session(int pgid, int sid)
{
	list_for_each(l, process_table()) {
		struct process *it = list_entry(l, struct process, table_link);
		if (it->pgid == pgid && it->sid == sid &&
		    it->state == PROCESS_LIVE)
			return true;
	}
	return false;
}

/* setpgid's checks, in Linux's order; tree lock held. */
static long setpgid_check(struct process *self, struct process *p, int pgid)
{
	if (!p || (p != self && p->parent != self))
		return -ESRCH;
	if (p->state != PROCESS_LIVE)
		return -ESRCH;
	if (p->sid != self->sid)
		return -EPERM;
	if (p != self && p->execed)
		return -EACCES;
	if (p->sid == p->pid)
		return -EPERM; /* a session leader */
	if (pgid != p->pid && !group_in_session(pgid, self->sid))
		return -EPERM;
	return 0;
}

long sys_setpgid(int pid, int pgid)
{
	struct process *self = process_current();

	if (pid < 0 || pgid < 0)
		return -EINVAL;
	process_tree_lock();
	struct process *p = find_locked(pid);
	if (!pgid && p)
		pgid = p->pid;
	long r = setpgid_check(self, p, pgid);
	if (!r)
		p->pgid = pgid;
	process_tree_unlock();
	return r;
}

long sys_setsid(void)
{
	struct process *self = process_current();
	long r = self->pid;

	process_tree_lock();
	list_for_each(l, process_table()) {
		struct process *it = list_entry(l, struct process, table_link);
		if (it->pgid == self->pid)
			r = -EPERM; /* a group of its pid exists already */
	}
	if (r > 0)
		self->pgid = self->sid = self->pid;
	process_tree_unlock();
	return r;
}

/* kill's target pid: which processes it names; tree lock held. */
static bool is_target(const struct process *p, int pid,
		      const struct process *self)
{
	if (p->state != PROCESS_LIVE)
		return pid > 0 && p->pid == pid; /* a zombie: found, not signalled */
	if (pid > 0)
		return p->pid == pid;
	if (pid == 0)
		return p->pgid == self->pgid;
	if (pid == -1)
		return p->pid != 1 && p != self;
	return p->pgid == -pid;
}

struct targets {
	int n;
	struct process *p[PGRP_BATCH];
	int after; /* resume the walk past this pid */
};

/* Up to PGRP_BATCH targets with pid > t->after, referenced. */
static void collect(struct targets *t, int pid)
{
	struct process *self = process_current();

	t->n = 0;
	process_tree_lock();
	list_for_each(l, process_table()) {
		struct process *it = list_entry(l, struct process, table_link);
		if (it->pid <= t->after || !is_target(it, pid, self))
			continue;
		process_get(it);
		t->p[t->n++] = it;
		if (t->n == PGRP_BATCH)
			break;
	}
	process_tree_unlock();
	if (t->n)
		t->after = t->p[t->n - 1]->pid;
}

long pgrp_kill(int pid, int sig, const struct linux_siginfo *info)
{
	struct targets t = { .after = 0 };
	bool found = false;

	if (pid == -2147483647 - 1)
		return -ESRCH;
	do {
		collect(&t, pid);
		for (int i = 0; i < t.n; i++) {
			found = true;
			if (sig && t.p[i]->state == PROCESS_LIVE)
				signal_send_process(t.p[i], sig, info);
			process_put(t.p[i]);
		}
	} while (t.n == PGRP_BATCH);
	return found ? 0 : -ESRCH;
}

bool pgrp_orphaned(struct process *p)
{
	bool orphaned = true;

	process_tree_lock();
	list_for_each(l, process_table()) {
		struct process *it = list_entry(l, struct process, table_link);
		struct process *up = it->parent;
		if (it->pgid == p->pgid && it->state == PROCESS_LIVE && up &&
		    up->pgid != p->pgid && up->sid == p->sid) {
			orphaned = false;
			break;
		}
	}
	process_tree_unlock();
	return orphaned;
}

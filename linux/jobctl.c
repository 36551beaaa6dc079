/*
 * linux/jobctl.c: the job-control signals the kernel itself sends, as
 * Linux and POSIX have them. Layer: Linux ABI; interface in linux/pgrp.h.
 *
 * - A background process of the terminal's session (fs/devfs/console.c
 *   decides that, and calls jobctl_tty_check through its job hook) that
 *   reads the terminal gets its group SIGTTIN; that writes it under TOSTOP
 *   or changes its settings, SIGTTOU. The call then restarts once the
 *   group is continued. A reader that ignores or blocks SIGTTIN gets EIO,
 *   a writer that does SIGTTOU goes ahead; an orphaned group gets EIO.
 * - A process group is orphaned when no member has a parent in another
 *   group of the same session (POSIX). When an exit orphans a group that
 *   has a stopped member, each member gets SIGHUP, then SIGCONT: the
 *   group of the process that ended, and the groups of its children. An
 *   orphaned group's SIGTSTP, SIGTTIN and SIGTTOU do not stop it
 *   (linux/sigdeliver.c asks jobctl_orphaned).
 * - The end of a session leader hangs up its controlling terminal: the
 *   terminal's foreground group gets SIGHUP (a pseudo-terminal's rule, as
 *   the console is /dev/pts/0), and the session loses the terminal.
 *
 * pid 1 is the program and the VM's init at once: a child it made links
 * its group like any parent (a shell as pid 1 keeps job control, as in a
 * container), but an orphan it adopted (struct process.adopted) does not,
 * as Linux's init outside the session.
 */
#include <skiff/console.h>
#include <skiff/errno.h>
#include <skiff/lib.h>
#include "lproc.h"
#include "pgrp.h"
#include "signal.h"

#define MAX_GROUPS JOBCTL_MAX_GROUPS

/* Whether group pgid (a live member but ignore) has no member whose
 * parent links it to its session (POSIX's orphaned process group). Tree
 * lock held. */
static bool orphaned_locked(int pgid, const struct process *ignore)
{
	list_for_each(l, process_table()) {
		struct process *q = list_entry(l, struct process, table_link);
		struct process *parent = q->parent;
		if (q == ignore || q->pgid != pgid || q->state != PROCESS_LIVE)
			continue;
		if (!parent || q->adopted)
			continue;
		if (parent->pgid != pgid && parent->sid == q->sid)
			return false;
	}
	return true;
}

/* Whether a live member of group pgid is stopped. Tree lock held. */
static bool has_stopped_locked(int pgid)
{
	list_for_each(l, process_table()) {
		struct process *q = list_entry(l, struct process, table_link);
		if (q->pgid == pgid && q->state == PROCESS_LIVE && q->abi &&
		    __atomic_load_n(&lproc_of(q)->stopped, __ATOMIC_ACQUIRE))
			return true;
	}
	return false;
}

bool jobctl_orphaned(void)
{
	process_tree_lock();
	bool r = orphaned_locked(process_current()->pgid, NULL);
	process_tree_unlock();
	return r;
}

long jobctl_tty_check(int sig)
{
	struct process *self = process_current();
	struct linux_process *lp = lproc_of(self);

	spin_lock(&lp->sig_lock);
	bool ignored = lp->actions[sig - 1].handler == SIG_IGN ||
		       (lthread_current()->sigmask & sigbit(sig));
	spin_unlock(&lp->sig_lock);
	if (ignored)
		return sig == SIGTTIN ? -EIO : 0;
	process_tree_lock();
	int pgid = self->pgid;
	bool orphan = orphaned_locked(pgid, NULL);
	process_tree_unlock();
	if (orphan)
		return -EIO;
	pgrp_kill(-pgid, sig, NULL);
	return -EINTR; /* restarted (read, write, ioctl) after the stop */
}

/* SIGHUP then SIGCONT to each group of groups[] that is orphaned now and
 * has a stopped member. */
static void hangup_orphans(const int *groups, int n)
{
	for (int i = 0; i < n; i++) {
		process_tree_lock();
		bool hup = orphaned_locked(groups[i], NULL) &&
			   has_stopped_locked(groups[i]);
		process_tree_unlock();
		if (hup) {
			pgrp_kill(-groups[i], SIGHUP, NULL);
			pgrp_kill(-groups[i], SIGCONT, NULL);
		}
	}
}

/* Adds pgid to groups[] once; false when full. */
static bool add_group(int *groups, int *n, int pgid)
{
	for (int i = 0; i < *n; i++)
		if (groups[i] == pgid)
			return true;
	if (*n == MAX_GROUPS)
		return false;
	groups[(*n)++] = pgid;
	return true;
}

int jobctl_exit_groups(struct process *p, int *groups)
{
	int n = 0;

	process_tree_lock();
	struct process *parent = p->parent;
	/* Its own group, when its parent was a link to the session. */
	if (parent && !p->adopted && parent->pgid != p->pgid &&
	    parent->sid == p->sid)
		add_group(groups, &n, p->pgid);
	/* Its children's groups, when it was their link. */
	list_for_each(l, &p->children) {
		struct process *c = list_entry(l, struct process, sibling);
		if (c->state == PROCESS_LIVE && c->pgid != p->pgid &&
		    c->sid == p->sid && !add_group(groups, &n, c->pgid))
			break;
	}
	process_tree_unlock();
	return n;
}

void jobctl_exited(struct process *p, const int *groups, int n)
{
	hangup_orphans(groups, n);
	if (p->pid == p->sid) {
		int fg = console_session_end(p->sid);
		if (fg > 0)
			pgrp_kill(-fg, SIGHUP, NULL);
	}
}

void jobctl_init(void)
{
	console_set_job_hook(jobctl_tty_check);
}

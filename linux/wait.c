/*
 * linux/wait.c: waiting for children: wait4(2) and waitid(2). Layer:
 * Linux ABI, on sched/'s process tree (skiff/process.h).
 *
 * A wait scans the caller's children under the tree lock for one that
 * matches (any, a pid, a process group) and has something to report: its
 * end (a zombie: reaped unless WNOWAIT), a stop (WUNTRACED/WSTOPPED) or a
 * continue (WCONTINUED), recorded by process_report_stop. With none, it
 * fails with ECHILD when no child matches at all, returns 0 with WNOHANG,
 * or sleeps on the caller's child_wq (process_wait_children) until a child
 * changes state or a signal comes (EINTR, restarted under SA_RESTART).
 * rusage: the child's CPU time as user time, the rest zero.
 */
#include <skiff/errno.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include <skiff/time.h>
#include "exit.h"
#include "signal.h"
#include "sys.h"

#define WNOHANG 0x00000001
#define WUNTRACED 0x00000002
#define WSTOPPED WUNTRACED
#define WEXITED 0x00000004
#define WCONTINUED 0x00000008
#define WNOWAIT 0x01000000
#define __WNOTHREAD 0x20000000
#define __WALL 0x40000000
#define __WCLONE 0x80000000
#define P_ALL 0
#define P_PID 1
#define P_PGID 2

/* What a wait looks for and what it found. */
struct waitq_req {
	int pid;      /* > 0: that child */
	int pgid;     /* > 0: a child of that group */
	int options;
	/* Results, filled under the tree lock. */
	int found_pid, status, code, info_status;
	u32 uid;
	u64 cpu_ns;
};

static bool matches(const struct waitq_req *w, const struct process *c)
{
	/* A clone child (its exit signal is not SIGCHLD) is waited for with
	 * __WCLONE, the others without it; __WALL: both. */
	bool clone_child = c->exit_signal != SIGCHLD;
	if (!(w->options & __WALL) && clone_child != !!(w->options & __WCLONE))
		return false;
	if (w->pid > 0)
		return c->pid == w->pid;
	return w->pgid <= 0 || c->pgid == w->pgid;
}

/* Whether child c has something to report to w; consumes it unless
 * WNOWAIT. Tree lock held. */
static bool take(struct waitq_req *w, struct process *c)
{
	bool keep = w->options & WNOWAIT;
	int st = c->stop_report;

	if (c->state == PROCESS_ZOMBIE && (w->options & WEXITED)) {
		w->status = c->exit_status;
		if (w->status & 0x7f) {
			w->code = (w->status & 0x80) ? CLD_DUMPED : CLD_KILLED;
			w->info_status = w->status & 0x7f;
		} else {
			w->code = CLD_EXITED;
			w->info_status = (w->status >> 8) & 0xff;
		}
	} else if (st && st != 0xffff && (w->options & WUNTRACED) &&
		   c->state == PROCESS_LIVE) {
		w->status = st;
		w->code = CLD_STOPPED;
		w->info_status = (st >> 8) & 0xff;
	} else if (st == 0xffff && (w->options & WCONTINUED) &&
		   c->state == PROCESS_LIVE) {
		w->status = st;
		w->code = CLD_CONTINUED;
		w->info_status = SIGCONT;
	} else {
		return false;
	}
	w->found_pid = c->pid;
	w->uid = c->abi ? lproc_of(c)->cred.uid[0] : 0;
	w->cpu_ns = c->cpu_ns;
	if (!keep && w->code != CLD_STOPPED && w->code != CLD_CONTINUED)
		process_reap_locked(c);
	else if (!keep)
		c->stop_report = 0;
	return true;
}

/* The wait itself: the child's pid, 0 (WNOHANG, none ready), -ECHILD,
 * -EINTR. */
static long do_wait(struct waitq_req *w)
{
	struct process *self = process_current();
	long r;

	process_tree_lock();
	for (;;) {
		bool any = false;
		r = 0;
		list_for_each_safe(it, tmp, &self->children) {
			struct process *c = list_entry(it, struct process, sibling);
			if (!matches(w, c))
				continue;
			any = true;
			if (take(w, c)) {
				r = w->found_pid;
				goto out;
			}
		}
		if (!any) {
			r = -ECHILD;
			break;
		}
		if (w->options & WNOHANG)
			break;
		if (process_wait_children(self) == -EINTR) {
			r = -EINTR;
			break;
		}
	}
out:
	process_tree_unlock();
	return r;
}

static int put_rusage(struct linux_rusage *ru, u64 cpu_ns)
{
	struct linux_rusage r;

	memset(&r, 0, sizeof(r));
	r.utime.tv_sec = cpu_ns / NSEC_PER_SEC;
	r.utime.tv_usec = cpu_ns % NSEC_PER_SEC / 1000;
	return ru ? copy_to_user(ru, &r, sizeof(r)) : 0;
}

long sys_wait4(int pid, int *wstatus, int options, struct linux_rusage *ru)
{
	struct waitq_req w = { .options = options | WEXITED };

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD |
			__WALL | __WCLONE))
		return -EINVAL;
	if (pid == -2147483647 - 1)
		return -ESRCH;
	if (pid > 0)
		w.pid = pid;
	else if (pid < -1)
		w.pgid = -pid;
	else if (pid == 0)
		w.pgid = process_current()->pgid;
	long r = do_wait(&w);
	if (r <= 0)
		return r;
	if (wstatus && copy_to_user(wstatus, &w.status, sizeof(int)))
		return -EFAULT;
	if (put_rusage(ru, w.cpu_ns))
		return -EFAULT;
	return r;
}

long sys_waitid(int idtype, int id, struct linux_siginfo *infop, int options,
		struct linux_rusage *ru)
{
	struct waitq_req w = { .options = options };
	struct linux_siginfo i;

	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED |
			__WNOTHREAD | __WALL | __WCLONE))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	if (idtype == P_PID) {
		if (id <= 0)
			return -EINVAL;
		w.pid = id;
	} else if (idtype == P_PGID) {
		if (id < 0)
			return -EINVAL;
		w.pgid = id ? id : process_current()->pgid;
	} else if (idtype != P_ALL) {
		return -EINVAL; /* DIVERGENCE: no P_PIDFD */
	}
	long r = do_wait(&w);
	if (r < 0)
		return r;
	memset(&i, 0, sizeof(i));
	if (r > 0) {
		exit_fill_chld(&i, w.found_pid, w.uid, w.cpu_ns, w.code,
			       w.info_status);
	}
	if (infop && copy_to_user(infop, &i, sizeof(i)))
		return -EFAULT;
	if (put_rusage(ru, w.cpu_ns))
		return -EFAULT;
	return 0;
}

/*
 * linux/fork.c: new processes: fork(2), vfork(2), and clone/clone3
 * without CLONE_THREAD (fork_clone, linux/fork.h). Layer: Linux ABI; the
 * process is sched/'s (skiff/process.h), its parts mm/'s (the address
 * space: copied copy-on-write, or shared with CLONE_VM), fs/'s (fd table,
 * cwd and umask: copied, or shared with CLONE_FILES / CLONE_FS) and
 * linux/'s (lproc_clone: dispositions, limits, credentials).
 *
 * The child's one thread starts as a copy of the caller returning from
 * the same syscall with 0 (clone_start), on the stack clone gave or the
 * caller's. With CLONE_VFORK the caller sleeps until the child execs
 * (exec calls process_vfork_done) or ends; only SIGKILL interrupts that
 * sleep, as Linux's killable wait.
 */
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "exit.h"
#include "fork.h"
#include "lproc.h"
#include "signal.h"
#include "sys.h"

/* The flags a new process may take (the rest: namespaces, CLONE_PIDFD). */
#define FORK_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_VFORK |      \
		    CLONE_PARENT | CLONE_SETTLS | CLONE_PARENT_SETTID |      \
		    CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_IO |   \
		    CLONE_SYSVSEM | CLONE_DETACHED | CLONE_UNTRACED |        \
		    CLONE_PTRACE)
#define RLIMIT_NPROC 6
/* Processes in the VM at most, whatever RLIMIT_NPROC says: a fork bomb
 * ends in EAGAIN long before the kernel heap runs out. */
#define FORK_MAX_PROCESSES 4096

static long check_flags(const struct clone_req *rq)
{
	if (rq->flags & ~FORK_FLAGS)
		return -EINVAL; /* DIVERGENCE: no namespaces, no pidfds */
	if (rq->exit_signal < 0 || rq->exit_signal > NSIG)
		return -EINVAL;
	if ((rq->flags & CLONE_SETTLS) && rq->tls >= USER_END)
		return -EPERM;
	if ((rq->flags & CLONE_PARENT) && process_current()->pid == 1)
		return -EINVAL;
	return 0;
}

struct count_uid {
	u32 uid;
	int n;
};

static bool count_one(struct process *p, void *arg)
{
	struct count_uid *c = arg;

	if (p->state == PROCESS_LIVE && p->abi &&
	    lproc_of(p)->cred.uid[0] == c->uid)
		c->n++;
	return false;
}

/* RLIMIT_NPROC, which root is exempt from as on Linux, and our ceiling. */
static long check_nproc(struct linux_process *lp)
{
	struct count_uid c = { lp->cred.uid[0], 0 };

	if (process_count() >= FORK_MAX_PROCESSES)
		return -EAGAIN;
	if (c.uid == 0 || lp->limits[RLIMIT_NPROC].cur == RLIM_INFINITY)
		return 0;
	process_for_each(count_one, &c);
	return (u64)c.n >= lp->limits[RLIMIT_NPROC].cur ? -EAGAIN : 0;
}

static char *dup_bytes(const char *s, size_t len)
{
	char *c = s ? kmalloc(len + 1) : NULL;

	if (c) {
		memcpy(c, s, len);
		c[len] = 0;
	}
	return c;
}

/* What /proc/PID shows of the program: the parent's, copied. */
static void copy_blobs(struct process *c, struct process *p)
{
	c->exe = p->exe ? dup_bytes(p->exe, strlen(p->exe)) : NULL;
	c->cmdline.buf = dup_bytes(p->cmdline.buf, p->cmdline.len);
	c->cmdline.len = c->cmdline.buf ? p->cmdline.len : 0;
	c->environ.buf = dup_bytes(p->environ.buf, p->environ.len);
	c->environ.len = c->environ.buf ? p->environ.len : 0;
	c->auxv.buf = dup_bytes(p->auxv.buf, p->auxv.len);
	c->auxv.len = c->auxv.buf ? p->auxv.len : 0;
}

/* The child's fds, cwd and address space: shared or copied. */
static long share_or_copy(struct process *c, struct process *p, u64 flags)
{
	if (flags & CLONE_FILES)
		fd_table_get(c->files = p->files);
	else if (!(c->files = fd_table_clone(p->files)))
		return -ENOMEM;
	if (flags & CLONE_FS)
		fs_context_get(c->fs = p->fs);
	else if (!(c->fs = fs_context_clone(p->fs)))
		return -ENOMEM;
	if (flags & CLONE_VM)
		vm_space_get(c->vm = p->vm);
	else if (!(c->vm = vm_space_fork(p->vm)))
		return -ENOMEM;
	return 0;
}

/* Undoes process_new for a child that never ran. */
static void child_free(struct process *c)
{
	if (c->vm)
		vm_space_put(c->vm);
	if (c->fs)
		fs_context_put(c->fs);
	if (c->files)
		fd_table_put(c->files);
	c->vm = NULL;
	c->fs = NULL;
	c->files = NULL;
	process_put(c);
}

/* A new process like the caller's, not yet in the tree; NULL: *err. */
static struct process *process_new(struct process *p, u64 flags, long *err)
{
	struct process *c = process_create(0);

	*err = -ENOMEM;
	if (!c)
		return NULL;
	if (lproc_clone(c, p)) {
		process_put(c);
		return NULL;
	}
	*err = share_or_copy(c, p, flags);
	if (*err) {
		child_free(c);
		return NULL;
	}
	copy_blobs(c, p);
	return c;
}

/* What the child's thread starts with: the frame and CLONE_CHILD_SETTID. */
struct fork_start {
	struct syscall_frame f;  /* first: clone_start frees it as a frame */
	int *settid;
};

/* The child's first code, in its own address space: the settid store
 * goes to the child's memory, then back to the program. */
static void fork_start(void *arg)
{
	struct fork_start *s = arg;
	int tid = thread_tid();

	if (s->settid)
		(void)copy_to_user(s->settid, &tid, sizeof(tid));
	clone_start(&s->f);
}

/* The child's thread, its ABI state set from the caller's; not started. */
static struct thread *child_thread(struct process *c, const struct clone_req *rq,
				   struct fork_start **startp)
{
	struct thread *self = thread_current();
	struct lthread *lself = lthread_of(self), *lt;
	struct fork_start *s = kzalloc(sizeof(*s));
	struct thread *t;

	lt = lthread_alloc(lself->sigmask);
	t = s && lt ? thread_create_in(c, thread_name(self), NULL, NULL) : NULL;
	if (!t) {
		kfree(s);
		kfree(lt);
		return NULL;
	}
	lt->altstack_sp = lself->altstack_sp;
	lt->altstack_size = lself->altstack_size;
	lt->altstack_flags = lself->altstack_flags;
	if (!(rq->flags & CLONE_VM)) { /* rseq: kept across fork, as Linux */
		lt->rseq = lself->rseq;
		lt->rseq_len = lself->rseq_len;
		lt->rseq_sig = lself->rseq_sig;
	}
	if (rq->flags & CLONE_CHILD_CLEARTID)
		lt->clear_child_tid = rq->child_tid;
	lthread_attach(t, lt);
	fpu_save(thread_fpu_area(t));
	thread_set_fs_base(t, (rq->flags & CLONE_SETTLS) ? rq->tls
						       : rdmsr(MSR_FS_BASE));
	memcpy(&s->f, lself->sys_frame, sizeof(s->f));
	s->f.rax = 0;
	if (rq->stack)
		s->f.rsp = rq->stack;
	s->settid = (rq->flags & CLONE_CHILD_SETTID) ? rq->child_tid : NULL;
	*startp = s;
	return t;
}

/* With --verbose: why a fork failed and what to do, the first few times. */
static long fork_hint(long r)
{
	static int told;

	if (!boot_opts.verbose || told >= 4)
		return r;
	told++;
	if (r == -ENOMEM)
		klog("fork: out of guest memory (the child's page tables and kernel stack); give the VM more with skiff run -m");
	else if (r == -EAGAIN)
		klog("fork: no new process (RLIMIT_NPROC reached, or no memory for its thread); raise the limit or give the VM more with skiff run -m");
	return r;
}

long fork_clone(const struct clone_req *rq)
{
	struct process *self = process_current(), *c, *parent = self;
	struct fork_start *start;
	long r = check_flags(rq);

	if (!r)
		r = check_nproc(lproc_of(self));
	if (r)
		return r == -EAGAIN ? fork_hint(r) : r;
	c = process_new(self, rq->flags, &r);
	if (!c)
		return fork_hint(r);
	struct thread *t = child_thread(c, rq, &start);
	if (!t) {
		child_free(c);
		return fork_hint(-EAGAIN);
	}
	int pid = c->pid;
	c->exit_signal = rq->exit_signal;
	if (rq->flags & CLONE_PARENT) {
		process_tree_lock();
		parent = self->parent;
		c->exit_signal = self->exit_signal;
		process_tree_unlock();
	}
	c->vfork_active = rq->flags & CLONE_VFORK;
	process_add_child(parent, c);
	if (rq->flags & CLONE_PARENT_SETTID)
		(void)copy_to_user(rq->parent_tid, &pid, sizeof(pid));
	if (rq->flags & CLONE_VFORK)
		process_get(c);
	thread_start(t, fork_start, start);
	if (rq->flags & CLONE_VFORK) {
		struct lthread *lt = lthread_current();
		lt->killable = true;
		process_vfork_wait(c);
		lt->killable = false;
		process_put(c);
	}
	return pid;
}

long sys_fork(void)
{
	struct clone_req rq = { .exit_signal = SIGCHLD };

	return fork_clone(&rq);
}

long sys_vfork(void)
{
	struct clone_req rq = { .flags = CLONE_VM | CLONE_VFORK,
				.exit_signal = SIGCHLD };

	return fork_clone(&rq);
}

/*
 * linux/execve.c: execve(2) and execveat(2), which replace the calling
 * process's program with another from the filesystem: static, static-PIE,
 * dynamic through its PT_INTERP, or a `#!` script run by its interpreter
 * (nested up to Linux's depth). Layer: Linux ABI; the ELF loader is
 * linux/exec.c, the arguments and scripts linux/execargs.c.
 *
 * Two phases, as Linux's:
 *  1. Checks, with the old program intact: the path is copied and walked
 *     (-EFAULT, -ENAMETOOLONG, -ENOENT, -ENOTDIR, -ELOOP), the file must be
 *     a regular file with an x bit (-EACCES), argv and envp are copied in
 *     (-EFAULT, -E2BIG), scripts are followed to their interpreter, and the
 *     ELF headers of the program and of its interpreter are read and
 *     checked (-ENOEXEC). Every error here returns to the caller.
 *  2. Past the point of no return (exec_commit): the other threads end
 *     (the caller takes the pid as its tid), the address space is
 *     replaced, close-on-exec fds close, handlers reset, and the new
 *     program is mapped with its stack; the syscall returns into it. A
 *     failure here (no memory) kills the process with SIGSEGV, as Linux.
 */
#include <skiff/arch.h>
#include <skiff/elf.h>
#include <skiff/errno.h>
#include <skiff/futex.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "execve.h"
#include "fsabi.h"
#include "lproc.h"
#include "signal.h"
#include "sys.h"

#define EXECVEAT_FLAGS (AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)
#define MAX_REWRITES 5 /* Linux's exec_binprm: scripts run by scripts */

/*
 * sched/process.c (helper proc): wakes the parent of a vfork child once
 * the child has its own program. Weak until it is linked in.
 */
void process_vfork_done(struct process *child) __attribute__((weak));

/* One execve in progress. */
struct exec_req {
	struct exec_args args;
	char *filename;       /* the path as given, or /dev/fd/N[/path]:
			       * AT_EXECFN, comm, a script's argument */
	char *interp;         /* the name the current file was opened by */
	struct file *file;    /* the file to run next */
	bool by_fd;           /* filename is /dev/fd/N... */
	bool fd_cloexec;      /* ... of a close-on-exec fd */
	bool comm_from_file;  /* execveat(fd, "", AT_EMPTY_PATH) */
	struct exec_prog prog;
	struct vm_space *vm;  /* the new program's address space */
};

/* What execve runs: a regular file with an x bit. */
static int check_inode(struct inode *ino)
{
	if (S_ISLNK(ino->mode)) /* only seen without following */
		return -ELOOP;
	if (!S_ISREG(ino->mode))
		return -EACCES;
	return vfs_access(ino, X_OK);
}

/* Opens, for reading, the file fd refers to (AT_EMPTY_PATH): O_PATH fds
 * too, as fexecve needs. */
static int open_fd(int dirfd, struct file **out)
{
	struct file *f;
	struct dentry *cwd;
	int r;

	if (dirfd == AT_FDCWD) { /* the working directory: not a file */
		cwd = vfs_cwd();
		r = cwd ? check_inode(cwd->inode) : -EACCES;
		if (cwd)
			dentry_put(cwd);
		return r ? r : -EACCES;
	}
	f = fd_get(dirfd);
	if (!f)
		return -EBADF;
	r = check_inode(f->inode);
	if (!r)
		r = file_open_inode(f->inode, f->dentry, O_RDONLY, out);
	file_put(f);
	return r;
}

/* Opens path (relative to dirfd) for running it. */
static int open_path(int dirfd, const char *path, bool follow,
		     struct file **out)
{
	struct dentry *base = NULL, *d = NULL;
	int r = at_base(dirfd, path, &base);

	if (!r)
		r = vfs_lookup(base, path, follow ? WALK_FOLLOW : 0, &d);
	if (!r)
		r = check_inode(d->inode);
	if (!r)
		r = file_open_inode(d->inode, d, O_RDONLY, out);
	if (d)
		dentry_put(d);
	if (base)
		dentry_put(base);
	return r;
}

/* Linux's bprm->filename: the path, or /dev/fd/N[/path] for an fd base. */
static int make_filename(struct exec_req *rq, int dirfd, const char *path)
{
	size_t len = strlen(path) + 32;

	rq->filename = kmalloc(len);
	if (!rq->filename)
		return -ENOMEM;
	if (dirfd == AT_FDCWD || path[0] == '/') {
		memcpy(rq->filename, path, strlen(path) + 1);
		return 0;
	}
	rq->by_fd = true;
	rq->comm_from_file = !path[0];
	fmt_snprintf(rq->filename, len, path[0] ? "/dev/fd/%d/%s" : "/dev/fd/%d",
		     dirfd, path);
	int fl = fd_get_flags(dirfd);
	rq->fd_cloexec = fl > 0 && (fl & FD_CLOEXEC);
	return 0;
}

static char *kstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *c = kmalloc(n);

	if (c)
		memcpy(c, s, n);
	return c;
}

/*
 * Follows `#!` lines from rq->file to an ELF and checks it (and its
 * interpreter) into rq->prog. -ENOEXEC for a file neither ELF nor script,
 * -ELOOP past MAX_REWRITES scripts, an interpreter's open errors.
 */
static int find_program(struct exec_req *rq)
{
	for (int depth = 0;; depth++) {
		char buf[EXEC_BUF_SIZE], *name, *arg;
		const char *why;

		if (depth > MAX_REWRITES)
			return -ELOOP;
		memset(buf, 0, sizeof(buf));
		long n = file_pread(rq->file, buf, sizeof(buf), 0);
		if (n < 0)
			return n;
		if (n >= 4 && !memcmp(buf, ELF_MAG, 4)) {
			struct file *f = rq->file;
			rq->file = NULL;
			return exec_prepare(&rq->prog, f, true, &why);
		}
		int r = exec_script_parse(buf, &name, &arg);
		if (r)
			return r;
		if (rq->fd_cloexec) /* the interpreter could not open it */
			return -ENOENT;
		r = exec_args_script(&rq->args, name, arg, rq->interp);
		if (r)
			return r;
		file_put(rq->file);
		rq->file = NULL;
		kfree(rq->interp);
		rq->interp = kstrdup(name);
		if (!rq->interp)
			return -ENOMEM;
		r = open_path(AT_FDCWD, name, true, &rq->file);
		if (r)
			return r;
	}
}

static void req_free(struct exec_req *rq)
{
	exec_args_free(&rq->args);
	exec_release(&rq->prog);
	if (rq->file)
		file_put(rq->file);
	kfree(rq->filename);
	kfree(rq->interp);
	if (rq->vm) /* never used */
		vm_space_put(rq->vm);
}

/* ---- past the point of no return ---- */

/* The new program could not be set up: SIGSEGV, which nothing can catch
 * or ignore now, kills the process on the way out of the syscall. */
static void exec_fatal(struct lthread *lt)
{
	struct linux_process *lp = lproc_current();
	struct linux_siginfo info;

	memset(&info, 0, sizeof(info));
	info.signo = SIGSEGV;
	info.code = SI_KERNEL;
	spin_lock(&lp->sig_lock);
	lp->actions[SIGSEGV - 1].handler = SIG_DFL;
	spin_unlock(&lp->sig_lock);
	lt->sigmask &= ~sigbit(SIGSEGV);
	signal_send_thread(lt->t, SIGSEGV, &info);
}

/* The thread's own state a new program does not inherit. */
static void thread_reset(struct lthread *lt)
{
	lt->altstack_sp = lt->altstack_size = 0;
	lt->altstack_flags = 0;
	lt->restore_sigmask = false;
	lt->rseq = 0;
	lt->robust_list = NULL;
	lt->clear_child_tid = NULL;
	thread_set_fs_base(lt->t, 0);
	wrmsr(MSR_FS_BASE, 0);
	fpu_restore(fpu_initial_state);
}

/* /proc/self/exe, cmdline, environ and comm of the new program. */
static void set_proc_info(struct exec_req *rq)
{
	struct file *f = rq->prog.main.file;
	char *exe = kmalloc(PATH_MAX);
	const char *comm = strrchr(rq->filename, '/');
	char name[THREAD_NAME_LEN] = { 0 };

	if (exe && f->dentry && dentry_path(f->dentry, exe, PATH_MAX) >= 0)
		proc_set_exe(exe);
	else
		proc_set_exe(rq->filename);
	kfree(exe);
	proc_set_cmdline(rq->args.s.args, rq->args.s.args_len);
	proc_set_environ(rq->args.s.env, rq->args.s.env_len);
	comm = comm ? comm + 1 : rq->filename;
	if (rq->comm_from_file && f->dentry)
		comm = f->dentry->name;
	str_lcpy(name, comm, sizeof(name));
	thread_set_name(thread_current(), name);
}

/*
 * The process leaves its address space for the new one. A vfork parent
 * sharing the old one is told the child is done with it, as Linux does
 * when its mm is released: the child's clear_child_tid is cleared there.
 */
static void switch_space(struct process *p, struct exec_req *rq,
			 struct lthread *lt)
{
	struct vm_space *old = p->vm;
	int zero = 0;

	if (lt->clear_child_tid && __atomic_load_n(&old->refs, __ATOMIC_ACQUIRE) > 1 &&
	    !copy_to_user(lt->clear_child_tid, &zero, sizeof(zero)))
		futex_wake((u32 *)lt->clear_child_tid, 1, ~0u);
	process_tree_lock(); /* /proc/PID takes its reference there */
	p->vm = rq->vm;
	process_tree_unlock();
	rq->vm = NULL;
	vm_activate(p->vm);
	vm_space_put(old);
}

/*
 * Replaces the program. The caller's checks are done; from here on the
 * old program is gone. Returns with the syscall frame set to start the
 * new one (or, on failure, a SIGSEGV pending).
 */
static void exec_commit(struct exec_req *rq)
{
	struct process *p = process_current();
	struct lthread *lt = lthread_current();
	struct syscall_frame *f = lt->sys_frame;
	u64 entry, sp;

	if (lproc_kill_others())
		lproc_killed_check(lt->t); /* another thread execs: we end */
	if (thread_id(lt->t) != p->pid)
		thread_set_id(lt->t, p->pid);
	robust_list_cleanup(lt); /* as Linux: its old mutexes are dead */
	switch_space(p, rq, lt);
	fd_table_close_on_exec(p->files);
	lproc_exec_reset(lproc_of(p));
	thread_reset(lt);
	if (exec_map(&rq->prog, &rq->args.s, rq->filename, &entry, &sp)) {
		exec_fatal(lt);
		return;
	}
	set_proc_info(rq);
	memset(f, 0, sizeof(*f));
	f->rcx = entry;
	f->rsp = sp;
	f->r11 = 0x202; /* IF */
	if (process_vfork_done)
		process_vfork_done(p);
}

/* Phase 1: everything that may fail with the old program intact. */
static int exec_check(struct exec_req *rq, int dirfd, const char *path,
		      char *const *argv, char *const *envp, int flags)
{
	int r;

	if (!path[0] && !(flags & AT_EMPTY_PATH))
		return -ENOENT;
	r = make_filename(rq, dirfd, path);
	if (r)
		return r;
	if (!path[0])
		r = open_fd(dirfd, &rq->file);
	else
		r = open_path(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW),
			      &rq->file);
	if (r)
		return r;
	r = exec_args_copy(&rq->args, rq->filename, argv, envp);
	if (r)
		return r;
	rq->interp = kstrdup(rq->filename);
	if (!rq->interp)
		return -ENOMEM;
	r = find_program(rq);
	if (r)
		return r;
	rq->vm = vm_space_create();
	return rq->vm ? 0 : -ENOMEM;
}

/*
 * With --verbose: why an execve failed and what to do instead, for the
 * first few (a PATH search fails in every directory but the last).
 */
static void exec_hint(const char *path, int r)
{
	static int told;

	if (!boot_opts.verbose || told >= 8)
		return;
	told++;
	if (r == -ENOENT)
		klog("execve %s: no such file in the image (nor the interpreter of its #! line, if it has one); if the program needs it, pack it: skiff run --file %s, or --dir for a tree",
		     path, path);
	else if (r == -EACCES)
		klog("execve %s: not executable (EACCES); the image keeps the host file's mode: chmod +x it before packing",
		     path);
	else if (r == -ENOEXEC)
		klog("execve %s: neither an x86_64 ELF program nor a script with a #! line (ENOEXEC)",
		     path);
	else if (r == -ENOMEM)
		klog("execve %s: out of guest memory; give the VM more with skiff run -m",
		     path);
}

static long do_execveat(int dirfd, const char *upath, char *const *argv,
			char *const *envp, int flags)
{
	struct exec_req rq;
	char *path;
	int r;

	if (flags & ~EXECVEAT_FLAGS)
		return -EINVAL;
	r = at_path(upath, &path);
	if (r)
		return r;
	memset(&rq, 0, sizeof(rq));
	r = exec_check(&rq, dirfd, path, argv, envp, flags);
	if (r)
		exec_hint(path, r);
	kfree(path);
	if (!r)
		exec_commit(&rq);
	req_free(&rq);
	return r;
}

long sys_execve(const char *path, char *const argv[], char *const envp[])
{
	return do_execveat(AT_FDCWD, path, argv, envp, 0);
}

long sys_execveat(int dirfd, const char *path, char *const argv[],
		  char *const envp[], int flags)
{
	return do_execveat(dirfd, path, argv, envp, flags);
}

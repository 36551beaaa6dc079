/*
 * clone's flags and request, shared by thread clones (linux/thread.c) and
 * new processes (linux/fork.c). Layer: Linux ABI, private to linux/.
 */
#ifndef LINUX_FORK_H
#define LINUX_FORK_H

#include <skiff/types.h>

#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_PIDFD 0x1000
#define CLONE_PTRACE 0x2000
#define CLONE_VFORK 0x4000
#define CLONE_PARENT 0x8000
#define CLONE_THREAD 0x10000
#define CLONE_NEWNS 0x20000
#define CLONE_SYSVSEM 0x40000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_DETACHED 0x400000
#define CLONE_UNTRACED 0x800000
#define CLONE_CHILD_SETTID 0x1000000
#define CLONE_IO 0x80000000ul
#define CLONE_THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
			    CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |       \
			    CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |        \
			    CLONE_DETACHED | CLONE_CHILD_SETTID | CLONE_IO |    \
			    CLONE_UNTRACED | CLONE_PTRACE)
struct clone_req {
	u64 flags;       /* CLONE_*, without the exit signal */
	u64 stack;       /* the child's stack pointer, 0: the caller's */
	int *parent_tid;
	int *child_tid;
	u64 tls;
	int exit_signal; /* sent to the parent when a new process ends */
};

/*
 * A new thread's first code (linux/thread.c): arg is a kmalloc'd copy of
 * the parent's syscall frame (rax already the child's return value); it
 * is freed and the thread returns to the program with it.
 */
void clone_start(void *arg);
/*
 * clone without CLONE_THREAD (fork, vfork, posix_spawn's CLONE_VM|
 * CLONE_VFORK): a new process. Returns the child's pid in the parent;
 * -EAGAIN (RLIMIT_NPROC, the process limit, no memory for a thread),
 * -ENOMEM, -EINVAL (flags a new process cannot take), -EINTR (SIGKILL
 * during a vfork wait: the child runs on).
 */
long fork_clone(const struct clone_req *rq);

#endif

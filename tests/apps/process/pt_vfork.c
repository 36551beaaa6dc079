/*
 * pt_vfork: vfork. The child shares the parent's memory and the parent
 * waits: a child that writes a variable and _exits (the parent sees the
 * write, and was suspended until the exit); a child that execs this
 * program again (the parent resumes at the exec, before the new program
 * exits: the new program waits on a pipe the parent writes); a child
 * whose exec fails (ENOENT seen through the shared memory, then _exit
 * 127); clone(CLONE_VM | CLONE_VFORK) through syscall with its own stack.
 */
/* NEEDS: fork */
#include "check.h"
#include "pt.h"
#include <sched.h>

static volatile int shared_var;
static volatile int exec_errno;

static int clone_fn(void *arg)
{
	shared_var = (int)(long)arg;
	return 23;
}

/* Write, sleep, _exit: the parent runs only after the exit. */
static void vfork_exit(void)
{
	pid_t pid;

	shared_var = 1;
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		sleep_ms(50);
		shared_var = 2;
		_exit(4);
	}
	say("vfork returned the child's pid: %s", pid > 0 ? "yes" : "no");
	say("parent sees the child's write (it waited for the exit): %s",
	    shared_var == 2 ? "yes" : "no");
	say("child: %s", pt_reap(pid));
}

/* Exec: the parent resumes while the new program still runs. */
static void vfork_exec(void)
{
	char fdarg[16];
	int pfd[2];
	pid_t pid;

	if (pipe(pfd))
		exit(1);
	snprintf(fdarg, sizeof(fdarg), "%d", pfd[0]);
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		pt_exec_self("wait-pipe", fdarg, (char *)NULL);
		_exit(127);
	}
	/* had the parent not resumed at the exec, this would never come */
	write(pfd[1], "R", 1);
	say("vfork and exec: child %s", pt_reap(pid));
	close(pfd[0]);
	close(pfd[1]);
}

/* A failing exec, its errno through the shared memory. */
static void vfork_exec_fails(void)
{
	pid_t pid;

	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		execl("/nonexistent/prog", "prog", (char *)NULL);
		exec_errno = errno;
		_exit(127);
	}
	say("failed exec: errno %s, child %s", errname(exec_errno), pt_reap(pid));
}

/* clone(CLONE_VM | CLONE_VFORK | SIGCHLD), as posix_spawn does. */
static void clone_vfork(void)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	pid_t pid;

	shared_var = 0;
	fflush(stdout);
	pid = clone(clone_fn, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD,
		    (void *)77L);
	if (pid < 0) {
		say("clone(CLONE_VM|CLONE_VFORK) = -1 %s", errname(errno));
		return;
	}
	say("clone(CLONE_VM|CLONE_VFORK): parent sees %d", shared_var);
	say("clone child: %s", pt_reap(pid));
}

int main(int argc, char **argv)
{
	int st;

	if (argc >= 3 && !strcmp(argv[1], "wait-pipe")) {
		char c = 0;

		/* runs as the exec'd child: waits for the parent's byte */
		read(atoi(argv[2]), &c, 1);
		printf("exec'd child: got '%c' from the resumed parent\n", c);
		return 6;
	}
	vfork_exit();
	vfork_exec();
	vfork_exec_fails();
	clone_vfork();
	SHOW(waitpid(-1, &st, WNOHANG));
	return 0;
}

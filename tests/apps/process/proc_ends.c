/*
 * proc_ends: how children end as their parent sees it, with vfork and
 * clone(CLONE_VM) children (no copy of memory needed): exit codes 0, 1,
 * 255, death by SIGTERM, SIGKILL and SIGSEGV's default action, through
 * wait4's status, waitid's siginfo, and a SA_SIGINFO SIGCHLD handler.
 */
#include "check.h"
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

static char stack[65536] __attribute__((aligned(16)));
static volatile int chld_count, chld_code, chld_status, chld_pid;
static void on_chld_info(siginfo_t *si);

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	on_chld_info(si);
}

static void on_chld_info(siginfo_t *si)
{
	chld_count++;
	chld_code = si->si_code;
	chld_status = si->si_status;
	chld_pid = si->si_pid;
}

/* A clone child's end: exit(arg), or a signal to itself (arg < 0). */
static int child_fn(void *arg)
{
	long a = (long)arg;

	if (a == -SIGSEGV)
		*(volatile int *)0 = 1;
	if (a < 0)
		syscall(SYS_kill, syscall(SYS_getpid), (int)-a);
	syscall(SYS_exit, (int)a);
	return 0;
}

static void show_status(const char *what, int st)
{
	if (WIFEXITED(st))
		say("%s: exited %d", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		say("%s: killed by %d", what, WTERMSIG(st));
	else
		say("%s: other %#x", what, st);
}

static void one(long arg)
{
	char what[32];
	int st;

	chld_count = 0;
	pid_t c = clone(child_fn, stack + sizeof(stack),
			CLONE_VM | CLONE_VFORK | SIGCHLD, (void *)arg);
	snprintf(what, sizeof(what), "clone child %ld", arg);
	if (c < 0) {
		say("%s: clone failed %s", what, errname(errno));
		return;
	}
	WAIT_FOR(chld_count > 0);
	say("%s: SIGCHLD count=%d code=%d status=%d pid_ok=%d", what,
	    chld_count, chld_code, chld_status, chld_pid == c);
	yes("waitpid returns it", waitpid(c, &st, 0) == c);
	show_status(what, st);
}

int main(void)
{
	struct sigaction sa;
	int st;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);

	one(0);
	one(1);
	one(255);
	one(-SIGTERM);
	one(-SIGKILL);
	one(-SIGSEGV);

	pid_t c = vfork();
	if (c == 0)
		_exit(9);
	yes("vfork child reaped", wait4(c, &st, 0, NULL) == c);
	show_status("vfork child", st);

	/* waitid's view of a killed child. */
	c = clone(child_fn, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD,
		  (void *)-SIGUSR1);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	SHOW(waitid(P_PID, c, &si, WEXITED));
	say("waitid: signo=%d code=%d status=%d pid_ok=%d", si.si_signo,
	    si.si_code, si.si_status, si.si_pid == c);

	/* SIGCHLD ignored: children are reaped at once, wait finds none. */
	signal(SIGCHLD, SIG_IGN);
	c = clone(child_fn, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD,
		  (void *)3L);
	yes("clone with SIGCHLD ignored", c > 0);
	SHOW(waitpid(-1, &st, 0));
	signal(SIGCHLD, SIG_DFL);

	/* SA_NOCLDWAIT: the same. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = SA_NOCLDWAIT;
	sigaction(SIGCHLD, &sa, NULL);
	c = clone(child_fn, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD,
		  (void *)4L);
	SHOW(waitpid(-1, &st, 0));

	/* exit_signal 0: no SIGCHLD; still waited for with __WALL. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	chld_count = 0;
	c = clone(child_fn, stack + sizeof(stack), CLONE_VM | CLONE_VFORK,
		  (void *)6L);
	SHOW(waitpid(c, &st, WNOHANG)); /* not without __WCLONE or __WALL */
	yes("__WALL waits for it", waitpid(c, &st, __WALL) == c);
	show_status("exit_signal 0 child", st);
	say("SIGCHLD for it: %d", chld_count);
	return 0;
}

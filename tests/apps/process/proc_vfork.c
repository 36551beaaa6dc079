/*
 * proc_vfork: vfork and clone(CLONE_VM) children sharing the parent's
 * memory: the parent sleeps until a vfork child exits, sees its stores,
 * and reaps each with wait4/waitid: exit codes, WNOHANG, ECHILD, getppid.
 */
#include "check.h"
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

static volatile int shared;
static char stack[65536] __attribute__((aligned(16)));

static int child_fn(void *arg)
{
	shared = (int)(long)arg;
	return 7;
}

int main(void)
{
	int st = 0, ppid_seen = 0;
	pid_t me = getpid();

	pid_t c = vfork();
	if (c == 0) {
		shared = 42;
		ppid_seen = getppid() == me;
		_exit(3);
	}
	yes("vfork returned a pid", c > 0);
	say("shared after vfork = %d", shared);
	yes("child saw its parent's pid", ppid_seen);
	yes("wait4 returns the child", wait4(c, &st, 0, NULL) == c);
	say("WIFEXITED=%d WEXITSTATUS=%d", WIFEXITED(st), WEXITSTATUS(st));
	SHOW(wait4(-1, &st, WNOHANG, NULL));

	pid_t k = clone(child_fn, stack + sizeof(stack), CLONE_VM | SIGCHLD,
			(void *)5L);
	yes("clone(CLONE_VM) returned a pid", k > 0);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	yes("waitid(P_PID) ok", waitid(P_PID, k, &si, WEXITED) == 0);
	say("si_signo=%d si_code=%d si_status=%d pid_match=%d", si.si_signo,
	    si.si_code, si.si_status, si.si_pid == k);
	say("shared after clone = %d", shared);

	k = clone(child_fn, stack + sizeof(stack),
		  CLONE_VM | CLONE_VFORK | SIGCHLD, (void *)9L);
	say("shared after clone(CLONE_VFORK) = %d", shared);
	memset(&si, 0, sizeof(si));
	SHOW(waitid(P_ALL, 0, &si, WEXITED | WNOWAIT));
	say("WNOWAIT: si_code=%d si_status=%d", si.si_code, si.si_status);
	yes("waitpid after WNOWAIT reaps it", waitpid(k, &st, 0) == k);
	say("status %d", WEXITSTATUS(st));
	SHOW(waitpid(-1, &st, 0));
	memset(&si, 0, sizeof(si));
	SHOW(waitid(P_ALL, 0, &si, WEXITED | WNOHANG));
	SHOW(waitid(P_ALL, 0, &si, 0));
	SHOW(waitpid(-1, &st, 0x100));
	return 0;
}

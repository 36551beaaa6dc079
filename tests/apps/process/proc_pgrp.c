/*
 * proc_pgrp: process groups and sessions with clone(CLONE_VM) children
 * that sleep until signalled: setpgid (errors too), getpgid, getsid,
 * kill(-pgid) reaching the group only, kill(0) rules, waitpid(-pgid),
 * setsid in a child, kill(-1, 0) while a child lives.
 */
#include "check.h"
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#define N 3
static char stacks[N][65536] __attribute__((aligned(16)));
static volatile int setsid_result = -2, getsid_ok = -1;

static int sleeper(void *arg)
{
	if (arg) {
		setsid_result = syscall(SYS_setsid) > 0;
		getsid_ok = syscall(SYS_getsid, 0) == syscall(SYS_getpid);
	}
	for (;;)
		syscall(SYS_pause);
	return 0;
}

static pid_t spawn(int i, void *arg)
{
	return clone(sleeper, stacks[i] + sizeof(stacks[i]), CLONE_VM | SIGCHLD,
		     arg);
}

static void show_status(const char *what, int st)
{
	if (WIFEXITED(st))
		say("%s: exited %d", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		say("%s: killed by %d", what, WTERMSIG(st));
}

int main(void)
{
	pid_t me = getpid(), c[N];
	int st;

	yes("getpgid(0) is getpgrp()", getpgid(0) == getpgrp());
	yes("getsid(0) is getsid(me)", getsid(0) == getsid(me));
	SHOW(getpgid(-1));
	SHOW(getsid(-5));
	SHOW(setpgid(-1, 0));
	SHOW(setpgid(0, -1));

	for (int i = 0; i < 2; i++)
		c[i] = spawn(i, NULL);
	yes("child in our group", getpgid(c[0]) == getpgrp());
	yes("child in our session", getsid(c[0]) == getsid(0));
	SHOW(setpgid(c[0], 0));
	yes("child leads its group", getpgid(c[0]) == c[0]);
	SHOW(setpgid(c[1], c[0]));
	yes("second child joined it", getpgid(c[1]) == c[0]);
	SHOW(kill(-c[0], 0));
	SHOW(kill(-c[0], SIGTERM));
	for (int i = 0; i < 2; i++) {
		pid_t w = waitpid(-c[0], &st, 0);
		yes("waitpid(-pgid) returned a group member", w == c[0] || w == c[1]);
		show_status("group member", st);
	}
	SHOW(waitpid(-c[0], &st, WNOHANG));
	SHOW(kill(-c[0], SIGTERM));
	SHOW(kill(c[0], 0));

	/* A child making its own session. */
	c[2] = spawn(2, (void *)1L);
	WAIT_FOR(setsid_result != -2);
	say("setsid in child: %d, getsid(0) is its pid: %d", setsid_result,
	    getsid_ok);
	yes("child's session is its pid", getsid(c[2]) == c[2]);
	yes("child's group is its pid", getpgid(c[2]) == c[2]);
	SHOW(setpgid(c[2], getpgrp()));
	SHOW(kill(-1, 0));
	SHOW(kill(c[2], SIGKILL));
	yes("reaped", waitpid(c[2], &st, 0) == c[2]);
	show_status("session leader", st);
	SHOW(kill(c[2], 0));
	SHOW(waitpid(-1, &st, WNOHANG));
	return 0;
}

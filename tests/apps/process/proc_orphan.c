/*
 * proc_orphan: the end of a parent as its children see it, with
 * clone(CLONE_VM) processes: a grandchild whose parent exits is adopted
 * (its getppid changes) and gets its PR_SET_PDEATHSIG signal; a child that has
 * exited is a zombie in /proc (state Z) until waited for, then gone.
 */
#include "check.h"
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static char stack_a[65536] __attribute__((aligned(16)));
static char stack_b[65536] __attribute__((aligned(16)));
static volatile pid_t a_pid, b_pid;
static volatile int b_adopted = -1, b_deathsig = -1, a_may_exit, b_ready;
static volatile int b_done;

static void on_usr2(int sig)
{
	(void)sig;
	b_deathsig = 1;
}

/* The grandchild: waits for its parent to go, then reports. */
static int grandchild(void *arg)
{
	(void)arg;
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGUSR2, 0, 0, 0);
	b_ready = 1;
	while (syscall(SYS_getppid) == a_pid)
		syscall(SYS_sched_yield);
	b_adopted = syscall(SYS_getppid) != a_pid;
	while (!b_done)
		syscall(SYS_sched_yield);
	syscall(SYS_exit, 0);
	return 0;
}

/* The child: starts the grandchild (which asks for SIGUSR2 when its
 * parent dies), then exits when told. */
static int child(void *arg)
{
	(void)arg;
	a_pid = syscall(SYS_getpid);
	b_pid = clone(grandchild, stack_b + sizeof(stack_b), CLONE_VM | SIGCHLD,
		      NULL);
	while (!a_may_exit)
		syscall(SYS_sched_yield);
	syscall(SYS_exit, 5);
	return 0;
}

static const char *comm_of(const char *path)
{
	static char bufs[2][32];
	static int n;
	char *b = bufs[n++ % 2];
	FILE *f = fopen(path, "r");

	b[0] = 0;
	if (f) {
		if (!fgets(b, 32, f))
			b[0] = 0;
		fclose(f);
	}
	return b;
}

static char state_of(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return '-';
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

int main(void)
{
	int st;

	signal(SIGUSR2, on_usr2);
	pid_t c = clone(child, stack_a + sizeof(stack_a), CLONE_VM | SIGCHLD, NULL);
	WAIT_FOR(b_pid != 0 && b_ready);
	yes("grandchild started", b_pid > 0);
	a_may_exit = 1;
	yes("child became a zombie", WAIT_FOR(state_of(c) == 'Z'));
	say("zombie's state: %c", state_of(c));
	char zpath[64];
	snprintf(zpath, sizeof(zpath), "/proc/%d/comm", c);
	yes("zombie's comm is ours", !strcmp(comm_of(zpath), comm_of("/proc/self/comm")));
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d", c);
	yes("zombie listed in /proc", access(path, F_OK) == 0);
	yes("grandchild adopted", WAIT_FOR(b_adopted >= 0));
	say("getppid changed: %d", b_adopted);
	yes("PR_SET_PDEATHSIG signal came", WAIT_FOR(b_deathsig == 1));
	yes("waitpid reaps the zombie", waitpid(c, &st, 0) == c);
	say("exit status %d", WEXITSTATUS(st));
	say("after wait: state %c", state_of(c));
	SHOW(access(path, F_OK));
	b_done = 1; /* let the grandchild end */
	return 0;
}

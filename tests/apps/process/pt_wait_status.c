/*
 * pt_wait_status: fork and the statuses wait reports. Children that exit
 * 0, 1, 255 and 256+3 (only the low byte counts), that return from a
 * function through exit(), that are killed by SIGKILL, SIGTERM and
 * SIGUSR1 from themselves or from the parent, that die of SIGSEGV and
 * SIGABRT (the core flag as Linux reports it when no core file is
 * written: RLIMIT_CORE 0 and not dumpable); wait for a given pid, for any
 * child (-1), WNOHANG while a child runs, ECHILD with none left, the
 * rusage of wait4 being filled, the child's view of fork's return values.
 */
/* NEEDS: fork */
#include "check.h"
#include "pt.h"
#include <sys/prctl.h>
#include <sys/resource.h>

static void no_core(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0);
}

static pid_t child_exit(int code)
{
	pid_t pid = pt_fork();

	if (pid == 0)
		_exit(code);
	return pid;
}

static pid_t child_kill_self(int sig)
{
	pid_t pid = pt_fork();

	if (pid == 0) {
		no_core();
		kill(getpid(), sig);
		_exit(99);
	}
	return pid;
}

static pid_t child_segv(void)
{
	pid_t pid = pt_fork();

	if (pid == 0) {
		no_core();
		*(volatile int *)8 = 1;
		_exit(99);
	}
	return pid;
}

/* A child blocked in read, killed by its parent. */
static void killed_by_parent(void)
{
	int pfd[2], st;
	pid_t pid;

	if (pipe(pfd))
		exit(1);
	pid = pt_fork();
	if (pid == 0) {
		char c;

		close(pfd[1]);
		read(pfd[0], &c, 1);
		_exit(5);
	}
	close(pfd[0]);
	SHOW(waitpid(pid, &st, WNOHANG));
	SHOW(kill(pid, SIGTERM));
	say("killed by the parent with SIGTERM: %s", pt_reap(pid));
	close(pfd[1]);
}

/* wait4(-1) reaps whichever is done, with its rusage filled. */
static void wait_any(void)
{
	pid_t a = child_exit(11), b = child_exit(12), pid;
	int seen = 0, st;

	for (int i = 0; i < 2; i++) {
		struct rusage ru;

		memset(&ru, 0xff, sizeof(ru));
		pid = wait4(-1, &st, 0, &ru);
		if (pid == a && WEXITSTATUS(st) == 11)
			seen |= 1;
		if (pid == b && WEXITSTATUS(st) == 12)
			seen |= 2;
		if (ru.ru_utime.tv_usec < 0 || ru.ru_utime.tv_usec >= 1000000)
			say("wait4: rusage not filled");
	}
	yes("wait4(-1) reaped both with their codes", seen == 3);
}

int main(void)
{
	static const int codes[] = { 0, 1, 255, 256 + 3, 42 };
	pid_t pid, parent = getpid();
	int st;

	for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		say("_exit(%d): %s", codes[i], pt_reap(child_exit(codes[i])));
	/* exit() runs atexit handlers and flushes stdio in the child */
	pid = pt_fork();
	if (pid == 0) {
		printf("child: fork returned 0, getppid is the parent: %s\n",
		       getppid() == parent ? "yes" : "no");
		exit(17);
	}
	/* the child prints: the parent prints after reaping it */
	say("exit(17) after printing: %s", pt_reap(pid));
	say("parent: fork returned the child's pid: %s", pid > 0 && pid != parent ? "yes" : "no");
	say("kill(self, SIGKILL): %s", pt_reap(child_kill_self(SIGKILL)));
	say("kill(self, SIGTERM): %s", pt_reap(child_kill_self(SIGTERM)));
	say("kill(self, SIGUSR1): %s", pt_reap(child_kill_self(SIGUSR1)));
	say("kill(self, SIGABRT): %s", pt_reap(child_kill_self(SIGABRT)));
	say("write to address 8: %s", pt_reap(child_segv()));
	killed_by_parent();
	wait_any();
	SHOW(wait(&st));
	SHOW(waitpid(-1, &st, WNOHANG));
	SHOW(waitpid(getpid(), &st, 0));
	SHOW(syscall(SYS_wait4, -1, NULL, 0x00800000, NULL));
	return 0;
}

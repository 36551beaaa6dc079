/*
 * proc_fork: fork(2) and the ends of forked children: exit codes,
 * signals (default actions, SIGKILL), memory and fds of their own after
 * fork, exit_group from a child with threads, a stopped and continued
 * child (WUNTRACED, WCONTINUED, CLD_STOPPED), RLIMIT_NPROC.
 */
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static int counter = 10;

static void show_status(const char *what, int st)
{
	if (WIFEXITED(st))
		say("%s: exited %d", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		say("%s: killed by %d", what, WTERMSIG(st));
	else if (WIFSTOPPED(st))
		say("%s: stopped by %d", what, WSTOPSIG(st));
	else if (WIFCONTINUED(st))
		say("%s: continued", what);
}

static void *spin(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void fork_and_wait(const char *what, int how)
{
	int st;
	fflush(stdout);
	pid_t c = fork();

	if (c == 0) {
		if (how == 1)
			abort();
		if (how == 2)
			*(volatile int *)0 = 0;
		if (how == 3) {
			pthread_t t;
			pthread_create(&t, NULL, spin, NULL);
			pthread_create(&t, NULL, spin, NULL);
			exit(12);
		}
		if (how == 4)
			for (;;)
				pause();
		_exit(how);
	}
	if (how == 4)
		kill(c, SIGKILL);
	yes("waited", waitpid(c, &st, 0) == c);
	show_status(what, st & 0x7f7f); /* no core flag: it depends on the host */
}

int main(void)
{
	int st, fds[2];

	fork_and_wait("_exit 0", 0);
	fork_and_wait("_exit 7", 7);
	fork_and_wait("abort", 1);
	fork_and_wait("segv", 2);
	fork_and_wait("exit with threads", 3);
	fork_and_wait("SIGKILL", 4);

	/* Copy-on-write: each side sees its own writes. */
	pipe(fds);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		counter += 5;
		char b = (char)counter;
		write(fds[1], &b, 1);
		_exit(counter);
	}
	counter += 1;
	char b = 0;
	read(fds[0], &b, 1);
	waitpid(c, &st, 0);
	say("parent counter %d, child's %d, child's status %d", counter, b,
	    WEXITSTATUS(st));

	/* The child's fds are its own: closing one leaves the parent's. */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		close(fds[0]);
		_exit(fcntl(fds[0], F_GETFD) == -1 ? 0 : 1);
	}
	waitpid(c, &st, 0);
	say("child closed its copy: %d; parent's still open: %d",
	    WEXITSTATUS(st) == 0, fcntl(fds[0], F_GETFD) != -1);

	/* Stopped and continued. */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	kill(c, SIGSTOP);
	yes("WUNTRACED reports the stop", waitpid(c, &st, WUNTRACED) == c);
	show_status("stopped child", st);
	kill(c, SIGCONT);
	yes("WCONTINUED reports the continue", waitpid(c, &st, WCONTINUED) == c);
	show_status("continued child", st);
	SHOW(waitpid(c, &st, WNOHANG | WUNTRACED | WCONTINUED));
	kill(c, SIGTERM);
	waitpid(c, &st, 0);
	show_status("then", st);

	/* RLIMIT_NPROC for an unprivileged user. */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		struct rlimit rl = { 1, 1 };
		if (getuid() == 0 && setuid(65534))
			_exit(100);
		setrlimit(RLIMIT_NPROC, &rl);
		pid_t g = fork();
		if (g == 0)
			_exit(0);
		_exit(g < 0 ? (errno == EAGAIN ? 1 : 2) : 3);
	}
	waitpid(c, &st, 0);
	say("fork over RLIMIT_NPROC: %s", WEXITSTATUS(st) == 1 ? "EAGAIN" :
	    WEXITSTATUS(st) == 3 ? "succeeded" : "other");
	SHOW(wait(&st));
	return 0;
}

/*
 * pt_exec_args: what crosses execve and what does not. A forked child
 * execs this program again with chosen argv (an empty string, spaces, a
 * long argument) and envp (an empty value, no PATH), and the new program
 * prints them; descriptors: O_CLOEXEC from open, pipe2, dup3, fcntl
 * F_DUPFD_CLOEXEC and F_SETFD close at exec, plain ones stay open with
 * their offset; signals: a handled signal is reset to SIG_DFL, an
 * ignored one stays ignored, the blocked mask and a pending signal are
 * kept. execve errors: ENOENT, EACCES (a file without x), ENOEXEC is not
 * tried (Linux gives it, shells differ), EFAULT for a bad argv; the
 * parent is untouched after its child's exec.
 */
/* NEEDS: fork */
#include "check.h"
#include "pt.h"

extern char **environ;

static void fdstate(int fd, const char *what)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0)
		printf("  fd %d (%s): closed %s\n", fd, what, errname(errno));
	else
		printf("  fd %d (%s): open, FD_CLOEXEC %d, offset %ld\n", fd, what,
		       fl & FD_CLOEXEC, (long)lseek(fd, 0, SEEK_CUR));
}

static int shown(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t m, pend;

	printf("new program: argc %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("  argv[%d] = [%s] (%zu bytes)\n", i,
		       strlen(argv[i]) > 40 ? "long" : argv[i], strlen(argv[i]));
	for (char **e = environ; *e; e++)
		printf("  env [%s]\n", *e);
	fdstate(10, "open O_CLOEXEC");
	fdstate(11, "open");
	fdstate(12, "pipe2 O_CLOEXEC");
	fdstate(13, "dup3 O_CLOEXEC");
	fdstate(14, "F_DUPFD_CLOEXEC");
	fdstate(15, "F_SETFD FD_CLOEXEC");
	fdstate(16, "dup2 of a CLOEXEC fd");
	sigaction(SIGUSR1, NULL, &sa);
	printf("  SIGUSR1 (was handled): %s\n", sa.sa_handler == SIG_DFL ? "SIG_DFL" : "other");
	sigaction(SIGUSR2, NULL, &sa);
	printf("  SIGUSR2 (was ignored): %s\n", sa.sa_handler == SIG_IGN ? "SIG_IGN" : "other");
	sigprocmask(SIG_BLOCK, NULL, &m);
	sigpending(&pend);
	printf("  SIGHUP blocked: %s, pending: %s\n", sigismember(&m, SIGHUP) ? "yes" : "no",
	       sigismember(&pend, SIGHUP) ? "yes" : "no");
	return 3;
}

static void on_usr1(int s)
{
	(void)s;
}

int main(int argc, char **argv)
{
	static char longarg[100001];
	int fd, p[2];
	pid_t pid;

	if (argc >= 2 && !strcmp(argv[1], "show"))
		return shown(argc, argv);
	scratch_enter("pt_exec_args");
	fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "0123456789", 10);
	dup2(fd, 11);
	lseek(11, 4, SEEK_SET);
	close(fd);
	fd = open("f", O_RDONLY | O_CLOEXEC);
	dup2(fd, 10);	/* dup2 clears FD_CLOEXEC: set it again */
	fcntl(10, F_SETFD, FD_CLOEXEC);
	close(fd);
	if (pipe2(p, O_CLOEXEC))
		return 1;
	dup2(p[0], 12);
	fcntl(12, F_SETFD, FD_CLOEXEC);
	dup3(11, 13, O_CLOEXEC);
	fcntl(11, F_DUPFD_CLOEXEC, 14);
	dup2(11, 15);
	fcntl(15, F_SETFD, FD_CLOEXEC);
	dup2(10, 16);	/* the copy has no FD_CLOEXEC */
	close(p[0]);
	close(p[1]);

	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, SIG_IGN);
	sigset_t m;

	sigemptyset(&m);
	sigaddset(&m, SIGHUP);
	sigprocmask(SIG_BLOCK, &m, NULL);

	memset(longarg, 'a', sizeof(longarg) - 1);
	char *av[] = { "argv0-chosen", "show", "", "two words", longarg, NULL };
	char *ev[] = { "A=1", "EMPTY=", "WITH SPACE=x y", "LAST=end", NULL };

	pid = pt_fork();
	if (pid == 0) {
		raise(SIGHUP);	/* blocked: pending across exec */
		execve(pt_exe(), av, ev);
		printf("execve = -1 %s\n", errname(errno));
		_exit(127);
	}
	say("child: %s", pt_reap(pid));

	/* errors: the child reports them in its exit status */
	fd = open("noexec", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write(fd, "#!/bin/sh\n", 10);
	close(fd);
	const char *paths[] = { "/nonexistent", "noexec", "." };

	for (int i = 0; i < 3; i++) {
		pid = pt_fork();
		if (pid == 0) {
			char *a[] = { "x", NULL };

			execve(paths[i], a, ev);
			_exit(errno);
		}
		int st = 0;

		waitpid(pid, &st, 0);
		say("execve(\"%s\"): %s", paths[i],
		    WIFEXITED(st) ? errname(WEXITSTATUS(st)) : pt_status(st));
	}
	pid = pt_fork();
	if (pid == 0) {
		syscall(SYS_execve, pt_exe(), (char **)8, ev);
		_exit(errno);
	}
	int st = 0;

	waitpid(pid, &st, 0);
	say("execve with argv at address 8: %s", WIFEXITED(st) ? errname(WEXITSTATUS(st)) : pt_status(st));
	fdstate(10, "parent's O_CLOEXEC fd after the child's exec");
	scratch_leave();
	return 0;
}

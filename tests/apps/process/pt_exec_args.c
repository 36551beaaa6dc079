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
#include <sys/socket.h>

extern char **environ;

/* The descriptors set up before the exec: FD0 + i is fd_labels[i]. */
#define FD0 10
static const char *const fd_labels[] = {
	"open O_CLOEXEC", "pipe2 O_CLOEXEC, read end", "pipe2 O_CLOEXEC, write end",
	"open", "dup3 O_CLOEXEC", "F_DUPFD_CLOEXEC", "F_SETFD FD_CLOEXEC",
	"dup2 of a CLOEXEC fd", "socketpair SOCK_CLOEXEC", "socketpair SOCK_CLOEXEC",
};
#define NFDS (int)(sizeof(fd_labels) / sizeof(fd_labels[0]))

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
	for (int i = 0; i < NFDS; i++)
		fdstate(FD0 + i, fd_labels[i]);
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

/* Makes the descriptors FD0... of fd_labels, each where its label says. */
static void setup_fds(void)
{
	int fd, p[2], sv[2], ok;

	/* none inherited (a shell may leave some open: dash keeps copies at
	 * 10 and up), the lowest free taken, so that new ones are FD0... */
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	while ((fd = open("/dev/null", O_RDONLY)) >= 0 && fd < FD0 - 1)
		;
	ok = fd == FD0 - 1;
	fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "0123456789", 10);
	close(fd);
	ok &= open("f", O_RDONLY | O_CLOEXEC) == FD0;
	ok &= pipe2(p, O_CLOEXEC) == 0 && p[0] == FD0 + 1 && p[1] == FD0 + 2;
	ok &= open("f", O_RDWR) == FD0 + 3;
	lseek(FD0 + 3, 4, SEEK_SET);
	ok &= dup3(FD0 + 3, FD0 + 4, O_CLOEXEC) == FD0 + 4;
	ok &= fcntl(FD0 + 3, F_DUPFD_CLOEXEC, FD0 + 5) == FD0 + 5;
	ok &= dup2(FD0 + 3, FD0 + 6) == FD0 + 6 && fcntl(FD0 + 6, F_SETFD, FD_CLOEXEC) == 0;
	ok &= dup2(FD0, FD0 + 7) == FD0 + 7;	/* the copy has no FD_CLOEXEC */
	ok &= socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0 &&
	      sv[0] == FD0 + 8 && sv[1] == FD0 + 9;
	yes("descriptors set up where expected", ok);
}

/* The errno of execve(path, {"x"}, envp) in a child (its exit status). */
static const char *exec_errno(const char *path, char **argv, char **envp)
{
	pid_t pid = pt_fork();
	int st = 0;

	if (pid == 0) {
		syscall(SYS_execve, path, argv, envp);
		_exit(errno);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? errname(WEXITSTATUS(st)) : pt_status(st);
}

static void exec_errors(void)
{
	const char *paths[] = { "/nonexistent", "noexec", "." };
	char *av[] = { "x", NULL }, *ev[] = { NULL };
	int fd;

	fd = open("noexec", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write(fd, "#!/bin/sh\n", 10);
	close(fd);
	for (int i = 0; i < 3; i++)
		say("execve(\"%s\"): %s", paths[i], exec_errno(paths[i], av, ev));
	say("execve with argv at address 8: %s", exec_errno(pt_exe(), (char **)8, ev));
}

int main(int argc, char **argv)
{
	static char longarg[100001];
	char *av[] = { "argv0-chosen", "show", "", "two words", longarg, NULL };
	char *ev[] = { "A=1", "EMPTY=", "WITH SPACE=x y", "LAST=end", NULL };
	sigset_t m;
	pid_t pid;

	if (argc >= 2 && !strcmp(argv[1], "show"))
		return shown(argc, argv);
	scratch_enter("pt_exec_args");
	setup_fds();
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, SIG_IGN);
	sigemptyset(&m);
	sigaddset(&m, SIGHUP);
	sigprocmask(SIG_BLOCK, &m, NULL);
	memset(longarg, 'a', sizeof(longarg) - 1);
	pid = pt_fork();
	if (pid == 0) {
		raise(SIGHUP);	/* blocked: pending across exec */
		execve(pt_exe(), av, ev);
		printf("execve = -1 %s\n", errname(errno));
		_exit(127);
	}
	say("child: %s", pt_reap(pid));
	exec_errors();
	fdstate(FD0, "the parent's O_CLOEXEC fd after the child's exec");
	scratch_leave();
	return 0;
}

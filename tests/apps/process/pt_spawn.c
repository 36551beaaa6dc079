/*
 * pt_spawn: posix_spawn and posix_spawnp (glibc: clone(CLONE_VM |
 * CLONE_VFORK); musl: the same through its own clone). posix_spawn of
 * this program with arguments and an environment; posix_spawnp found
 * through PATH, its stdout moved onto a pipe by a file action
 * (adddup2) and the read end closed (addclose), an addopen of a file
 * as stdin; POSIX_SPAWN_SETPGROUP; POSIX_SPAWN_SETSIGDEF and SETSIGMASK;
 * spawn of a path that does not exist (the error comes back as the
 * return value, no child left).
 */
/* NEEDS: fork */
#include "check.h"
#include "pt.h"
#include <spawn.h>

extern char **environ;

static int child_mode(int argc, char **argv)
{
	if (!strcmp(argv[1], "args")) {
		printf("spawned: argc %d:", argc);
		for (int i = 2; i < argc; i++)
			printf(" [%s]", argv[i]);
		printf(" SPAWNVAR=%s\n", getenv("SPAWNVAR") ? getenv("SPAWNVAR") : "(unset)");
		return 7;
	}
	if (!strcmp(argv[1], "echo")) {
		char line[128] = "";

		fgets(line, sizeof(line), stdin);
		line[strcspn(line, "\n")] = 0;
		printf("hello from spawnp, stdin says [%s]\n", line);
		return 0;
	}
	if (!strcmp(argv[1], "pgrp")) {
		sigset_t m;
		struct sigaction sa;

		sigprocmask(SIG_BLOCK, NULL, &m);
		sigaction(SIGUSR1, NULL, &sa);
		printf("spawned: own group %s, SIGUSR2 blocked %s, SIGUSR1 default %s\n",
		       getpgid(0) == getpid() ? "yes" : "no",
		       sigismember(&m, SIGUSR2) ? "yes" : "no",
		       sa.sa_handler == SIG_DFL ? "yes" : "no");
		return 0;
	}
	return 100;
}

static void on_usr1(int s)
{
	(void)s;
}

/* posix_spawn with argv and envp; the child prints, so the parent prints
 * after reaping it. */
static void spawn_args(const char *exe)
{
	char *av[] = { "x", "args", "one", "two words", "", NULL };
	char *ev[] = { "SPAWNVAR=from-envp", NULL };
	pid_t pid;
	int r;

	fflush(stdout);
	r = posix_spawn(&pid, exe, NULL, NULL, av, ev);
	say("spawned child: %s", r == 0 ? pt_reap(pid) : "none");
	say("posix_spawn: %s", rcname(r));
}

/* posix_spawnp through PATH, stdout onto a pipe, stdin from a file. */
static void spawnp_pipe(char *dir, char *base)
{
	posix_spawn_file_actions_t fa;
	char *av[] = { base, "echo", NULL };
	char buf[256] = "";
	int fd, r, pfd[2];
	pid_t pid;

	fd = open("in.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write(fd, "line one\n", 9);
	close(fd);
	if (pipe(pfd))
		exit(1);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	posix_spawn_file_actions_addclose(&fa, pfd[1]);
	posix_spawn_file_actions_addopen(&fa, 0, "in.txt", O_RDONLY, 0);
	setenv("PATH", dir, 1);
	fflush(stdout);
	r = posix_spawnp(&pid, base, &fa, NULL, av, environ);
	say("posix_spawnp: %s", rcname(r));
	close(pfd[1]);
	ssize_t n = pt_read_all(pfd[0], buf, sizeof(buf) - 1);

	close(pfd[0]);
	if (n > 0)
		buf[n] = 0;
	say("read from the pipe: %s", buf[0] ? strtok(buf, "\n") : "(nothing)");
	if (r == 0)
		say("spawnp child: %s", pt_reap(pid));
	posix_spawn_file_actions_destroy(&fa);
}

/* Attributes: its own process group, signal mask and defaults. */
static void spawn_attrs(const char *exe)
{
	char *av[] = { "x", "pgrp", NULL };
	posix_spawnattr_t at;
	sigset_t mask, def;
	pid_t pid;
	int r;

	signal(SIGUSR1, on_usr1);
	posix_spawnattr_init(&at);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	sigemptyset(&def);
	sigaddset(&def, SIGUSR1);
	posix_spawnattr_setsigmask(&at, &mask);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	fflush(stdout);
	r = posix_spawn(&pid, exe, NULL, &at, av, environ);
	say("child: %s", r == 0 ? pt_reap(pid) : "none");
	say("posix_spawn with attributes: %s", rcname(r));
	posix_spawnattr_destroy(&at);
}

int main(int argc, char **argv)
{
	char exe[4096], dir[4096], *base;
	char *av[] = { "nope", NULL };
	pid_t pid = 0;
	int st, r;

	if (argc >= 2)
		return child_mode(argc, argv);
	snprintf(exe, sizeof(exe), "%s", pt_exe());
	snprintf(dir, sizeof(dir), "%s", exe);
	base = strrchr(dir, '/');
	*base++ = 0;
	spawn_args(exe);
	scratch_enter("pt_spawn");
	spawnp_pipe(dir, base);
	spawn_attrs(exe);

	/* a path that does not exist */
	fflush(stdout);
	r = posix_spawn(&pid, "/nonexistent/prog", NULL, NULL, av, environ);
	say("posix_spawn of a missing file: %s", rcname(r));
	if (r == 0)
		say("its child: %s", pt_reap(pid));
	SHOW(waitpid(-1, &st, WNOHANG));
	scratch_leave();
	return 0;
}

/*
 * pt_pgrp: process groups and sessions across processes. A child is in
 * its parent's group and session; setpgid(child, child) from the parent
 * and setpgid(0, 0) in the child (a shell does both); a second child
 * joins the first's group; kill(-pgid) reaches both and nobody else;
 * kill(-pgid, 0) afterwards is ESRCH; killpg; setpgid into a group of
 * another session is EPERM, of a pid that is not a child ESRCH, of a
 * child that has exec'd EACCES; setsid in a child makes a new session
 * and group (getsid, getpgid from the parent), setsid again in that
 * leader is EPERM; kill(pid, 0) and kill with a bad signal.
 */
/* NEEDS: fork */
#include "check.h"
#include "pt.h"

/* Whether /proc/PID/cmdline starts with the argument word (an exec done). */
static int argv0_is(pid_t pid, const char *word)
{
	char path[64], buf[64] = "";
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	return n > 0 && !strcmp(buf, word);
}

static pid_t paused_child(int *rfd_out)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		exit(1);
	pid = pt_fork();
	if (pid == 0) {
		char c;

		close(p[1]);
		while (read(p[0], &c, 1) < 0)
			;
		_exit(0);
	}
	close(p[0]);
	*rfd_out = p[1];
	return pid;
}

/* A group of two children killed with kill(-pgid); killpg; errors. */
static void groups(void)
{
	int w1, w2, w3;
	pid_t a, b, c;

	a = paused_child(&w1);
	say("child in the parent's group: %s", getpgid(a) == getpgrp() ? "yes" : "no");
	say("child in the parent's session: %s", getsid(a) == getsid(0) ? "yes" : "no");
	SHOW(setpgid(a, a));
	say("child leads its own group: %s", getpgid(a) == a ? "yes" : "no");
	b = paused_child(&w2);
	SHOW(setpgid(b, a));
	say("second child joined it: %s", getpgid(b) == a ? "yes" : "no");
	c = paused_child(&w3);	/* stays in our group */
	SHOW(kill(-a, SIGTERM));
	say("first: %s", pt_reap(a));
	say("second: %s", pt_reap(b));
	SHOW(kill(c, 0));
	SHOW(kill(-a, 0));
	SHOW(kill(c, 1000));
	SHOW(setpgid(c, c));
	SHOW(killpg(c, SIGUSR1));
	say("third (killpg): %s", pt_reap(c));
	close(w1);
	close(w2);
	close(w3);
	SHOW(setpgid(1 << 22, 0));
	SHOW(setpgid(0, -1));
}

/* The child of sessions(): setsid twice, reports, waits for the go. */
static void session_child(int report, int go)
{
	char r[64], ch;
	pid_t s = setsid();
	int again = setsid() < 0 ? errno : 0;

	snprintf(r, sizeof(r), "%s %s %s", s == getpid() ? "yes" : "no",
		 getpgid(0) == getpid() ? "yes" : "no", errname(again));
	write(report, r, strlen(r));
	close(report);
	read(go, &ch, 1);
	_exit(0);
}

/* setsid in a child: its own session; another session's group. */
static void sessions(void)
{
	char r[64] = "";
	int p[2], go[2], w;
	pid_t a, b;

	if (pipe(p) || pipe(go))
		exit(1);
	a = pt_fork();
	if (a == 0)
		session_child(p[1], go[0]);
	ssize_t n = read(p[0], r, sizeof(r) - 1);

	r[n > 0 ? n : 0] = 0;
	say("child setsid: new session, own group, second setsid: %s", r);
	say("parent sees its session: %s", getsid(a) == a ? "yes" : "no");
	b = paused_child(&w);
	SHOW(setpgid(b, a));	/* a group of another session */
	SHOW(setpgid(a, a));	/* a session leader */
	write(go[1], "x", 1);
	say("session child: %s", pt_reap(a));
	close(w);
	say("other: %s", pt_reap(b));
	close(go[0]);
	close(go[1]);
	close(p[0]);
	close(p[1]);
}

/* setpgid of a child after its exec: EACCES. */
static void after_exec(void)
{
	char fd[16];
	int p[2];
	pid_t a;

	if (pipe(p))
		exit(1);
	a = pt_fork();
	if (a == 0) {
		close(p[1]);
		snprintf(fd, sizeof(fd), "%d", p[0]);
		pt_exec_self("wait", fd, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	/* the exec is done when the child's cmdline is the new argv[0] */
	yes("child exec'd", WAIT_FOR(argv0_is(a, "pt-child")));
	SHOW(setpgid(a, a));
	close(p[1]);
	say("exec'd child: %s", pt_reap(a));
}

int main(int argc, char **argv)
{
	char ch;

	if (argc >= 3) {	/* the exec'd child: waits for its pipe to close */
		read(atoi(argv[2]), &ch, 1);
		return 0;
	}
	groups();
	sessions();
	after_exec();
	return 0;
}

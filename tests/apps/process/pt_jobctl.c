/*
 * pt_jobctl: the job-control signals the kernel sends on a terminal.
 * A child in a background group that reads the terminal stops with
 * SIGTTIN; ignoring or blocking SIGTTIN, its read fails with EIO. Under
 * TOSTOP a background write stops with SIGTTOU, goes ahead when SIGTTOU
 * is ignored, and goes ahead anyway without TOSTOP; tcsetattr from the
 * background stops with SIGTTOU. A stopped group orphaned by its
 * parent's exit gets SIGHUP then SIGCONT, its read of the terminal then
 * fails with EIO, and SIGTSTP no longer stops it. Last, a new session that takes the terminal
 * (TIOCSCTTY) puts a child's group in the foreground and ends: that group
 * gets SIGHUP.
 */
/* TTY */
/* NEEDS: fork */
#include <sys/ioctl.h>
#include <termios.h>
#include "check.h"
#include "pt.h"

static int report[2]; /* grandchildren tell the parent through this */

static void tell(const char *msg)
{
	write(report[1], msg, strlen(msg));
}

/* Prints what came through report until every writer is gone. */
static void print_reports(void)
{
	char buf[512];
	ssize_t n, len = 0;

	close(report[1]);
	while ((n = read(report[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = 0;
	close(report[0]);
	printf("%s", buf);
}

/* A child in a group of its own (the background) does what; the parent
 * reports how it stopped or ended. */
static void background(const char *what, int how)
{
	pid_t pid = pt_fork();

	if (pid == 0) {
		setpgid(0, 0);
		char c;
		struct termios t;
		if (how == 1)
			signal(SIGTTIN, SIG_IGN);
		if (how == 2) {
			sigset_t s;
			sigemptyset(&s);
			sigaddset(&s, SIGTTIN);
			sigprocmask(SIG_BLOCK, &s, NULL);
		}
		if (how == 4)
			signal(SIGTTOU, SIG_IGN);
		if (how <= 2)
			_exit(read(0, &c, 1) < 0 ? errno : 0);
		if (how <= 5)
			_exit(write(1, "bg write\n", 9) < 0 ? errno : 0);
		tcgetattr(0, &t);
		_exit(tcsetattr(0, TCSANOW, &t) < 0 ? errno : 0);
	}
	setpgid(pid, pid);
	int st;
	waitpid(pid, &st, WUNTRACED);
	if (WIFSTOPPED(st)) {
		say("%s: %s", what, pt_status(st));
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	say("%s: %s%s%s", what, pt_status(st),
	    WIFEXITED(st) && WEXITSTATUS(st) ? " " : "",
	    WIFEXITED(st) && WEXITSTATUS(st) ? errname(WEXITSTATUS(st)) : "");
}

static void on_hup(int sig)
{
	(void)sig;
	tell("grandchild: SIGHUP\n");
}

static void on_cont(int sig)
{
	(void)sig;
	tell("grandchild: SIGCONT\n");
}

/* A child whose child stops in a group of its own, then the child ends. */
static void orphaned(void)
{
	pipe(report);
	pid_t pid = pt_fork();

	if (pid == 0) {
		close(report[0]);
		pid_t g = fork();
		if (g == 0) {
			setpgid(0, 0);
			signal(SIGHUP, on_hup);
			signal(SIGCONT, on_cont);
			kill(getpid(), SIGSTOP);
			char c;
			ssize_t n = read(0, &c, 1);
			tell(n < 0 && errno == EIO ? "grandchild: read EIO\n" :
			     "grandchild: read did not fail with EIO\n");
			kill(getpid(), SIGTSTP); /* discarded: orphaned */
			tell("grandchild: SIGTSTP did not stop it\n");
			_exit(0);
		}
		setpgid(g, g);
		int st;
		waitpid(g, &st, WUNTRACED);
		tell(WIFSTOPPED(st) ? "grandchild stopped\n" : "not stopped\n");
		_exit(0);
	}
	say("child: %s", pt_reap(pid));
	print_reports();
}

/* A new session takes the terminal, gives its foreground to a child's
 * group and ends. */
static void leader_ends(void)
{
	int ready[2];

	pipe(report);
	pipe(ready);
	pid_t pid = pt_fork();

	if (pid == 0) {
		close(report[0]);
		setsid();
		if (ioctl(0, TIOCSCTTY, 1) < 0) {
			tell("TIOCSCTTY failed\n");
			_exit(1);
		}
		pid_t g = fork();
		if (g == 0) {
			sigset_t hup, none;
			sigemptyset(&hup);
			sigemptyset(&none);
			sigaddset(&hup, SIGHUP);
			sigprocmask(SIG_BLOCK, &hup, NULL); /* until sigsuspend */
			signal(SIGHUP, on_hup);
			setpgid(0, 0);
			close(ready[0]);
			write(ready[1], "r", 1);
			sigsuspend(&none);
			_exit(0);
		}
		char c;
		close(ready[1]);
		setpgid(g, g);
		read(ready[0], &c, 1);
		tell(tcsetpgrp(0, g) == 0 ? "foreground: the child's group\n" :
		     "tcsetpgrp failed\n");
		_exit(0);
	}
	close(ready[0]);
	close(ready[1]);
	say("session leader: %s", pt_reap(pid));
	print_reports();
}

int main(void)
{
	struct termios t, saved;

	yes("stdin is a tty", isatty(0));
	background("read", 0);
	background("read, SIGTTIN ignored", 1);
	background("read, SIGTTIN blocked", 2);
	background("write", 3);
	tcgetattr(0, &saved);
	t = saved;
	t.c_lflag |= TOSTOP;
	tcsetattr(0, TCSANOW, &t);
	background("write, TOSTOP", 3);
	background("write, TOSTOP, SIGTTOU ignored", 4);
	tcsetattr(0, TCSANOW, &saved);
	background("tcsetattr", 6);
	orphaned();
	leader_ends();
	return 0;
}

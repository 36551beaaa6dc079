/*
 * pt_waitid: waitid and waitpid options. WNOHANG on a running child
 * (waitid returns 0 with si_pid 0, waitpid returns 0); WNOWAIT leaves the
 * zombie to be waited again, with the same siginfo (si_code, si_status,
 * si_pid); P_PID, P_ALL, P_PGID; WEXITED missing is EINVAL; a pid that is
 * not a child is ECHILD; waitpid for a process group (-pgid and 0);
 * WUNTRACED and WCONTINUED with a child stopped by SIGSTOP and continued
 * by SIGCONT; waitid WSTOPPED / WCONTINUED siginfo.
 */
/* NEEDS: fork */
#include "check.h"
#include "pt.h"

static const char *info(const siginfo_t *si, pid_t pid)
{
	static char buf[96];
	const char *code = si->si_code == CLD_EXITED ? "CLD_EXITED" :
			   si->si_code == CLD_KILLED ? "CLD_KILLED" :
			   si->si_code == CLD_STOPPED ? "CLD_STOPPED" :
			   si->si_code == CLD_CONTINUED ? "CLD_CONTINUED" : "other";

	if (si->si_pid == 0)
		return "si_pid 0 (nothing to report)";
	snprintf(buf, sizeof(buf), "%s, si_status %d, si_pid is the child: %s, si_signo %s",
		 code, si->si_status, si->si_pid == pid ? "yes" : "no", pt_signame(si->si_signo));
	return buf;
}

static pid_t blocked_child(int *wfd, int code)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		exit(1);
	pid = pt_fork();
	if (pid == 0) {
		char c;

		close(p[1]);
		read(p[0], &c, 1);
		_exit(code);
	}
	close(p[0]);
	*wfd = p[1];
	return pid;
}

/* WNOHANG while it runs, bad arguments, WNOWAIT twice, then the reap. */
static void exited(void)
{
	siginfo_t si;
	int w, st;
	pid_t pid = blocked_child(&w, 3);

	memset(&si, 0x55, sizeof(si));
	SHOW(waitid(P_PID, pid, &si, WEXITED | WNOHANG));
	say("  %s", info(&si, pid));
	SHOW(waitpid(pid, &st, WNOHANG));
	SHOW(waitid(P_PID, pid, &si, WNOHANG));
	SHOW(waitid(P_PID, getpid(), &si, WEXITED));
	SHOW(waitid(7, pid, &si, WEXITED));
	close(w);	/* the child exits 3 */
	for (int i = 0; i < 2; i++) {
		memset(&si, 0, sizeof(si));
		SHOW(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
		say("  %s", info(&si, pid));
	}
	memset(&si, 0, sizeof(si));
	SHOW(waitid(P_ALL, 0, &si, WEXITED));
	say("  %s", info(&si, pid));
	SHOW(waitid(P_PID, pid, &si, WEXITED | WNOHANG));
}

/* Killed: CLD_KILLED and the signal; a process group: P_PGID,
 * waitpid(-pgid), waitpid(0) for our own group. */
static void killed_and_groups(void)
{
	siginfo_t si;
	int w, st;
	pid_t pid = blocked_child(&w, 0);

	kill(pid, SIGKILL);
	memset(&si, 0, sizeof(si));
	SHOW(waitid(P_PID, pid, &si, WEXITED));
	say("  %s", info(&si, pid));
	close(w);
	pid = blocked_child(&w, 8);
	setpgid(pid, pid);
	memset(&si, 0, sizeof(si));
	SHOW(waitid(P_PGID, pid, &si, WEXITED | WNOHANG));
	say("  %s", info(&si, pid));
	close(w);
	SHOW(waitpid(-pid, &st, 0) == pid);
	say("  %s", pt_status(st));
	pid = blocked_child(&w, 9);
	close(w);
	SHOW(waitpid(0, &st, 0) == pid);
	say("  %s", pt_status(st));
}

/* Stopped and continued, through waitpid then waitid. */
static void stop_cont(void)
{
	siginfo_t si;
	int w, st;
	pid_t pid = blocked_child(&w, 10);

	kill(pid, SIGSTOP);
	SHOW(waitpid(pid, &st, WUNTRACED) == pid);
	say("  %s", pt_status(st));
	SHOW(waitpid(pid, &st, WUNTRACED | WNOHANG));
	kill(pid, SIGCONT);
	SHOW(waitpid(pid, &st, WCONTINUED) == pid);
	say("  %s", pt_status(st));
	kill(pid, SIGSTOP);
	memset(&si, 0, sizeof(si));
	SHOW(waitid(P_PID, pid, &si, WSTOPPED));
	say("  %s", info(&si, pid));
	kill(pid, SIGCONT);
	memset(&si, 0, sizeof(si));
	SHOW(waitid(P_PID, pid, &si, WCONTINUED));
	say("  %s", info(&si, pid));
	close(w);
	say("then: %s", pt_reap(pid));
}

int main(void)
{
	siginfo_t si;

	exited();
	killed_and_groups();
	stop_cont();
	SHOW(waitid(P_ALL, 0, &si, WEXITED));
	return 0;
}

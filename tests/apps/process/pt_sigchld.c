/*
 * pt_sigchld: SIGCHLD. An SA_SIGINFO handler sees si_signo SIGCHLD,
 * si_code CLD_EXITED with si_status the exit code, CLD_KILLED with the
 * signal, si_pid the child's pid, si_uid the real uid; the handler runs
 * before wait returns the child's status (sigsuspend with SIGCHLD blocked
 * otherwise). SIGCHLD blocked, then unblocked: pending, one delivery.
 * SIGCHLD set to SIG_IGN: children are reaped by themselves, wait ends
 * with ECHILD; SA_NOCLDWAIT alike; the default action does nothing.
 */
/* NEEDS: fork */
#include "check.h"
#include "pt.h"

static volatile sig_atomic_t got;
static volatile int g_signo, g_code, g_status, g_pid, g_uid;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	g_signo = si->si_signo;
	g_code = si->si_code;
	g_status = si->si_status;
	g_pid = si->si_pid;
	g_uid = si->si_uid;
	got++;
}

static const char *code_name(int c)
{
	switch (c) {
	case CLD_EXITED: return "CLD_EXITED";
	case CLD_KILLED: return "CLD_KILLED";
	case CLD_DUMPED: return "CLD_DUMPED";
	case CLD_STOPPED: return "CLD_STOPPED";
	case CLD_CONTINUED: return "CLD_CONTINUED";
	}
	return "other";
}

/* Forks a child doing what, waits for SIGCHLD in sigsuspend, reports. */
static void one(const char *what, int code_or_sig, int by_signal)
{
	sigset_t block, old;
	pid_t pid;

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	got = 0;
	pid = pt_fork();
	if (pid == 0) {
		if (by_signal)
			kill(getpid(), code_or_sig);
		_exit(code_or_sig);
	}
	while (!got)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	say("%s: handler ran once: %s, si_signo %s, si_code %s, si_pid is the child: %s, si_uid is getuid: %s",
	    what, got == 1 ? "yes" : "no", pt_signame(g_signo), code_name(g_code),
	    g_pid == pid ? "yes" : "no", g_uid == (int)getuid() ? "yes" : "no");
	if (by_signal)
		say("  si_status: %s", pt_signame(g_status));
	else
		say("  si_status: %d", g_status);
	say("  then wait: %s", pt_reap(pid));
}

/* Two children exit while SIGCHLD is blocked: standard signals do not
 * queue, one delivery at the unblock. */
static void blocked_two(void)
{
	sigset_t block, pend;
	pid_t a, b;

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, NULL);
	got = 0;
	a = pt_fork();
	if (a == 0)
		_exit(1);
	b = pt_fork();
	if (b == 0)
		_exit(2);
	waitid(P_PID, a, &(siginfo_t){0}, WEXITED | WNOWAIT);
	waitid(P_PID, b, &(siginfo_t){0}, WEXITED | WNOWAIT);
	sigpending(&pend);
	say("two children exited while blocked: SIGCHLD pending %s, handler ran %d times",
	    sigismember(&pend, SIGCHLD) ? "yes" : "no", (int)got);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	say("after unblocking: handler ran %d time(s)", (int)got);
	say("first child: %s", pt_reap(a));
	say("second child: %s", pt_reap(b));
}

/* SIG_IGN, then SA_NOCLDWAIT with a handler: no zombies, wait waits for
 * every child then fails with ECHILD; then the default action. */
static void no_zombies(struct sigaction *sa)
{
	int st;
	pid_t pid;

	signal(SIGCHLD, SIG_IGN);
	pid = pt_fork();
	if (pid == 0) {
		sleep_ms(20);
		_exit(3);
	}
	SHOW(wait(&st));
	SHOW(kill(pid, 0) == -1 && errno == ESRCH);
	sa->sa_flags = SA_SIGINFO | SA_NOCLDWAIT | SA_RESTART;
	sigaction(SIGCHLD, sa, NULL);
	got = 0;
	pid = pt_fork();
	if (pid == 0)
		_exit(4);
	SHOW(wait(&st));
	yes("SA_NOCLDWAIT: handler ran", WAIT_FOR(got));
	signal(SIGCHLD, SIG_DFL);
	pid = pt_fork();
	if (pid == 0)
		_exit(5);
	say("default action, child: %s", pt_reap(pid));
}

int main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	one("exit 42", 42, 0);
	one("exit 0", 0, 0);
	one("SIGTERM", SIGTERM, 1);
	one("SIGKILL", SIGKILL, 1);
	blocked_two();
	no_zombies(&sa);
	return 0;
}

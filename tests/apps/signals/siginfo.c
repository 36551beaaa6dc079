/*
 * siginfo: SA_SIGINFO handlers and what the siginfo says for each way of
 * sending: kill (SI_USER), tgkill and tkill (SI_TKILL), rt_sigqueueinfo
 * (the sender's si_code and value), with si_pid and si_uid; inside the
 * handler the signal itself and sa_mask are blocked and the ucontext's
 * saved mask is the mask from before.
 */
/* BUILDS: static pie musl dyn musldyn */
#include <signal.h>
#include <ucontext.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static siginfo_t got;
static volatile int count, self_blocked, extra_blocked, saved_has_self, saved_has_extra;

static void handler(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	sigset_t now;

	got = *si;
	count++;
	sigprocmask(SIG_BLOCK, NULL, &now);
	self_blocked = sigismember(&now, sig);
	extra_blocked = sigismember(&now, SIGURG);
	saved_has_self = sigismember(&uc->uc_sigmask, sig);
	saved_has_extra = sigismember(&uc->uc_sigmask, SIGHUP);
}

static void show(const char *how)
{
	if (got.si_signo >= SIGRTMIN)
		say("%s: count %d signo SIGRTMIN+%d code %d errno %d", how, count,
		    got.si_signo - SIGRTMIN, got.si_code, got.si_errno);
	else
		say("%s: count %d signo %d code %d errno %d", how, count, got.si_signo,
		    got.si_code, got.si_errno);
	say("  si_value %d", got.si_value.sival_int);
	yes("  si_pid is our pid", got.si_pid == getpid());
	say("  si_uid %d", (int)got.si_uid);
	memset(&got, 0, sizeof(got));
	count = 0;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
	siginfo_t si;
	sigset_t hup;

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGURG);
	SHOW(sigaction(SIGUSR1, &sa, NULL));
	SHOW(sigaction(SIGRTMIN + 3, &sa, NULL));
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	sigprocmask(SIG_BLOCK, &hup, NULL);

	SHOW(kill(getpid(), SIGUSR1));
	show("kill");
	say("  in the handler: signal blocked %d, sa_mask signal blocked %d", self_blocked,
	    extra_blocked);
	say("  ucontext mask: has the signal %d, has the earlier SIGHUP %d", saved_has_self,
	    saved_has_extra);
	SHOW(SYS(SYS_tgkill, getpid(), SYS(SYS_gettid), SIGUSR1));
	show("tgkill");
	SHOW(SYS(SYS_tkill, SYS(SYS_gettid), SIGUSR1));
	show("tkill");
	SHOW(sigqueue(getpid(), SIGRTMIN + 3, (union sigval){ .sival_int = 4242 }));
	show("sigqueue");
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = 0;
	si.si_value.sival_int = 99;
	SHOW(SYS(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));
	say("  code %d value %d", got.si_code, got.si_value.sival_int);
	si.si_code = -60;
	SHOW(SYS(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));
	say("  code %d", got.si_code);
	SHOW(SYS(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, NULL));
	SHOW(SYS(SYS_rt_sigqueueinfo, getpid(), 0, &si));
	count = 0;
	SHOW(raise(SIGUSR1));
	show("raise");
	return 0;
}

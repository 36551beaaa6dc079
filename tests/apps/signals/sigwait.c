/*
 * sigwait: waiting for signals: a blocked signal stays pending
 * (rt_sigpending) until rt_sigtimedwait takes it, with its siginfo; with
 * none pending a timed wait ends with EAGAIN; two pending signals come
 * lowest number first; rt_sigsuspend runs the handler of a signal that
 * was pending or that another thread sends, returns EINTR and puts the
 * old mask back; bad sizes and timeouts are errors.
 */
#include <pthread.h>
#include <signal.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static volatile int handled;
static volatile int done;
static long main_tid;

static void handler(int sig)
{
	handled = sig;
}

static void *sender(void *arg)
{
	while (!done) {
		sleep_ms(5);
		if (!done)
			SYS(SYS_tgkill, getpid(), main_tid, SIGUSR1);
	}
	return arg;
}

static void pending(const char *when)
{
	sigset_t p;

	sigemptyset(&p);
	SYS(SYS_rt_sigpending, &p, 8);
	say("%s: pending USR1 %d, USR2 %d, TERM %d", when, sigismember(&p, SIGUSR1),
	    sigismember(&p, SIGUSR2), sigismember(&p, SIGTERM));
}

int main(void)
{
	sigset_t set, old, none;
	siginfo_t si;
	struct timespec t20 = { 0, 20 * 1000000 }, t0 = { 0, 0 }, bad = { 0, -1 };
	pthread_t t;

	main_tid = SYS(SYS_gettid);
	signal(SIGUSR1, handler);
	signal(SIGUSR2, handler);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &old);
	sigemptyset(&none);

	pending("start");
	raise(SIGUSR2);
	kill(getpid(), SIGUSR1);
	pending("after raise USR2, kill USR1");
	memset(&si, 0, sizeof(si));
	SHOW(SYS(SYS_rt_sigtimedwait, &set, &si, &t20, 8));
	say("  si_signo %d si_code %d, handler ran %d", si.si_signo, si.si_code, handled);
	SHOW(SYS(SYS_rt_sigtimedwait, &set, &si, &t20, 8));
	say("  si_signo %d si_code %d", si.si_signo, si.si_code);
	pending("after two waits");
	SHOW(SYS(SYS_rt_sigtimedwait, &set, &si, &t20, 8));
	SHOW(SYS(SYS_rt_sigtimedwait, &set, &si, &t0, 8));
	SHOW(SYS(SYS_rt_sigtimedwait, &set, &si, &bad, 8));
	SHOW(SYS(SYS_rt_sigtimedwait, &set, &si, &t20, 4));
	SHOW(SYS(SYS_rt_sigpending, &set, 4));
	SHOW(SYS(SYS_rt_sigpending, NULL, 8));

	raise(SIGUSR1);
	handled = 0;
	SHOW(SYS(SYS_rt_sigsuspend, &none, 8));
	say("  with USR1 pending: handler ran for %d", handled);
	handled = 0;
	pthread_create(&t, NULL, sender, NULL);
	SHOW(SYS(SYS_rt_sigsuspend, &none, 8));
	done = 1;
	pthread_join(t, NULL);
	say("  sent by a thread: handler ran for %d", handled);
	sigprocmask(SIG_BLOCK, NULL, &set);
	yes("  old mask back: USR1 blocked", sigismember(&set, SIGUSR1));
	pending("end");
	SHOW(SYS(SYS_rt_sigsuspend, &none, 4));
	return 0;
}

/*
 * sigstop_cont: raise(SIGSTOP) stops the program until SIGCONT arrives,
 * here from a timer (in a VM of one process nothing else can send it, and
 * on Linux too a stopped process runs no thread that could). SIGCONT's
 * handler runs before raise returns; a thread that spins meanwhile is
 * stopped too; SIGTSTP with a handler does not stop. Reproducer: Skiff
 * ignored SIGSTOP, so raise returned at once.
 */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include "check.h"

static volatile int conts, tstps;
static volatile long spins;
static volatile int stop_spinning;

static void on_cont(int sig)
{
	(void)sig;
	conts++;
}

static void on_tstp(int sig)
{
	(void)sig;
	tstps++;
}

static void *spinner(void *arg)
{
	(void)arg;
	while (!stop_spinning)
		__atomic_add_fetch(&spins, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* A timer that sends SIGCONT once, ms from now. */
static void arm(timer_t *tm, int ms)
{
	struct sigevent ev = { 0 };
	struct itimerspec its = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000000L } };

	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGCONT;
	timer_create(CLOCK_MONOTONIC, &ev, tm);
	timer_settime(*tm, 0, &its, NULL);
}

int main(void)
{
	timer_t tm;
	pthread_t th;

	signal(SIGCONT, on_cont);
	signal(SIGTSTP, on_tstp);
	arm(&tm, 100);
	SHOW(raise(SIGSTOP));
	say("SIGCONT handler ran before raise returned: %s", conts == 1 ? "yes" : "no");

	/* Stopped with a thread running: it stops too, and resumes. */
	pthread_create(&th, NULL, spinner, NULL);
	WAIT_FOR(spins > 0);
	arm(&tm, 100);
	SHOW(raise(SIGSTOP));
	/* Either thread may run the handler of this process-wide SIGCONT. */
	yes("SIGCONT handler ran again", WAIT_FOR(conts == 2));
	long before = spins;
	yes("the thread runs again", WAIT_FOR(spins > before));
	stop_spinning = 1;
	pthread_join(th, NULL);

	/* SIGCONT blocked: it still continues the program; the handler runs
	 * once it is unblocked. */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGCONT);
	sigprocmask(SIG_BLOCK, &s, NULL);
	arm(&tm, 100);
	SHOW(raise(SIGSTOP));
	say("handler while blocked: %s", conts == 2 ? "not run" : "run");
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	say("handler after unblocking: %s", conts == 3 ? "run" : "not run");

	SHOW(raise(SIGTSTP));
	say("SIGTSTP handler ran: %s", tstps == 1 ? "yes" : "no");
	return 0;
}

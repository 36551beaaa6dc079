/*
 * posix_timer: timer_create with SIGEV_SIGNAL (the handler gets SI_TIMER
 * and the sigev value) and SIGEV_NONE (no signal, the time left still
 * counts down); one-shot relative and absolute (TIMER_ABSTIME) settings,
 * a periodic timer counted to three, timer_gettime, timer_getoverrun of a
 * periodic timer whose signal stayed blocked, timer_delete; errors for bad
 * clocks, bad timespecs and deleted or unknown timer ids.
 */
#include <signal.h>
#include <time.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)
#define MS 1000000L

static volatile int fired, code, value, overrun = -1;

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (!fired)
		overrun = si->si_overrun;
	fired++;
	code = si->si_code;
	value = si->si_value.sival_int;
}

/* Waits for the handler to have run n times; the signal stays blocked
 * between the check and the wait (pause() there could miss it forever). */
static void wait_fired(int n)
{
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	while (fired < n)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static long ns(struct timespec ts)
{
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static struct itimerspec its(long value_ns, long interval_ns)
{
	struct itimerspec s = { { interval_ns / 1000000000L, interval_ns % 1000000000L },
				{ value_ns / 1000000000L, value_ns % 1000000000L } };
	return s;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	struct itimerspec s, cur;
	struct timespec now;
	timer_t t, tn;
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	ev.sigev_value.sival_int = 77;
	SHOW(timer_create(CLOCK_MONOTONIC, &ev, &t));
	SHOW(timer_gettime(t, &cur));
	say("  disarmed: value %ld interval %ld", ns(cur.it_value), ns(cur.it_interval));
	s = its(20 * MS, 0);
	SHOW(timer_settime(t, 0, &s, NULL));
	wait_fired(1);
	say("  one-shot: fired %d, si_code %d (SI_TIMER %d), value %d", fired, code, SI_TIMER,
	    value);

	fired = 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	s = its(ns(now) + 20 * MS, 0);
	SHOW(timer_settime(t, TIMER_ABSTIME, &s, NULL));
	wait_fired(1);
	say("  absolute: fired %d", fired);

	fired = 0;
	s = its(10 * MS, 10 * MS);
	SHOW(timer_settime(t, 0, &s, NULL));
	SHOW(timer_gettime(t, &cur));
	say("  interval %ld ns", ns(cur.it_interval));
	yes("  0 < value <= 10 ms", ns(cur.it_value) > 0 && ns(cur.it_value) <= 10 * MS);
	wait_fired(3);
	say("  periodic: fired at least 3 times");

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	s = its(1 * MS, 1 * MS);
	timer_settime(t, 0, &s, NULL);
	sleep_ms(30);
	fired = 0;
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	yes("1 ms timer blocked for 30 ms: delivered", fired > 0);
	yes("  si_overrun of that delivery > 0", overrun > 0);
	s = its(0, 0);
	SHOW(timer_settime(t, 0, &s, &cur));
	say("  old interval %ld ns", ns(cur.it_interval));
	fired = 0;

	ev.sigev_notify = SIGEV_NONE;
	SHOW(timer_create(CLOCK_REALTIME, &ev, &tn));
	s = its(1000 * MS, 0);
	SHOW(timer_settime(tn, 0, &s, NULL));
	sleep_ms(20);
	timer_gettime(tn, &cur);
	yes("SIGEV_NONE: time left went down", ns(cur.it_value) > 0 && ns(cur.it_value) < 1000 * MS);
	say("  no signal: fired %d", fired);
	SHOW(timer_delete(tn));

	s = its(10 * MS, 0);
	s.it_value.tv_nsec = 1000000000L;
	SHOW(timer_settime(t, 0, &s, NULL));
	s = its(10 * MS, 0);
	s.it_interval.tv_nsec = -1;
	SHOW(timer_settime(t, 0, &s, NULL));
	s = its(-1, 0);
	SHOW(SYS(SYS_timer_settime, 0x7777, 0, &s, NULL));
	SHOW(timer_delete(t));
	SHOW(SYS(SYS_timer_create, 1234, NULL, &tn));
	SHOW(SYS(SYS_timer_gettime, 0x7777, &cur));
	SHOW(SYS(SYS_timer_delete, 0x7777));
	SHOW(SYS(SYS_timer_getoverrun, 0x7777));
	return 0;
}

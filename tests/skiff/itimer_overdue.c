/*
 * tests/skiff/itimer_overdue.c (run by tests/skiff/itimer_overdue.sh):
 * getitimer(ITIMER_REAL) on a timer that is armed but
 * overdue (its time has passed, SIGALRM not sent yet) reads at least 1 us,
 * as Linux: a value of 0 means the timer is disarmed, so SIGALRM has been
 * sent. Reproducer: Skiff reported 0 us (1 ns left, truncated to us), and
 * tests/apps/time/itimer failed under load ("0 < value <= 20000 us: no").
 * Here: arm short one-shot timers with SIGALRM blocked and poll getitimer
 * until it reads 0; then SIGALRM must be pending. Skiff-only: Linux 6.18
 * natively shows 0 before SIGALRM is pending in a few of 300 rounds (its
 * signal is sent a little after the timer reads disarmed); Skiff sends it
 * in the same step that disarms, so 0 rounds is exact here.
 */
#include <signal.h>
#include <sys/time.h>
#include "check.h"

int main(void)
{
	sigset_t block, pend;
	int bad = 0, rounds = 300;

	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	for (int i = 0; i < rounds; i++) {
		struct itimerval it = { { 0, 0 }, { 0, 1 + i % 50 } }, cur;
		setitimer(ITIMER_REAL, &it, NULL);
		do
			getitimer(ITIMER_REAL, &cur);
		while (cur.it_value.tv_sec || cur.it_value.tv_usec);
		sigpending(&pend);
		if (!sigismember(&pend, SIGALRM))
			bad++;
		int sig;
		sigwait(&block, &sig);
	}
	yes("value 0 only after SIGALRM was sent", bad == 0);
	return 0;
}

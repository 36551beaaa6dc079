/*
 * rt_queue: real-time signals queue, standard signals do not: while
 * blocked, SIGRTMIN+1 sent three times with values 1, 2, 3 and SIGUSR1
 * sent three times; once unblocked the handler sees SIGUSR1 once, then
 * SIGRTMIN+1 three times in the order sent; among pending real-time
 * signals the lowest number comes first. The handler blocks all signals
 * (sa_mask), so handlers run one after the other, not nested.
 */
#include <signal.h>
#include "check.h"

static volatile int order[16], values[16], n;

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (n < 16) {
		order[n] = sig;
		values[n] = si->si_value.sival_int;
		n++;
	}
}

static void name(char *buf, int sig)
{
	if (sig >= SIGRTMIN)
		sprintf(buf, "RTMIN+%d", sig - SIGRTMIN);
	else
		sprintf(buf, "%d", sig);
}

static void dump(const char *what)
{
	char b[32];

	printf("%s:", what);
	for (int i = 0; i < n; i++) {
		name(b, order[i]);
		printf(" %s(%d)", b, order[i] >= SIGRTMIN ? values[i] : 0);
	}
	printf("\n");
	n = 0;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
	sigset_t set;

	sigfillset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	for (int i = 0; i < 4; i++)
		sigaction(SIGRTMIN + i, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	for (int i = 0; i < 4; i++)
		sigaddset(&set, SIGRTMIN + i);

	sigprocmask(SIG_BLOCK, &set, NULL);
	for (int v = 1; v <= 3; v++) {
		sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = v });
		kill(getpid(), SIGUSR1);
	}
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	dump("delivered");

	sigprocmask(SIG_BLOCK, &set, NULL);
	sigqueue(getpid(), SIGRTMIN + 3, (union sigval){ .sival_int = 30 });
	sigqueue(getpid(), SIGRTMIN + 0, (union sigval){ .sival_int = 0 });
	sigqueue(getpid(), SIGRTMIN + 2, (union sigval){ .sival_int = 20 });
	sigqueue(getpid(), SIGRTMIN + 0, (union sigval){ .sival_int = 1 });
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	dump("mixed real-time");
	return 0;
}

/*
 * ppoll: ppoll through the raw system call: the timeout left is written
 * back (zero after a full timeout); a signal made pending while blocked is
 * taken the moment ppoll's mask unblocks it (EINTR, handler ran) and the
 * old mask is back afterwards; a NULL timeout waits until a descriptor is
 * ready; bad timespecs and mask sizes are EINVAL.
 */
#include <poll.h>
#include <signal.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static volatile int handled;

static void handler(int sig)
{
	handled = sig;
}

int main(void)
{
	int p[2];
	struct pollfd pf;
	struct timespec ts = { 0, 20 * 1000000 }, bad = { 0, 1000000000L };
	sigset_t block, none, now;

	if (pipe(p))
		return 1;
	pf = (struct pollfd){ .fd = p[0], .events = POLLIN };
	signal(SIGUSR1, handler);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);

	SHOW(SYS(SYS_ppoll, &pf, 1, &ts, NULL, 8));
	say("  timeout left %ld.%09ld", (long)ts.tv_sec, ts.tv_nsec);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	ts.tv_nsec = 20 * 1000000;
	SHOW(SYS(SYS_ppoll, &pf, 1, &ts, &block, 8));
	say("  with USR1 still blocked: handler ran %d", handled);
	ts.tv_sec = 5;
	ts.tv_nsec = 0;
	SHOW(SYS(SYS_ppoll, &pf, 1, &ts, &none, 8));
	say("  USR1 unblocked by the mask: handler ran %d", handled);
	yes("  timeout left is at most 5 s", ts.tv_sec < 5 || (ts.tv_sec == 5 && ts.tv_nsec == 0));
	sigprocmask(SIG_BLOCK, NULL, &now);
	yes("  old mask back: USR1 blocked", sigismember(&now, SIGUSR1));
	if (write(p[1], "x", 1) != 1)
		return 1;
	SHOW(SYS(SYS_ppoll, &pf, 1, NULL, NULL, 8));
	say("  revents %#x", pf.revents);
	SHOW(SYS(SYS_ppoll, &pf, 1, &bad, NULL, 8));
	SHOW(SYS(SYS_ppoll, &pf, 1, NULL, &none, 4));
	SHOW(SYS(SYS_ppoll, &pf, 1, (void *)8, NULL, 8));
	return 0;
}

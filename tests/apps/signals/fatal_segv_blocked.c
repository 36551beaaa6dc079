/*
 * fatal_segv_blocked: a fault while SIGSEGV is blocked (and a handler is
 * installed) cannot be held back: the kernel takes the default action and
 * the program ends with status 128 + 11 = 139; the handler never runs.
 */
#include <signal.h>
#include "check.h"

static volatile int *volatile nowhere;

static void handler(int sig)
{
	(void)sig;
	say("handler ran: cannot happen");
	die_flush();
	_exit(1);
}

int main(void)
{
	sigset_t s;

	signal(SIGSEGV, handler);
	sigemptyset(&s);
	sigaddset(&s, SIGSEGV);
	sigprocmask(SIG_BLOCK, &s, NULL);
	say("read NULL with SIGSEGV blocked");
	die_flush();
	return *nowhere;
}

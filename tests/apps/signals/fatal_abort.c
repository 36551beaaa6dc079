/*
 * fatal_abort: abort() raises SIGABRT even when the program blocked it
 * and installed a handler that returns: status 128 + 6 = 134.
 */
#include <signal.h>
#include "check.h"

static void handler(int sig)
{
	(void)sig;
	say("handler ran and returns");
	die_flush();
}

int main(void)
{
	sigset_t s;

	signal(SIGABRT, handler);
	sigemptyset(&s);
	sigaddset(&s, SIGABRT);
	sigprocmask(SIG_BLOCK, &s, NULL);
	say("abort() with SIGABRT blocked and handled");
	die_flush();
	abort();
}

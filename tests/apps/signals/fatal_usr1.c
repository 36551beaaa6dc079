/*
 * fatal_usr1: a signal whose default action is to terminate (SIGUSR1,
 * no handler) sent with kill ends the program: status 128 + 10 = 138.
 */
#include <signal.h>
#include "check.h"

int main(void)
{
	say("kill(getpid(), SIGUSR1) with the default action");
	die_flush();
	kill(getpid(), SIGUSR1);
	sleep_ms(1000);
	say("still alive: cannot happen");
	return 0;
}

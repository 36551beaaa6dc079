/*
 * alarm: alarm returns the seconds left of the previous alarm (rounded as
 * Linux rounds) and alarm(0) cancels; getitimer(ITIMER_REAL) shows a
 * pending alarm; an alarm ends pause() with EINTR after its handler ran;
 * and an alarm with SIGALRM's default action ends the program with status
 * 128 + 14 = 142.
 */
#include <signal.h>
#include <sys/time.h>
#include "check.h"

static volatile int rang;

static void handler(int sig)
{
	(void)sig;
	rang++;
}

int main(void)
{
	struct itimerval it;

	signal(SIGALRM, handler);
	SHOW(alarm(5));
	SHOW(alarm(3));
	getitimer(ITIMER_REAL, &it);
	yes("getitimer: 2 s < value <= 3 s", it.it_value.tv_sec * 1000000L + it.it_value.tv_usec >
						   2000000L &&
					   it.it_value.tv_sec * 1000000L + it.it_value.tv_usec <=
						   3000000L);
	say("  interval %ld.%06ld", (long)it.it_interval.tv_sec, (long)it.it_interval.tv_usec);
	SHOW(alarm(0));
	SHOW(alarm(0));
	getitimer(ITIMER_REAL, &it);
	say("after alarm(0): value %ld.%06ld", (long)it.it_value.tv_sec,
	    (long)it.it_value.tv_usec);

	SHOW(alarm(1));
	SHOW(pause());
	say("  handler ran %d time(s)", rang);
	SHOW(alarm(0));

	signal(SIGALRM, SIG_DFL);
	say("alarm(1) with the default action, then pause");
	die_flush();
	alarm(1);
	pause();
	say("still alive: cannot happen");
	return 0;
}

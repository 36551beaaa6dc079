/*
 * itimer: setitimer(ITIMER_REAL) with an interval: SIGALRM comes again and
 * again (five are counted), getitimer shows the interval as set and a
 * value no larger; setitimer returns the old setting; a zero value
 * disarms; bad "which" and bad microseconds are EINVAL.
 */
#include <signal.h>
#include <sys/time.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static volatile int ticks;

static void handler(int sig)
{
	(void)sig;
	ticks++;
}

static long us(struct timeval tv)
{
	return tv.tv_sec * 1000000L + tv.tv_usec;
}

int main(void)
{
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } }, old, cur;
	sigset_t block, old_mask;

	signal(SIGALRM, handler);
	SHOW(setitimer(ITIMER_REAL, &it, &old));
	say("  old: value %ld interval %ld", us(old.it_value), us(old.it_interval));
	SHOW(getitimer(ITIMER_REAL, &cur));
	say("  interval %ld us", us(cur.it_interval));
	yes("  0 < value <= 20000 us", us(cur.it_value) > 0 && us(cur.it_value) <= 20000);
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	while (ticks < 5)
		sigsuspend(&old_mask);	/* pause() could miss a tick between check and wait */
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	say("ticks counted: %d", ticks >= 5 ? 5 : ticks);
	it.it_value.tv_sec = 10;
	it.it_value.tv_usec = 0;
	it.it_interval.tv_usec = 0;
	SHOW(setitimer(ITIMER_REAL, &it, &old));
	say("  old interval %ld us", us(old.it_interval));
	yes("  old value <= 20000 us", us(old.it_value) <= 20000);
	memset(&it, 0, sizeof(it));
	SHOW(setitimer(ITIMER_REAL, &it, &old));
	yes("  old value: 9 s < value <= 10 s", us(old.it_value) > 9000000 &&
							 us(old.it_value) <= 10000000);
	SHOW(getitimer(ITIMER_REAL, &cur));
	say("  disarmed: value %ld interval %ld", us(cur.it_value), us(cur.it_interval));
	SHOW(SYS(SYS_getitimer, 7, &cur));
	SHOW(SYS(SYS_setitimer, 7, &it, NULL));
	it.it_value.tv_usec = 1000000;
	SHOW(SYS(SYS_setitimer, ITIMER_REAL, &it, NULL));
	it.it_value.tv_usec = -1;
	SHOW(SYS(SYS_setitimer, ITIMER_REAL, &it, NULL));
	SHOW(SYS(SYS_getitimer, ITIMER_REAL, NULL));
	return 0;
}

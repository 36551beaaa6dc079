/*
 * exit_thread: a thread that is not the main thread calls _exit(7) (which
 * is exit_group) while the main thread waits in pthread_join on another
 * thread blocked forever: the whole program ends with status 7.
 */
#include <pthread.h>
#include "check.h"

static int p[2];
static volatile int main_printed;

static void *blocker(void *arg)
{
	char c;

	if (read(p[0], &c, 1) >= 0)
		say("read returned: cannot happen");
	return arg;
}

static void *quitter(void *arg)
{
	WAIT_FOR(main_printed);
	sleep_ms(20);
	say("thread calls _exit(7)");
	die_flush();
	_exit(7);
	return arg;
}

int main(void)
{
	pthread_t b, q;

	if (pipe(p) != 0)
		return 1;
	pthread_create(&b, NULL, blocker, NULL);
	pthread_create(&q, NULL, quitter, NULL);
	say("main joins the blocked thread");
	die_flush();
	main_printed = 1;
	pthread_join(b, NULL);
	say("join returned: cannot happen");
	return 0;
}

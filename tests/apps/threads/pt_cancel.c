/*
 * pt_cancel: pthread_cancel, which libcs implement with a signal: a
 * thread blocked in read on a pipe is cancelled and its cleanup handler
 * runs; a thread with cancellation disabled finishes its work and is
 * cancelled at pthread_testcancel once enabled; an asynchronously
 * cancellable thread spinning without system calls is cancelled too.
 */
/* BUILDS: static pie musl dyn musldyn */
#include <pthread.h>
#include "check.h"

static int p[2];
static volatile int cleaned, reached, spinning, disabled_done, sent;

static void cleanup(void *arg)
{
	__atomic_add_fetch(&cleaned, 1, __ATOMIC_SEQ_CST);
	(void)arg;
}

static void *reader(void *arg)
{
	char c;

	pthread_cleanup_push(cleanup, NULL);
	reached = 1;
	if (read(p[0], &c, 1) >= 0)
		say("read returned: cannot happen");
	pthread_cleanup_pop(0);
	return arg;
}

static void *deferred(void *arg)
{
	int old;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	reached = 1;
	WAIT_FOR(sent);	/* sleeps: a cancellation point, but disabled */
	disabled_done = 1;
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
	pthread_testcancel();
	return arg;
}

static void *spinner(void *arg)
{
	int old;

	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &old);
	for (;;)
		spinning++;
	return arg;
}

static void one(const char *what, void *(*fn)(void *))
{
	pthread_t t;
	void *r = NULL;

	reached = sent = 0;
	pthread_create(&t, NULL, fn, NULL);
	WAIT_FOR(reached || spinning);
	sleep_ms(10);
	say("%s: cancel = %s", what, rcname(pthread_cancel(t)));
	sent = 1;
	say("  join = %s", rcname(pthread_join(t, &r)));
	yes("  result is PTHREAD_CANCELED", r == PTHREAD_CANCELED);
}

int main(void)
{
	if (pipe(p) != 0)
		return 1;
	one("blocked in read", reader);
	say("  cleanup handlers run: %d", cleaned);
	one("cancel disabled", deferred);
	yes("  finished its work first", disabled_done);
	one("asynchronous, spinning", spinner);
	return 0;
}

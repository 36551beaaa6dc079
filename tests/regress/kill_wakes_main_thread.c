/*
 * kill_wakes_main_thread: a signal sent to the process by kill() from a
 * second thread goes to the main thread first, as Linux routes it to the
 * thread-group leader when it can take it, so the main thread's
 * clock_nanosleep and nanosleep end with EINTR (with the time left) and
 * its handler runs. Skiff used to deliver it to the sending thread, and
 * the main thread slept on (Python's time.sleep did not see Ctrl-C).
 */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include "check.h"

static volatile pthread_t handled_by;

static void handler(int sig)
{
	(void)sig;
	handled_by = pthread_self();
}

static void *sender(void *arg)
{
	(void)arg;
	usleep(200000);
	kill(getpid(), SIGUSR1);
	return NULL;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = handler };
	struct timespec dl, rel = { 5, 0 }, rem = { 0, 0 };
	pthread_t t, self = pthread_self();

	sigaction(SIGUSR1, &sa, NULL);
	pthread_create(&t, NULL, sender, NULL);
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += 5;
	int r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL);
	say("clock_nanosleep: %s", r == EINTR ? "EINTR" : r ? "error" : "slept on");
	yes("handled by the main thread", pthread_equal(handled_by, self));
	pthread_join(t, NULL);
	handled_by = 0;
	pthread_create(&t, NULL, sender, NULL);
	SHOW(nanosleep(&rel, &rem));
	yes("time left", rem.tv_sec > 0 || rem.tv_nsec > 0);
	yes("handled by the main thread", pthread_equal(handled_by, self));
	pthread_join(t, NULL);
	return 0;
}

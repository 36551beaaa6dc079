/*
 * sigaction_delivery_race: one thread changes a signal's action while
 * another thread takes that signal many times; each handler must run with
 * its own sa_mask, never with the mask of the action being replaced.
 * Reproducer: delivery read (and SA_RESETHAND wrote) the action table
 * without the signal lock, on a preemptible path, so a delivery could mix
 * the handler of one action with the flags and mask of another.
 * A race: on one CPU it shows only when preemption lands inside the copy.
 */
#include <pthread.h>
#include <signal.h>
#include "check.h"

#define ROUNDS 20000

static volatile int stop, mismatches, ran;

static void h1(int sig __attribute__((unused)))
{
	sigset_t cur;

	sigprocmask(SIG_BLOCK, NULL, &cur);
	if (!sigismember(&cur, SIGUSR2) || sigismember(&cur, SIGHUP))
		mismatches++;
	ran++;
}

static void h2(int sig __attribute__((unused)))
{
	sigset_t cur;

	sigprocmask(SIG_BLOCK, NULL, &cur);
	if (sigismember(&cur, SIGUSR2) || !sigismember(&cur, SIGHUP))
		mismatches++;
	ran++;
}

static void *flipper(void *arg __attribute__((unused)))
{
	struct sigaction a1 = { .sa_handler = h1 }, a2 = { .sa_handler = h2 };

	sigemptyset(&a1.sa_mask);
	sigaddset(&a1.sa_mask, SIGUSR2);
	sigemptyset(&a2.sa_mask);
	sigaddset(&a2.sa_mask, SIGHUP);
	while (!stop) {
		sigaction(SIGUSR1, &a1, NULL);
		sigaction(SIGUSR1, &a2, NULL);
	}
	return NULL;
}

int main(void)
{
	struct sigaction a = { .sa_handler = h1 };
	sigset_t block;
	pthread_t t;

	sigemptyset(&a.sa_mask);
	sigaddset(&a.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &a, NULL);
	/* Only this thread takes SIGUSR1. */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	pthread_create(&t, NULL, flipper, NULL);
	pthread_sigmask(SIG_UNBLOCK, &block, NULL);
	for (int i = 0; i < ROUNDS; i++)
		pthread_kill(pthread_self(), SIGUSR1);
	stop = 1;
	pthread_join(t, NULL);
	say("%d signals taken while the action changed: all ran %s, "
	    "mask mismatches %d", ROUNDS, ran == ROUNDS ? "yes" : "no",
	    mismatches);
	return 0;
}

/*
 * exit_last_race: every thread of the program ends with exit(2) at once;
 * the last one to go must end the program with its status, as on Linux.
 * Reproducer: the count of live threads was checked ("am I the last?")
 * and decremented separately, one atomically and one not, so two threads
 * exiting together could each see the other alive and both leave: the VM
 * then ran on with no program thread (a hang, caught by the harness).
 * A race: it fails only when a thread is preempted in that window.
 */
#include <pthread.h>
#include "check.h"

#define THREADS 8

static pthread_barrier_t bar;

static void *quit(void *arg __attribute__((unused)))
{
	pthread_barrier_wait(&bar);
	syscall(SYS_exit, 0);
	return NULL;
}

int main(void)
{
	pthread_t t;

	pthread_barrier_init(&bar, NULL, THREADS + 1);
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t, NULL, quit, NULL);
	say("all threads exit together");
	fflush(stdout);
	pthread_barrier_wait(&bar);
	syscall(SYS_exit, 0);
	return 1;
}

/* BUILDS: static pie dyn */
/*
 * exit_last_race: two threads end with exit(2) one right after the other;
 * the last one to go must end the program with its status, as on Linux.
 * Reproducer: the count of live threads was checked ("am I the last?")
 * and decremented separately, so a thread preempted between the two while
 * the other exited left the count at zero with neither having been last:
 * the VM ran on with no program thread (a hang, caught by the harness).
 * Made to happen every time: the exiting thread holds a robust mutex the
 * main thread waits for, so its exit wakes main (which, having slept,
 * should run next), and its clear_child_tid points at a page never
 * touched, so clearing it faults, and the fault's return reschedules in
 * that window. Main then takes the mutex (EOWNERDEAD) and exits.
 * glibc only: with musl, main is never given the mutex of a thread that
 * left by a raw exit(2) (it waits forever natively too).
 */
#include <pthread.h>
#include <sys/mman.h>
#include "check.h"

static pthread_mutex_t m;
static volatile int locked;
static char *fresh; /* a page never touched */

static void burn(void)
{
	long long end = mono_ns() + 3000000; /* CPU used: main runs first */

	while (mono_ns() < end)
		;
}

static void *holder(void *arg __attribute__((unused)))
{
	pthread_mutex_lock(&m);
	locked = 1;
	while (locked < 2) /* main is about to block on m */
		sched_yield();
	sleep_ms(20);
	burn();
	syscall(SYS_set_tid_address, fresh);
	syscall(SYS_exit, 0); /* still holding m */
	return NULL;
}

int main(void)
{
	pthread_mutexattr_t a;
	pthread_t t;

	fresh = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&m, &a);
	pthread_create(&t, NULL, holder, NULL);
	while (!locked)
		sched_yield();
	locked = 2;
	int r = pthread_mutex_lock(&m);
	say("lock after the owner exited: %s", rcname(r));
	fflush(stdout);
	syscall(SYS_exit, 0);
	return 1;
}

/*
 * threads_until_eagain: creating threads until pthread_create fails ends
 * with EAGAIN, and the program can still allocate memory and exit
 * normally. Reproducer: Skiff ran out of memory inside the kernel while
 * creating them and then killed the program at a later page fault ("out
 * of memory: no page for address", "out of memory for page tables"), or
 * stalled; of six runs of 32,000 threads only three ended with EAGAIN.
 *
 * Bounded both ways: in Skiff the VM's memory (-m 64M) runs out long
 * before CAP threads; natively Linux has the memory for CAP threads and
 * the program stops there. What is compared is that every failure was
 * EAGAIN (never another error, a kill or a stall) and that the program
 * goes on normally; the count and how it stopped go to stderr.
 */
/* SKIFF: -m 64M */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include "check.h"

#ifndef CAP
#define CAP 6000
#endif

static int gate; /* the threads sleep on it until exit */

static void *sleeper(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&gate, __ATOMIC_ACQUIRE))
		syscall(SYS_futex, &gate, 128 /* FUTEX_WAIT_PRIVATE */, 0, NULL);
	return NULL;
}

int main(void)
{
	pthread_attr_t attr;
	pthread_t t;
	int n = 0, err = 0;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	while (n < CAP && !(err = pthread_create(&t, &attr, sleeper, NULL)))
		n++;
	fprintf(stderr, "%d threads, then %s\n", n, err ? errname(err) : "the cap");
	yes("stopped with EAGAIN or at the cap", !err || err == EAGAIN);
	/* The program still works: memory it asks for now, and its threads. */
	size_t len = 256 << 10; /* within the reserve (1/32 of RAM) */
	char *p = malloc(len);
	if (p)
		for (size_t i = 0; i < len; i += 4096)
			p[i] = 1;
	yes("malloc after it (or NULL, never a kill)", 1);
	__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &gate, 129 /* FUTEX_WAKE_PRIVATE */, INT_MAX);
	free(p);
	say("exits normally");
	return 0;
}

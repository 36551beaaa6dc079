/*
 * fault_race: threads touch the same fresh anonymous pages for the first
 * time at once; every write must survive. Reproducer: the page fault
 * handler could be preempted before it took the address-space lock, let
 * another thread fill the page, then map a second zero page over it,
 * losing that thread's writes (seen as musl's malloc crashing in
 * malloc_threads).
 */
#include <pthread.h>
#include <sys/mman.h>
#include "check.h"

#define THREADS 4
#define PAGES 4096
#define ROUNDS 8

static char *region;
static long pg;
static pthread_barrier_t bar;
static int lost[THREADS];

static void *toucher(void *arg)
{
	long id = (long)arg;

	for (int round = 0; round < ROUNDS; round++) {
		pthread_barrier_wait(&bar);
		/* All walk in the same order, so a thread preempted in the
		 * middle of a fault is overtaken on that very page. */
		for (long p = 0; p < PAGES; p++)
			((volatile long *)(region + p * pg))[id] = round + 1;
		for (long p = 0; p < PAGES; p++)
			if (((volatile long *)(region + p * pg))[id] != round + 1)
				lost[id]++;
		pthread_barrier_wait(&bar);
		if (id == 0) { /* fresh pages for the next round */
			madvise(region, PAGES * pg, MADV_DONTNEED);
		}
	}
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS];
	int total = 0;

	pg = sysconf(_SC_PAGESIZE);
	region = mmap(NULL, PAGES * pg, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return 1;
	pthread_barrier_init(&bar, NULL, THREADS);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, toucher, (void *)i);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		total += lost[i];
	}
	say("%d threads x %d rounds over %d fresh pages: writes lost %d",
	    THREADS, ROUNDS, PAGES, total);
	return 0;
}

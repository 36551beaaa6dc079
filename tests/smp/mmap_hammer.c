/*
 * tests/smp/mmap_hammer.c: threads on different CPUs hammer mmap, munmap
 * and mprotect in the one address space, each filling and checking its own
 * mappings (a page another thread's mapping or a stale TLB entry gave it
 * shows as a wrong word), while they also fault in the same fresh pages of
 * a shared region at once (tests/regress/fault_race.c's race, on several
 * CPUs): every write must survive, pages dropped with MADV_DONTNEED
 * between rounds read back as zero.
 *   mmap_hammer [ROUNDS]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define THREADS 4
#define SHARED_PAGES 256

static long rounds = 300;
static long pg;
static long wrong, lost, notzero;
static char *shared;
static pthread_barrier_t bar;

static void own_mappings(long id, long i)
{
	long n = 1 + (id * 7 + i) % 16;
	long *p = mmap(NULL, n * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		__atomic_add_fetch(&wrong, 1, __ATOMIC_RELAXED);
		return;
	}
	long words = n * pg / sizeof(long), tag = (id << 48) | (i << 16);
	for (long w = 0; w < words; w += 64)
		p[w] = tag | w;
	if (i % 4 == 0)
		mprotect(p, n * pg, PROT_READ);
	for (long w = 0; w < words; w += 64)
		if (p[w] != (tag | w))
			__atomic_add_fetch(&wrong, 1, __ATOMIC_RELAXED);
	/* half of it first: a split mapping */
	munmap(p, n / 2 * pg);
	munmap(p + n / 2 * pg / sizeof(long), (n - n / 2) * pg);
}

static void shared_faults(long id, long i)
{
	pthread_barrier_wait(&bar);
	for (long p = 0; p < SHARED_PAGES; p++) {
		volatile long *w = (volatile long *)(shared + p * pg);
		if (w[id] != 0)
			__atomic_add_fetch(&notzero, 1, __ATOMIC_RELAXED);
		w[id] = i + 1;
	}
	for (long p = 0; p < SHARED_PAGES; p++)
		if (((volatile long *)(shared + p * pg))[id] != i + 1)
			__atomic_add_fetch(&lost, 1, __ATOMIC_RELAXED);
	pthread_barrier_wait(&bar);
	if (id == 0)
		madvise(shared, SHARED_PAGES * pg, MADV_DONTNEED);
}

static void *worker(void *arg)
{
	long id = (long)arg;

	for (long i = 0; i < rounds; i++) {
		own_mappings(id, i);
		if (i % 10 == 0)
			shared_faults(id, i / 10);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];

	if (argc > 1)
		rounds = atol(argv[1]);
	pg = sysconf(_SC_PAGESIZE);
	shared = mmap(NULL, SHARED_PAGES * pg, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return 2;
	pthread_barrier_init(&bar, NULL, THREADS);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	printf("mmap/mprotect/munmap, %d threads x %ld rounds: %s\n", THREADS,
	       rounds, wrong ? "WRONG WORDS" : "every word its own");
	printf("same fresh pages faulted at once: writes lost %s, stale after DONTNEED %s\n",
	       lost ? "SOME" : "none", notzero ? "SOME" : "none");
	return wrong || lost || notzero;
}

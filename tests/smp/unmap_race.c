/*
 * tests/smp/unmap_race.c: one thread unmaps memory while another, on
 * another CPU, keeps reading it. The reader must see the old contents
 * until its access faults and then get SIGSEGV; it must never read memory
 * that was freed and given out again. To make a reuse visible, the
 * unmapping thread at once maps fresh memory (which the kernel fills from
 * the frames just freed, if it reuses them) and fills it with another
 * pattern: a reader still going through a stale TLB entry would read that
 * pattern, or zeros, instead of its own. Each round a new region; the
 * reader leaves its loop by siglongjmp from the SIGSEGV handler.
 *   unmap_race [ROUNDS]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGES 16
#define OLD 0x0123456789abcdefL
#define NEW 0x7edcba9876543210L

static long rounds = 200;
static long pg;
static volatile long *region;
static volatile int reading;
static long segv, stale, no_segv;
static sigjmp_buf jb;
static volatile void *fault_addr;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	fault_addr = si->si_addr;
	siglongjmp(jb, 1);
}

static void *reader(void *arg)
{
	volatile long *r = region;
	long words = PAGES * pg / sizeof(long);

	if (sigsetjmp(jb, 1)) {
		if ((char *)fault_addr >= (char *)r &&
		    (char *)fault_addr < (char *)r + PAGES * pg)
			segv++;
		return NULL;
	}
	for (long pass = 0;; pass++) {
		for (long w = 0; w < words; w += 8) {
			long v = r[w];
			if (v != (OLD ^ w)) {
				stale++; /* freed memory read: a bug */
				return NULL;
			}
		}
		if (pass == 0)
			__atomic_store_n(&reading, 1, __ATOMIC_RELEASE);
		if (pass > 100000000) {
			no_segv++;
			return NULL;
		}
	}
}

static int one_round(void)
{
	pthread_t t;
	long words = PAGES * pg / sizeof(long);

	/* The fresh memory's addresses, reserved first: never the region's
	 * (a new mapping there would be the reader's to read). */
	char *fresh = mmap(NULL, 4 * PAGES * pg, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	region = mmap(NULL, PAGES * pg, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED || fresh == MAP_FAILED)
		return -1;
	for (long w = 0; w < words; w++)
		region[w] = OLD ^ w;
	reading = 0;
	pthread_create(&t, NULL, reader, NULL);
	while (!__atomic_load_n(&reading, __ATOMIC_ACQUIRE))
		sched_yield();
	munmap((void *)region, PAGES * pg);
	/* the frames just freed, given out again with another pattern */
	for (int k = 0; k < 4; k++) {
		long *f = mmap(fresh + k * PAGES * pg, PAGES * pg,
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (f == MAP_FAILED)
			return -1;
		for (long w = 0; w < words; w++)
			f[w] = NEW ^ w;
	}
	pthread_join(t, NULL);
	munmap(fresh, 4 * PAGES * pg);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };

	if (argc > 1)
		rounds = atol(argv[1]);
	pg = sysconf(_SC_PAGESIZE);
	sigaction(SIGSEGV, &sa, NULL);
	for (long r = 0; r < rounds; r++)
		if (one_round())
			return 2;
	printf("unmapped under a reader, %ld rounds: SIGSEGV %s, freed memory read %s\n",
	       rounds, segv == rounds ? "every time" : "MISSING",
	       stale ? "SOMETIMES" : "never");
	return segv != rounds || stale || no_segv;
}

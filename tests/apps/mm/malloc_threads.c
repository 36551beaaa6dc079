/*
 * malloc_threads: eight threads allocate, fill, check and free blocks of
 * sizes from a fixed pseudo-random sequence (small ones from the heap,
 * large ones mapped), passing some blocks to other threads to free; no
 * block is ever found overwritten.
 */
/* BUILDS: static pie musl dyn musldyn */
#include <pthread.h>
#include <stdint.h>
#include "check.h"

#define N 8
#define OPS 3000
#define SLOTS 64

static void *shared[N];
static int corrupt[N];
static long bytes[N];

static uint32_t next(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static size_t pick(uint32_t *s)
{
	uint32_t r = next(s);

	if (r % 50 == 0)
		return 200000 + r % 100000;	/* mmap'd by both libcs */
	return 1 + r % 2000;
}

static int check(unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i += 97)
		if (p[i] != v)
			return 0;
	return p[n - 1] == v;
}

static void *worker(void *arg)
{
	int id = (int)(long)arg;
	uint32_t seed = 1234 + id;
	unsigned char *slot[SLOTS] = { 0 };
	size_t len[SLOTS] = { 0 };

	for (int op = 0; op < OPS; op++) {
		int k = next(&seed) % SLOTS;

		if (slot[k]) {
			corrupt[id] += !check(slot[k], len[k], (unsigned char)(k + id));
			free(slot[k]);
		}
		len[k] = pick(&seed);
		slot[k] = malloc(len[k]);
		memset(slot[k], k + id, len[k]);
		bytes[id] += len[k];
		if (op == OPS / 2) {
			/* hand one block to the next thread to free */
			__atomic_store_n(&shared[(id + 1) % N], malloc(100), __ATOMIC_SEQ_CST);
		}
	}
	for (int k = 0; k < SLOTS; k++) {
		if (slot[k]) {
			corrupt[id] += !check(slot[k], len[k], (unsigned char)(k + id));
			free(slot[k]);
		}
	}
	return NULL;
}

int main(void)
{
	pthread_t t[N];
	int bad = 0;
	long total = 0;

	for (long i = 0; i < N; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < N; i++) {
		bad += corrupt[i];
		total += bytes[i];
		free(shared[i]);	/* freed by a thread that did not allocate it */
	}
	say("bytes allocated in total: %ld", total);
	say("blocks found overwritten: %d", bad);
	return 0;
}

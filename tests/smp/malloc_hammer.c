/*
 * tests/smp/malloc_hammer.c: threads on different CPUs hammer malloc and
 * free, many blocks freed by another thread than the one that allocated
 * them (handed over through a queue): each block carries its owner's
 * pattern, checked before it is freed, so memory given out twice or
 * reused while still in use shows as a broken pattern.
 *   malloc_hammer [ROUNDS]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4
#define SLOTS 64
#define QLEN 256

static long rounds = 20000;
static long broken;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *queue[QLEN];
static size_t qlen;

/* A block: its size, then bytes of pattern (size, seed). */
static unsigned char *block_new(size_t size, unsigned seed)
{
	unsigned char *p = malloc(size + sizeof(size_t) + 1);

	if (!p)
		return NULL;
	memcpy(p, &size, sizeof(size));
	p[sizeof(size)] = (unsigned char)seed;
	for (size_t i = 0; i < size; i++)
		p[sizeof(size) + 1 + i] = (unsigned char)(seed + i * 7);
	return p;
}

static void block_free(unsigned char *p)
{
	size_t size;
	unsigned char seed;

	memcpy(&size, p, sizeof(size));
	seed = p[sizeof(size)];
	for (size_t i = 0; i < size; i++)
		if (p[sizeof(size) + 1 + i] != (unsigned char)(seed + i * 7)) {
			__atomic_add_fetch(&broken, 1, __ATOMIC_RELAXED);
			break;
		}
	free(p);
}

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(long)arg * 2654435761u + 1;
	unsigned char *mine[SLOTS] = { 0 };

	for (long i = 0; i < rounds; i++) {
		seed = seed * 1103515245 + 12345;
		int s = (seed >> 8) % SLOTS;
		size_t size = (seed >> 16) % 4 == 0 ? (seed >> 12) % 70000
						     : (seed >> 12) % 300;
		if (mine[s]) {
			/* every other one goes to another thread to free */
			pthread_mutex_lock(&qlock);
			if (i % 2 && qlen < QLEN) {
				queue[qlen++] = mine[s];
				mine[s] = NULL;
			}
			unsigned char *other = qlen && i % 3 == 0 ?
					       queue[--qlen] : NULL;
			pthread_mutex_unlock(&qlock);
			if (other)
				block_free(other);
			if (mine[s])
				block_free(mine[s]);
		}
		mine[s] = block_new(size, seed >> 4);
		if (!mine[s])
			__atomic_add_fetch(&broken, 1, __ATOMIC_RELAXED);
	}
	for (int s = 0; s < SLOTS; s++)
		if (mine[s])
			block_free(mine[s]);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];

	if (argc > 1)
		rounds = atol(argv[1]);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	while (qlen)
		block_free(queue[--qlen]);
	printf("malloc/free, %d threads x %ld rounds, blocks freed across threads: %s\n",
	       THREADS, rounds, broken ? "BROKEN" : "every pattern intact");
	return broken != 0;
}

/*
 * pt_detach: 32 detached threads (half created detached, half detached
 * after creation) each post a semaphore and exit; their resources are
 * reclaimed by the libc and the kernel, so 32 more can be created after.
 */
#include <pthread.h>
#include <semaphore.h>
#include "check.h"

#define N 32

static sem_t done;
static volatile int count;

static void *worker(void *arg)
{
	__atomic_add_fetch(&count, 1, __ATOMIC_SEQ_CST);
	sem_post(&done);
	return arg;
}

static int batch(void)
{
	pthread_attr_t a;
	pthread_t t;
	int ok = 0;

	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < N; i++) {
		if (i % 2 == 0) {
			ok += pthread_create(&t, &a, worker, NULL) == 0;
		} else if (pthread_create(&t, NULL, worker, NULL) == 0) {
			ok += pthread_detach(t) == 0;
		}
	}
	for (int i = 0; i < N; i++)
		sem_wait(&done);
	return ok;
}

int main(void)
{
	sem_init(&done, 0, 0);
	for (int round = 1; round <= 4; round++) {
		int ok = batch();

		say("round %d: created and detached %d, total ran %d", round, ok, count);
	}
	return 0;
}

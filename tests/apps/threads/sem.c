/*
 * sem: unnamed POSIX semaphores between threads: a ping-pong of 1000
 * rounds between two threads; sem_getvalue; sem_trywait on zero is
 * EAGAIN; sem_timedwait with nobody posting times out; a post from
 * another thread ends a sem_wait.
 */
#include <pthread.h>
#include <semaphore.h>
#include "check.h"

#define ROUNDS 1000

static sem_t ping, pong, late;
static int hits;

static void *ponger(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		sem_wait(&ping);
		hits++;
		sem_post(&pong);
	}
	return arg;
}

static void *late_poster(void *arg)
{
	sleep_ms(20);
	sem_post(&late);
	return arg;
}

int main(void)
{
	pthread_t t;
	struct timespec ts;
	int v = -1;

	SHOW(sem_init(&ping, 0, 0));
	SHOW(sem_init(&pong, 0, 0));
	SHOW(sem_init(&late, 0, 3));
	pthread_create(&t, NULL, ponger, NULL);
	for (int i = 0; i < ROUNDS; i++) {
		sem_post(&ping);
		sem_wait(&pong);
	}
	pthread_join(t, NULL);
	say("ping-pong rounds: %d", hits);
	sem_getvalue(&late, &v);
	say("getvalue after init 3: %d", v);
	SHOW(sem_trywait(&late));
	SHOW(sem_trywait(&late));
	SHOW(sem_trywait(&late));
	SHOW(sem_trywait(&late));
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20 * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	SHOW(sem_timedwait(&late, &ts));
	ts.tv_nsec = 2000000000;
	SHOW(sem_timedwait(&late, &ts));
	pthread_create(&t, NULL, late_poster, NULL);
	SHOW(sem_wait(&late));
	pthread_join(t, NULL);
	sem_getvalue(&late, &v);
	say("getvalue at the end: %d", v);
	SHOW(sem_destroy(&late));
	return 0;
}

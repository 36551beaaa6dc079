/*
 * threads64: 64 threads created with default attributes, all alive at
 * once (a barrier of 65), each with its own thread id; each computes a
 * sum; all are joined and their results collected.
 */
/* BUILDS: static pie musl dyn musldyn */
#include <pthread.h>
#include "check.h"

#define N 64

static pthread_barrier_t bar;
static long tids[N];
static int same_pid[N];

static void *worker(void *arg)
{
	long id = (long)arg, sum = 0;

	tids[id] = syscall(SYS_gettid);
	same_pid[id] = getpid() == (pid_t)syscall(SYS_getpid);
	pthread_barrier_wait(&bar);
	for (long i = 1; i <= 1000; i++)
		sum += i * (id + 1);
	return (void *)sum;
}

int main(void)
{
	pthread_t t[N];
	long total = 0;
	int created = 0, joined = 0, distinct = 1, pids = 0;

	pthread_barrier_init(&bar, NULL, N + 1);
	for (long i = 0; i < N; i++)
		created += pthread_create(&t[i], NULL, worker, (void *)i) == 0;
	say("created: %d", created);
	pthread_barrier_wait(&bar);
	say("all %d alive at the barrier", N);
	for (int i = 0; i < N; i++) {
		void *r;

		if (pthread_join(t[i], &r) == 0) {
			joined++;
			total += (long)r;
		}
	}
	for (int i = 0; i < N; i++) {
		pids += same_pid[i];
		distinct &= tids[i] > 0 && tids[i] != getpid();
		for (int j = i + 1; j < N; j++)
			distinct &= tids[i] != tids[j];
	}
	say("joined: %d, total %ld", joined, total);
	yes("thread ids distinct and not the pid", distinct);
	say("threads seeing the process's pid: %d", pids);
	return 0;
}

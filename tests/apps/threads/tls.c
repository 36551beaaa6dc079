/*
 * tls: __thread variables: initialized (.tdata) and zeroed (.tbss) values
 * start fresh in every thread even after the main thread changed its own;
 * each thread's copy is separate (distinct addresses, no interference
 * over many updates); a 64-byte aligned TLS variable is aligned in every
 * thread; function-static __thread counters are per thread.
 */
/* BUILDS: static pie musl dyn musldyn */
#include <pthread.h>
#include <stdint.h>
#include "check.h"

#define N 8

static __thread int tdata = 42;
static __thread long tbss[16];
static __thread char tstr[16] = "main-initial";
static __thread int aligned_var __attribute__((aligned(64))) = 5;
static void *addr[N + 1];
static int fresh[N], isolated[N], align_ok[N], counter_ok[N];

static int bump(void)
{
	static __thread int calls;

	return ++calls;
}

static void *worker(void *arg)
{
	int id = (int)(long)arg, sum = 0;

	fresh[id] = tdata == 42 && tbss[3] == 0 && strcmp(tstr, "main-initial") == 0;
	align_ok[id] = ((uintptr_t)&aligned_var % 64) == 0 && aligned_var == 5;
	addr[id] = &tdata;
	for (int i = 0; i < 10000; i++) {
		tdata += id;
		tbss[i % 16] += 1;
	}
	for (int i = 0; i < 16; i++)
		sum += tbss[i];
	isolated[id] = tdata == 42 + 10000 * id && sum == 10000;
	for (int i = 0; i < id; i++)
		bump();
	counter_ok[id] = bump() == id + 1;
	return NULL;
}

int main(void)
{
	pthread_t t[N];
	int nfresh = 0, niso = 0, nalign = 0, ncount = 0, distinct = 1;

	say("main: tdata %d, tbss[3] %ld, tstr %s, aligned %d", tdata, tbss[3], tstr, aligned_var);
	yes("main: aligned_var is 64-byte aligned", ((uintptr_t)&aligned_var % 64) == 0);
	tdata = 1;
	tbss[3] = 9;
	strcpy(tstr, "changed");
	for (long i = 0; i < N; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	addr[N] = &tdata;
	for (int i = 0; i < N; i++) {
		nfresh += fresh[i];
		niso += isolated[i];
		nalign += align_ok[i];
		ncount += counter_ok[i];
		for (int j = i + 1; j <= N; j++)
			distinct &= addr[i] != addr[j];
	}
	say("threads starting with the initial values: %d of %d", nfresh, N);
	say("threads whose updates stayed their own: %d", niso);
	say("threads with aligned_var aligned: %d", nalign);
	say("threads with their own static __thread counter: %d", ncount);
	yes("every thread's tdata at its own address", distinct);
	say("main after the threads: tdata %d, tbss[3] %ld, tstr %s", tdata, tbss[3], tstr);
	return 0;
}

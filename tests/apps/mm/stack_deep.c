/*
 * stack_deep: deep stacks: the main thread recurses through 4 MiB of
 * frames (Linux gives it 8 MiB), a thread created with a 16 MiB stack
 * recurses through 12 MiB, and a 1 MiB alloca is used end to end; the
 * results of the recursions are exact.
 */
#include <alloca.h>
#include <pthread.h>
#include "check.h"

static __attribute__((noinline)) long down(long n)
{
	volatile char frame[1000];

	frame[0] = (char)n;
	frame[999] = 1;
	if (n == 0)
		return 0;
	return down(n - 1) + frame[0] + frame[999] - (char)n;
}

static void *deep_thread(void *arg)
{
	return (void *)down((long)arg);
}

int main(void)
{
	pthread_attr_t a;
	pthread_t t;
	void *r;
	size_t sz = 0;
	char *big;
	long sum = 0;

	say("main: 4 MiB of frames: %ld", down(4L << 20 >> 10));
	pthread_attr_init(&a);
	SHOW(pthread_attr_setstacksize(&a, 16 << 20));
	pthread_attr_getstacksize(&a, &sz);
	say("  stack size reads back %zu", sz);
	SHOW(pthread_create(&t, &a, deep_thread, (void *)(12L << 20 >> 10)));
	pthread_join(t, &r);
	say("thread: 12 MiB of frames: %ld", (long)r);
	big = alloca(1 << 20);
	memset(big, 1, 1 << 20);
	for (int i = 0; i < 1 << 20; i += 4096)
		sum += big[i];
	say("1 MiB alloca: %ld pages touched", sum);
	return 0;
}

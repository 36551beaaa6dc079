/*
 * pt_keys: thread-specific data: each of four threads sees NULL first and
 * then only its own value; destructors run at thread exit with each
 * thread's value; a destructor that sets the value again is called again;
 * the main thread's value is separate; deleted keys are reused.
 */
#include <pthread.h>
#include "check.h"

#define N 4

static pthread_key_t key, key2;
static int dtor_calls, dtor_sum, again_calls;
static int first_null[N], own_value[N];
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void dtor(void *v)
{
	pthread_mutex_lock(&m);
	dtor_calls++;
	dtor_sum += *(int *)v;
	pthread_mutex_unlock(&m);
	free(v);
}

static void dtor_again(void *v)
{
	pthread_mutex_lock(&m);
	again_calls++;
	pthread_mutex_unlock(&m);
	if (v == (void *)1)
		pthread_setspecific(key2, (void *)2);
}

static void *worker(void *arg)
{
	int id = (int)(long)arg;
	int *v = malloc(sizeof(*v));

	first_null[id] = pthread_getspecific(key) == NULL;
	*v = 100 + id;
	pthread_setspecific(key, v);
	sleep_ms(5);
	own_value[id] = *(int *)pthread_getspecific(key) == 100 + id;
	if (id == 0)
		pthread_setspecific(key2, (void *)1);
	return NULL;
}

int main(void)
{
	pthread_t t[N];
	static int mine = 7;
	int nulls = 0, owns = 0;
	pthread_key_t k3;

	say("key_create = %s", rcname(pthread_key_create(&key, dtor)));
	say("key_create = %s", rcname(pthread_key_create(&key2, dtor_again)));
	pthread_setspecific(key, &mine);
	for (long i = 0; i < N; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < N; i++) {
		nulls += first_null[i];
		owns += own_value[i];
	}
	say("threads that saw NULL first: %d, their own value later: %d", nulls, owns);
	say("destructor calls %d, sum of values %d", dtor_calls, dtor_sum);
	say("re-setting destructor calls: %d", again_calls);
	yes("main thread's value unchanged", pthread_getspecific(key) == &mine);
	pthread_setspecific(key, NULL);
	say("key_delete = %s", rcname(pthread_key_delete(key2)));
	say("key_create after delete = %s", rcname(pthread_key_create(&k3, NULL)));
	yes("new key starts NULL", pthread_getspecific(k3) == NULL);
	return 0;
}

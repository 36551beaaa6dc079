/* SOURCES: */
/*
 * Lock torture: the kernel's own spinlocks (sched/spinlock.c) and mutexes
 * (sched/wait.c), compiled into this test for the host, hammered by
 * several pthreads at once (the host's cores run them in parallel, as the
 * CPUs of an SMP guest run kernel code). Checks mutual exclusion (a
 * critical section read-modify-writes plain words and checks that nobody
 * else is inside), that a spinlock's holder has "interrupts" off and gets
 * its state back, that mutex_trylock never takes a held mutex, and that no
 * wake-up is lost (every thread ends, under a watchdog: a lost wake-up
 * leaves a thread asleep for ever, which the watchdog turns into a failure).
 *
 * The arch bits the lock code uses are host versions: RFLAGS.IF is a
 * per-thread flag (irq_save clears it, irq_restore puts it back,
 * irq_enabled reads it), cpu_relax and cpu_spin_poll a pause. The
 * scheduler's waitq_sleep/waitq_wake_one (sched/sched.c, not portable) are
 * host ones keeping its contract (skiff/sched.h): a sleeper is queued on
 * wq under wq->lock before the caller's lock is released, so a wake-up
 * after the caller's check reaches it; each pthread sleeps on its own
 * semaphore. The shim's no-op locks are weak, so these win.
 */
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
/* The kernel's sched_yield is not the host's, which this test calls. */
#define sched_yield kernel_sched_yield
#include <skiff/arch.h>
#include <skiff/sched.h>
#include "shim.h"

/* ---- host arch: the interrupt flag per thread ---- */
static __thread bool host_if = true;

static u64 host_irq_save(void)
{
	u64 flags = host_if ? 0x200 : 0;

	host_if = false;
	return flags;
}

static void host_irq_restore(u64 flags)
{
	if (flags & 0x200)
		host_if = true;
}

#define irq_save() host_irq_save()
#define irq_restore(f) host_irq_restore(f)
#define irq_enabled() (host_if)
#undef cpu_spin_poll
#define cpu_spin_poll() __builtin_ia32_pause()

#include "../../sched/spinlock.c"
#include "../../sched/wait.c"
#undef sched_yield

/* ---- host threads and the scheduler's wait queue contract ---- */
struct host_thread {
	struct thread t;	/* first: thread_current() is &t */
	sem_t wake;
	int id;
};

static __thread struct host_thread *self;
static long sleeps;	/* waitq_sleep calls, all threads */

struct thread *thread_current(void)
{
	return &self->t;
}

int thread_tid(void)
{
	return self ? self->id : 0;
}

int waitq_sleep(struct waitq *wq, struct spinlock *lk, u64 deadline_ns)
{
	struct host_thread *h = self;

	spin_lock(&wq->lock);
	list_push_back(&wq->sleepers, &h->t.wait_link);
	h->t.wq = wq;
	spin_unlock(&wq->lock);
	if (lk)
		spin_unlock(lk);
	__atomic_add_fetch(&sleeps, 1, __ATOMIC_RELAXED);
	while (sem_wait(&h->wake))
		;
	if (lk)
		spin_lock(lk);
	return 0;
}

static bool wake_first(struct waitq *wq)
{
	struct host_thread *h;

	spin_lock(&wq->lock);
	if (list_empty(&wq->sleepers)) {
		spin_unlock(&wq->lock);
		return false;
	}
	h = list_entry(wq->sleepers.next, struct host_thread, t.wait_link);
	list_remove(&h->t.wait_link);
	h->t.wq = NULL;
	spin_unlock(&wq->lock);
	sem_post(&h->wake);
	return true;
}

void waitq_wake_one(struct waitq *wq)
{
	wake_first(wq);
}

void waitq_wake_all(struct waitq *wq)
{
	while (wake_first(wq))
		;
}

/* ---- the torture ---- */
#define NTHREADS 6
#define ITERS 50000

struct torture {
	struct spinlock spin;
	struct mutex mutex;
	volatile int inside;	/* who is in the critical section, 0 none */
	volatile u64 counter;	/* plain read-modify-writes under the lock */
	volatile u64 shadow;
	long errors;		/* mutual exclusion or IF broken */
	long tries_won;
	bool use_mutex;
	bool use_trylock;
	int iters;		/* rounds a thread */
};

/* The critical section: plain stores others would tear if inside too. */
static void critical(struct torture *t, int id)
{
	if (t->inside)
		__atomic_add_fetch(&t->errors, 1, __ATOMIC_RELAXED);
	t->inside = id;
	u64 c = t->counter;
	for (int k = 0; k < 8 + (id & 7); k++)
		__builtin_ia32_pause();
	t->counter = c + 1;
	t->shadow = t->shadow + 1;
	if (t->inside != id || t->counter != t->shadow)
		__atomic_add_fetch(&t->errors, 1, __ATOMIC_RELAXED);
	t->inside = 0;
}

static void one_round(struct torture *t, int id, int i)
{
	if (!t->use_mutex) {
		spin_lock(&t->spin);
		if (host_if)
			__atomic_add_fetch(&t->errors, 1, __ATOMIC_RELAXED);
		critical(t, id);
		spin_unlock(&t->spin);
		if (!host_if)
			__atomic_add_fetch(&t->errors, 1, __ATOMIC_RELAXED);
		return;
	}
	if (t->use_trylock && i % 3 == 0) {
		if (!mutex_trylock(&t->mutex))
			return;
		__atomic_add_fetch(&t->tries_won, 1, __ATOMIC_RELAXED);
	} else {
		mutex_lock(&t->mutex);
	}
	critical(t, id);
	if (i % 64 == 0)
		sched_yield(); /* hold it a while: others queue up and sleep */
	mutex_unlock(&t->mutex);
}

struct worker {
	struct torture *t;
	struct host_thread h;
	long done;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	self = &w->h;
	for (int i = 0; i < w->t->iters; i++) {
		one_round(w->t, w->h.id, i);
		w->done++;
	}
	return NULL;
}

static void on_alarm(int sig)
{
	static const char msg[] =
		"locktorture: a thread still waits after 100 s: a lost wake-up or a deadlock\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

static void run(struct torture *t)
{
	struct worker w[NTHREADS];
	pthread_t th[NTHREADS];

	signal(SIGALRM, on_alarm);
	alarm(100); /* the watchdog: a hang fails the test */
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .t = t, .h.id = i + 1 };
		sem_init(&w[i].h.wake, 0, 0);
		list_init(&w[i].h.t.wait_link);
		assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	alarm(0);
	for (int i = 0; i < NTHREADS; i++) {
		assert_int_equal(w[i].done, t->iters);
		sem_destroy(&w[i].h.wake);
	}
	assert_int_equal(t->errors, 0);
	assert_int_equal(t->inside, 0);
}

static void test_spinlock(void **state)
{
	static struct torture t = { .iters = ITERS * 8 };

	t.spin = (struct spinlock)SPINLOCK_INIT;
	run(&t);
	assert_int_equal(t.counter, (u64)NTHREADS * t.iters);
	assert_false(spin_held(&t.spin));
}

static void test_mutex(void **state)
{
	static struct torture t = { .use_mutex = true, .iters = ITERS };
	long before = sleeps;

	mutex_init(&t.mutex);
	run(&t);
	assert_int_equal(t.counter, (u64)NTHREADS * ITERS);
	assert_null(t.mutex.owner);
	assert_true(list_empty(&t.mutex.waiters.sleepers));
	/* The sleeping path was taken, so the wake-ups were tested. */
	assert_true(sleeps > before);
}

static void test_mutex_trylock(void **state)
{
	static struct torture t = { .use_mutex = true, .use_trylock = true,
				    .iters = ITERS };
	long tries = 0;

	mutex_init(&t.mutex);
	run(&t);
	/* Every section entered, by mutex_lock or a won mutex_trylock. */
	for (int i = 0; i < ITERS; i++)
		tries += i % 3 == 0;
	assert_true(t.tries_won <= tries * NTHREADS);
	assert_int_equal(t.counter,
			 (u64)NTHREADS * (ITERS - tries) + (u64)t.tries_won);
	assert_null(t.mutex.owner);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spinlock),
		cmocka_unit_test(test_mutex),
		cmocka_unit_test(test_mutex_trylock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * futex_pi: the PI futex operations (FUTEX_LOCK_PI, FUTEX_TRYLOCK_PI,
 * FUTEX_UNLOCK_PI) as Linux gives them: the owner's tid in the word,
 * FUTEX_WAITERS while someone sleeps, EDEADLK for the owner, EPERM for an
 * unlock by another, ESRCH for an owner that exited, a timeout, hand-over
 * to the sleeper on unlock, a signal that does not interrupt the wait, and
 * glibc/musl PTHREAD_PRIO_INHERIT mutexes (plain and robust) on top.
 * Reproducer: Skiff returned ENOSYS, so PI mutexes failed to lock.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include "check.h"

/* futex(2) constants (musl has no <linux/futex.h>) */
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_TID_MASK 0x3fffffffu

#define WAITERS FUTEX_WAITERS
static unsigned word;
static volatile int got_lock, handler_ran;
static volatile long lock_result;

static long futex(unsigned *u, int op, const struct timespec *ts)
{
	return syscall(SYS_futex, u, op, 0, ts, NULL, 0);
}

static int tid(void)
{
	return (int)syscall(SYS_gettid);
}

static void show(const char *what, long r)
{
	say("%s = %ld %s", what, r, r < 0 ? errname(errno) : "");
}

static void *locker(void *arg)
{
	(void)arg;
	lock_result = futex(&word, FUTEX_LOCK_PI, NULL);
	got_lock = (word & FUTEX_TID_MASK) == (unsigned)tid();
	if (lock_result == 0)
		futex(&word, FUTEX_UNLOCK_PI, NULL);
	return NULL;
}

static void *timed_locker(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 50 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	errno = 0;
	lock_result = futex(&word, FUTEX_LOCK_PI, &ts);
	lock_result = lock_result < 0 ? -errno : 0;
	return NULL;
}

static void *exiter(void *arg)
{
	*(int *)arg = tid();
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
	handler_ran = 1;
}

static void basic(void)
{
	show("TRYLOCK_PI free", futex(&word, FUTEX_TRYLOCK_PI, NULL));
	yes("word holds my tid", word == (unsigned)tid());
	show("TRYLOCK_PI mine", futex(&word, FUTEX_TRYLOCK_PI, NULL));
	show("LOCK_PI mine", futex(&word, FUTEX_LOCK_PI, NULL));
	show("UNLOCK_PI", futex(&word, FUTEX_UNLOCK_PI, NULL));
	say("word after unlock = %u", word);
	show("UNLOCK_PI not mine", futex(&word, FUTEX_UNLOCK_PI, NULL));
	show("LOCK_PI misaligned", futex((unsigned *)((char *)&word + 1), FUTEX_LOCK_PI, NULL));
	show("LOCK_PI kernel address", futex((unsigned *)0xffffffff81000000ul, FUTEX_LOCK_PI, NULL));

	pthread_t th;
	int dead = 0;
	pthread_create(&th, NULL, exiter, &dead);
	pthread_join(th, NULL);
	word = dead;
	show("LOCK_PI dead owner", futex(&word, FUTEX_LOCK_PI, NULL));
	show("TRYLOCK_PI dead owner", futex(&word, FUTEX_TRYLOCK_PI, NULL));
	word = 0;
}

/* A second thread blocks in LOCK_PI while we own the word. */
static void contended(void *(*fn)(void *), const char *what, int signal_it)
{
	pthread_t th;

	got_lock = 0;
	handler_ran = 0;
	lock_result = 1;
	futex(&word, FUTEX_TRYLOCK_PI, NULL);
	pthread_create(&th, NULL, fn, NULL);
	yes("  the sleeper sets FUTEX_WAITERS",
	    WAIT_FOR(__atomic_load_n(&word, __ATOMIC_SEQ_CST) & WAITERS));
	yes("  the owner's tid stays", (word & FUTEX_TID_MASK) == (unsigned)tid());
	if (signal_it) {
		pthread_kill(th, SIGUSR1);
		yes("  the handler ran", WAIT_FOR(handler_ran));
		sleep_ms(20);
		yes("  still waiting after the handler", lock_result == 1);
	}
	if (fn == locker) {
		show("  UNLOCK_PI with a waiter", futex(&word, FUTEX_UNLOCK_PI, NULL));
	} else {
		WAIT_FOR(lock_result != 1);
		futex(&word, FUTEX_UNLOCK_PI, NULL);
	}
	pthread_join(th, NULL);
	say("%s: result %ld %s, got the lock: %s", what, lock_result,
	    lock_result < 0 ? errname(-lock_result) : "", got_lock ? "yes" : "no");
	say("  word at the end = %u", word);
}

static pthread_mutex_t pi;
static long counter;

static void *adder(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2000; i++) {
		pthread_mutex_lock(&pi);
		counter++;
		if (i % 100 == 0)
			sched_yield();
		pthread_mutex_unlock(&pi);
	}
	return NULL;
}

static void *die_holding(void *arg)
{
	pthread_mutex_lock(arg);
	return NULL;
}

static void mutexes(void)
{
	pthread_mutexattr_t a;
	pthread_t th[3];

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&pi, &a);
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, adder, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	say("PI mutex counter = %ld", counter);

	pthread_mutex_t robust;
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&robust, &a);
	pthread_create(&th[0], NULL, die_holding, &robust);
	pthread_join(th[0], NULL);
	say("robust PI mutex of a dead owner: %s", rcname(pthread_mutex_lock(&robust)));
	say("consistent: %s", rcname(pthread_mutex_consistent(&robust)));
	say("unlock: %s", rcname(pthread_mutex_unlock(&robust)));
}

int main(void)
{
	signal(SIGUSR1, on_usr1); /* no SA_RESTART: LOCK_PI restarts anyway */
	basic();
	contended(locker, "LOCK_PI handed over on unlock", 0);
	contended(timed_locker, "LOCK_PI with a timeout", 0);
	contended(locker, "LOCK_PI across a signal", 1);
	mutexes();
	return 0;
}

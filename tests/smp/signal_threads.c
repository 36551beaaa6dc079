/*
 * tests/smp/signal_threads.c: signals sent to threads running on another
 * CPU. Threads spin (never entering the kernel on their own) or sleep in
 * a futex wait; the main thread sends each, in turn, SIGUSR1 with tgkill
 * and waits until that thread's handler has run: a signal must reach a
 * thread busy on another CPU (an IPI, not the next time it happens to
 * enter the kernel) and the handler must run on the thread it was sent
 * to. A lost signal hangs (tests/smp/stress.sh's timeout fails it).
 *   signal_threads [ROUNDS]
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define THREADS 2

static long rounds = 300;
static volatile int tids[THREADS];
static volatile long handled[THREADS];
static volatile long wrong_thread;
static int stop;
static __thread long my_index = -1;

static void on_usr1(int sig)
{
	if (my_index < 0 || syscall(SYS_gettid) != tids[my_index])
		wrong_thread++;
	else
		__atomic_add_fetch(&handled[my_index], 1, __ATOMIC_RELEASE);
}

static void *worker(void *arg)
{
	my_index = (long)arg;
	tids[my_index] = syscall(SYS_gettid);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		if (my_index == THREADS - 1) /* this one sleeps in the kernel */
			syscall(SYS_futex, &stop, FUTEX_WAIT_PRIVATE, 0, NULL,
				NULL, 0);
		/* the others spin in user mode */
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];
	struct sigaction sa = { .sa_handler = on_usr1 };
	long bad = 0;

	if (argc > 1)
		rounds = atol(argv[1]);
	sigaction(SIGUSR1, &sa, NULL);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < THREADS; i++)
		while (!tids[i])
			sched_yield();
	for (long r = 0; r < rounds; r++)
		for (int i = 0; i < THREADS; i++) {
			long want = r + 1;
			syscall(SYS_tgkill, getpid(), tids[i], SIGUSR1);
			while (__atomic_load_n(&handled[i], __ATOMIC_ACQUIRE) < want)
				sched_yield(); /* busy too, but lets it run */
		}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &stop, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		bad |= handled[i] != rounds;
	}
	printf("tgkill to %d threads (spinning, asleep) x %ld rounds: %s, on the wrong thread %s\n",
	       THREADS, rounds, bad ? "SIGNALS LOST" : "every one handled",
	       wrong_thread ? "SOME" : "none");
	return bad || wrong_thread;
}

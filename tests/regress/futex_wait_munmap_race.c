/*
 * futex_wait_munmap_race: FUTEX_WAIT and FUTEX_CMP_REQUEUE on a word that
 * another thread unmaps meanwhile fail with EFAULT (or EAGAIN while the
 * page is there holding another value), as on Linux; the program is
 * never killed. Reproducer: Skiff checked the address, then read the word
 * directly, so an munmap between the check and the read (the waiter
 * preempted there) was a fault in the kernel outside the uaccess
 * routines, and the program died of it. The race depends on preemption
 * landing in that window: two seconds of it caught it in every run tried
 * under TCG.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include "check.h"

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_CMP_REQUEUE_PRIVATE (4 | 128)

static char *page;
static volatile int stop;
static int other_word;

static void *unmapper(void *arg)
{
	(void)arg;
	while (!stop) {
		munmap(page, 4096);
		mmap(page, 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	}
	return NULL;
}

int main(void)
{
	pthread_t t;
	long calls = 0, other = 0;
	long long end = mono_ns() + 2000000000LL;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_create(&t, NULL, unmapper, NULL);
	while (mono_ns() < end) {
		for (int i = 0; i < 1000; i++, calls++) {
			/* The word is 0 when there: waiting for 1 is EAGAIN,
			 * and so is a requeue expecting 1. */
			long r = i % 2 ? syscall(SYS_futex, page, FUTEX_WAIT_PRIVATE,
						 1, NULL, NULL, 0)
				       : syscall(SYS_futex, page,
						 FUTEX_CMP_REQUEUE_PRIVATE, 0,
						 1, &other_word, 1);
			if (r != -1 || (errno != EAGAIN && errno != EFAULT))
				other++;
		}
	}
	stop = 1;
	pthread_join(t, NULL);
	yes("every call EAGAIN or EFAULT", calls > 0 && other == 0);
	return 0;
}

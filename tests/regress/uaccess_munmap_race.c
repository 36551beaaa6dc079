/*
 * uaccess_munmap_race: a syscall writing into a buffer that another
 * thread unmaps meanwhile must fail with EFAULT (or return what it did
 * before the fault), as on Linux; the program must not be killed.
 * Reproducer: getrandom, mincore (and others in linux/) checked the
 * buffer once and then wrote it directly, so the munmap between the
 * check and the write became a fatal SIGSEGV. The second half passes
 * an inaccessible page to each call that was converted and prints the
 * errno Linux gives.
 * The race part depends on preemption landing in the window; with a
 * buffer of megabytes it does in most rounds under TCG.
 */
#include <pthread.h>
#include <dirent.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include "check.h"

/* <linux/futex.h> is not in musl's headers. */
#define FUTEX_WAKE_OP 5
#define FUTEX_OP_ADD 1
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP(op, oparg, cmp, cmparg) \
	((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | \
	 (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))

#define LEN (8ul << 20)
#define ROUNDS 10

static char *buf;
/* Rounds started and finished by the caller, and remapped by the unmapper. */
static volatile int started, finished, remapped;

/* Unmaps the buffer while the other thread is (most likely) inside a
 * getrandom that takes far longer than a millisecond, then maps it back
 * once that call has returned. */
static void *unmapper(void *arg __attribute__((unused)))
{
	for (int i = 0; i < ROUNDS; i++) {
		while (started <= i)
			sched_yield();
		usleep(1000);
		munmap(buf, LEN);
		while (finished <= i)
			sched_yield();
		mmap(buf, LEN, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		remapped = i + 1;
	}
	return NULL;
}

static void race(void)
{
	pthread_t t;
	int bad = 0;

	buf = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_create(&t, NULL, unmapper, NULL);
	for (int i = 0; i < ROUNDS; i++) {
		started = i + 1;
		long r = syscall(SYS_getrandom, buf, LEN, 0);
		int e = errno;
		finished = i + 1;
		if ((r < 0 && e != EFAULT) || r > (long)LEN)
			bad++;
		while (remapped <= i)
			sched_yield();
	}
	pthread_join(t, NULL);
	say("getrandom racing munmap: %d rounds, bad results %d", ROUNDS, bad);
}

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *none = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *rw = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	timer_t *tid = (timer_t *)none;

	race();
	SHOW(syscall(SYS_getrandom, none, 16, 0));
	SHOW(syscall(SYS_getrandom, ro, 16, 0));
	SHOW(mincore(rw, 4 * pg, (unsigned char *)none));
	SHOW(mincore(rw, 4 * pg, (unsigned char *)ro));
	int d = open("/", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_getdents64, d, none, 4096));
	SHOW(syscall(SYS_getdents64, d, ro, 4096));
	close(d);
	SHOW(syscall(SYS_pipe2, none, 0));
	SHOW(syscall(SYS_futex, rw, FUTEX_WAKE_OP, 1, 1, none,
		     FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0)));
	SHOW(syscall(SYS_futex, rw, FUTEX_WAKE_OP, 1, 1, ro,
		     FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0)));
	SHOW(syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, tid));
	SHOW(syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, (timer_t *)ro));
	SHOW(syscall(SYS_prctl, PR_SET_NAME, none, 0, 0, 0));
	return 0;
}

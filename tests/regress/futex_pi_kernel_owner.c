/*
 * futex_pi_kernel_owner: FUTEX_LOCK_PI on a word whose owner tid is not a
 * thread of the program fails at once instead of waiting for that owner.
 * Reproducer: Skiff looked the tid up among all threads, its own kernel
 * threads included (tid 2 is its idle thread), so a word holding 2 made
 * FUTEX_LOCK_PI sleep until the timeout (forever without one). Linux says
 * EPERM for its kernel thread 2 (kthreadd) and ESRCH for a tid nobody has;
 * Skiff's kernel threads are not the program's, so it says ESRCH as for an
 * owner that exited. Printed: whether the call failed with one of these
 * without waiting out its 2 s timeout.
 */
#include <sys/syscall.h>
#include <time.h>
#include "check.h"

#define FUTEX_LOCK_PI 6
#define FUTEX_TRYLOCK_PI 8

static void try(const char *what, unsigned tid, int op)
{
	static unsigned word;
	struct timespec t;

	word = tid;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += 2;
	errno = 0;
	long r = syscall(SYS_futex, &word, op, 0, &t, NULL, 0);
	yes(what, r == -1 && (errno == ESRCH || errno == EPERM));
}

int main(void)
{
	try("LOCK_PI, owner tid 2: fails at once", 2, FUTEX_LOCK_PI);
	try("TRYLOCK_PI, owner tid 2: fails at once", 2, FUTEX_TRYLOCK_PI);
	try("LOCK_PI, owner tid 0x3ffffff0: fails at once", 0x3ffffff0, FUTEX_LOCK_PI);
	return 0;
}

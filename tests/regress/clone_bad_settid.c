/*
 * clone_bad_settid: clone(2) of a thread whose CLONE_PARENT_SETTID or
 * CLONE_CHILD_SETTID pointer is a kernel-half or unmapped address behaves
 * as on Linux: the thread is created and runs, clone returns its tid, and
 * the write through the bad pointer is simply not done (Linux ignores that
 * error). Reproducer: Skiff failed the clone with EFAULT.
 */
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include "check.h"
#include "kabi.h"

#define STACK_SIZE (64 * 1024)

static char stack[STACK_SIZE] __attribute__((aligned(16)));
static int ctid;
static volatile int ran;

static int child(void *arg)
{
	(void)arg;
	__atomic_store_n(&ran, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static void try(const char *what, int *pt, int *ct)
{
	unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			      CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID |
			      CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;

	ran = 0;
	ctid = -1;
	long tid = k_clone(flags, stack + STACK_SIZE, pt, ct ? ct : &ctid, NULL,
			   child, NULL);
	if (tid < 0) {
		say("%s: clone = -1 %s", what, errname(-tid));
		return;
	}
	yes(what, tid > 0);
	yes("  the thread ran", WAIT_FOR(__atomic_load_n(&ran, __ATOMIC_SEQ_CST)));
	if (!ct)
		k_clone_wait(&ctid);
	else
		sleep_ms(20); /* no CLEARTID word to wait on: let it exit */
}

int main(void)
{
	int *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	munmap(gone, 4096);
	try("PARENT_SETTID kernel-half: clone returned a tid",
	    (int *)0xffffffff81000000ul, NULL);
	try("PARENT_SETTID unmapped: clone returned a tid", gone, NULL);
	try("PARENT_SETTID read-only: clone returned a tid", ro, NULL);
	say("  the read-only word: %d", *ro);
	try("CHILD_SETTID and CLEARTID kernel-half: clone returned a tid", &ctid,
	    (int *)0xffffffff81000000ul);
	return 0;
}

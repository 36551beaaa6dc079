/*
 * futex_wake_efault: FUTEX_WAKE and its relatives on a word that is not
 * there fail with EFAULT as on Linux: a shared futex needs the page mapped
 * (Linux looks it up), a private one only a program address. Reproducer:
 * Skiff returned 0 (nobody woken) for every address, even kernel ones.
 */
#include <sys/mman.h>
#include <sys/syscall.h>
#include "check.h"

/* futex(2) constants (musl has no <linux/futex.h>) */
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_WAKE_OP 5
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_REQUEUE_PRIVATE (FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG)

static void try(const char *what, void *addr, int op)
{
	errno = 0;
	long r = syscall(SYS_futex, addr, op, 1, 0, addr, 0);
	say("%s = %ld %s", what, r, r < 0 ? errname(errno) : "");
}

int main(void)
{
	void *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *kernel = (void *)0xffffffff81000000ul;
	static int here;

	munmap(gone, 4096);
	try("WAKE unmapped", gone, FUTEX_WAKE);
	try("WAKE_PRIVATE unmapped", gone, FUTEX_WAKE_PRIVATE);
	try("WAKE PROT_NONE", none, FUTEX_WAKE);
	try("WAKE NULL", NULL, FUTEX_WAKE);
	try("WAKE kernel", kernel, FUTEX_WAKE);
	try("WAKE_PRIVATE kernel", kernel, FUTEX_WAKE_PRIVATE);
	try("WAKE misaligned", (char *)&here + 1, FUTEX_WAKE);
	try("WAKE mapped", &here, FUTEX_WAKE);
	try("WAKE_PRIVATE mapped", &here, FUTEX_WAKE_PRIVATE);
	try("REQUEUE unmapped", gone, FUTEX_REQUEUE);
	try("REQUEUE_PRIVATE kernel", kernel, FUTEX_REQUEUE_PRIVATE);
	try("WAKE_OP unmapped", gone, FUTEX_WAKE_OP);
	return 0;
}

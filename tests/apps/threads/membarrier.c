/*
 * membarrier: MEMBARRIER_CMD_QUERY lists the commands (the ones glibc and
 * runtimes use are checked one by one); PRIVATE_EXPEDITED is EPERM until
 * the process registers, then works, also with other threads running;
 * GLOBAL works; unknown commands and flags are EINVAL.
 */
#include <pthread.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)
#define CMD_QUERY 0
#define CMD_GLOBAL 1
#define CMD_PRIVATE_EXPEDITED 8
#define CMD_REGISTER_PRIVATE_EXPEDITED 16

static volatile int quit;

static void *spin(void *arg)
{
	while (!quit)
		;
	return arg;
}

int main(void)
{
	long q = SYS(SYS_membarrier, CMD_QUERY, 0, 0);
	pthread_t t;

	yes("QUERY succeeds", q >= 0);
	say("  GLOBAL %d, PRIVATE_EXPEDITED %d, REGISTER_PRIVATE_EXPEDITED %d", !!(q & CMD_GLOBAL),
	    !!(q & CMD_PRIVATE_EXPEDITED), !!(q & CMD_REGISTER_PRIVATE_EXPEDITED));
	SHOW(SYS(SYS_membarrier, CMD_PRIVATE_EXPEDITED, 0, 0));
	SHOW(SYS(SYS_membarrier, CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0));
	SHOW(SYS(SYS_membarrier, CMD_PRIVATE_EXPEDITED, 0, 0));
	pthread_create(&t, NULL, spin, NULL);
	SHOW(SYS(SYS_membarrier, CMD_PRIVATE_EXPEDITED, 0, 0));
	SHOW(SYS(SYS_membarrier, CMD_GLOBAL, 0, 0));
	quit = 1;
	pthread_join(t, NULL);
	SHOW(SYS(SYS_membarrier, 1 << 20, 0, 0));
	SHOW(SYS(SYS_membarrier, CMD_QUERY, 1, 0));
	return 0;
}

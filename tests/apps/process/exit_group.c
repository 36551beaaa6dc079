/*
 * exit_group: the raw exit_group system call ends the program at once with
 * status 42: stdio buffers are not flushed and atexit handlers do not run.
 */
#include "check.h"

static void handler(void)
{
	say("atexit handler ran (it should not)");
}

int main(void)
{
	atexit(handler);
	say("before exit_group");
	fflush(stdout);
	printf("buffered, never flushed\n");
	syscall(SYS_exit_group, 42);
	say("after exit_group (unreachable)");
	return 0;
}

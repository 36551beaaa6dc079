/*
 * exit_raw: the raw exit system call (not exit_group) from the program's
 * only thread ends the program; the status is 7 (low 8 bits of 263).
 */
#include "check.h"

int main(void)
{
	say("calling exit(263) on the only thread");
	fflush(stdout);
	syscall(SYS_exit, 263);
	say("after exit (unreachable)");
	return 0;
}

/*
 * tests/lib/probe_fork.c: the fork probe. Layer: tests (a Linux program,
 * built static by tests/lib/probe.sh and run once in Skiff).
 *
 * Says whether the kernel it runs on has processes: fork() a child that
 * exits 7, wait for it. Prints exactly one line:
 *   "fork: works"        the child ran and the parent reaped status 7
 *   "fork: ENOSYS"       fork failed with that errno (or another: its number)
 *   "fork: broken"       fork returned but the wait did not see status 7
 * The harnesses skip the tests that need processes unless it says "works"
 * (tests/lib/probe.sh); a skip is never a pass.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int st = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(7);
	if (pid < 0) {
		if (errno == ENOSYS)
			puts("fork: ENOSYS");
		else
			printf("fork: errno %d\n", errno);
		return 0;
	}
	if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7)
		puts("fork: works");
	else
		puts("fork: broken");
	return 0;
}

/*
 * ids: getpid, gettid, getppid and the user and group ids through the raw
 * system calls. Pids differ between runs, so only relations are printed;
 * the ids are printed (the harness and Skiff both run as root).
 */
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

int main(void)
{
	long pid = SYS(SYS_getpid), tid = SYS(SYS_gettid), ppid = SYS(SYS_getppid);

	yes("getpid > 0", pid > 0);
	yes("gettid == getpid on the main thread", tid == pid);
	yes("getpid stable", SYS(SYS_getpid) == pid);
	yes("getppid >= 0", ppid >= 0);
	yes("getppid != getpid", ppid != pid);
	yes("libc getpid() agrees", getpid() == pid);
	SHOW(SYS(SYS_getuid));
	SHOW(SYS(SYS_geteuid));
	SHOW(SYS(SYS_getgid));
	SHOW(SYS(SYS_getegid));
	yes("getuid == geteuid", SYS(SYS_getuid) == SYS(SYS_geteuid));
	yes("getgid == getegid", SYS(SYS_getgid) == SYS(SYS_getegid));
	return 0;
}

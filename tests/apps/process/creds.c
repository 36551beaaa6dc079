/*
 * creds: the user and group ids a server changes as it starts (memcached
 * -u, nginx's workers, sshd): setgroups, set[res][ug]id, setfs[ug]id and
 * the ids read back; then, once unprivileged, the way back refused.
 * Raw system calls, so libc's per-thread broadcast is not involved.
 */
#include <grp.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static void ids(const char *when)
{
	unsigned r, e, s, gr, ge, gs;

	SYS(SYS_getresuid, &r, &e, &s);
	SYS(SYS_getresgid, &gr, &ge, &gs);
	say("%s: uid %u %u %u gid %u %u %u getuid %ld geteuid %ld getgid %ld getegid %ld",
	    when, r, e, s, gr, ge, gs, SYS(SYS_getuid), SYS(SYS_geteuid),
	    SYS(SYS_getgid), SYS(SYS_getegid));
}

int main(void)
{
	unsigned g[4] = { 0 }, big[8];

	ids("start");
	/* Supplementary groups. */
	SHOW(SYS(SYS_setgroups, 0, NULL));
	SHOW(SYS(SYS_getgroups, 0, NULL));
	g[0] = 10, g[1] = 20, g[2] = 30;
	SHOW(SYS(SYS_setgroups, 3, g));
	SHOW(SYS(SYS_getgroups, 0, NULL));
	SHOW(SYS(SYS_getgroups, 2, big));
	SHOW(SYS(SYS_getgroups, 8, big));
	say("groups %u %u %u", big[0], big[1], big[2]);
	SHOW(SYS(SYS_setgroups, -1, g));
	SHOW(SYS(SYS_setgroups, 70000, g));
	SHOW(SYS(SYS_setgroups, 2, (void *)8));
	SHOW(SYS(SYS_getgroups, -1, big));
	SHOW(SYS(SYS_getgroups, 8, (void *)8));
	SHOW(SYS(SYS_setgroups, 0, NULL));

	/* As root: any ids. */
	SHOW(SYS(SYS_setresgid, 100, 200, 300));
	ids("setresgid 100 200 300");
	SHOW(SYS(SYS_setregid, -1, 101));
	ids("setregid -1 101");
	SHOW(SYS(SYS_setgid, 65534));
	ids("setgid 65534");
	SHOW(SYS(SYS_setfsgid, 5));
	SHOW(SYS(SYS_setfsgid, -1));
	SHOW(SYS(SYS_setuid, -1));
	SHOW(SYS(SYS_setresuid, 1000, 1000, 0));
	ids("setresuid 1000 1000 0");
	/* Unprivileged but the saved id is 0: back to 0, then down again. */
	SHOW(SYS(SYS_setresuid, -1, 0, -1));
	ids("setresuid -1 0 -1");
	SHOW(SYS(SYS_setreuid, 1000, 1001));
	ids("setreuid 1000 1001");
	/* Now nobody can become root. */
	SHOW(SYS(SYS_setuid, 0));
	SHOW(SYS(SYS_setresuid, 0, -1, -1));
	SHOW(SYS(SYS_setreuid, -1, 0));
	SHOW(SYS(SYS_setgroups, 0, NULL));
	SHOW(SYS(SYS_setgid, 0));
	SHOW(SYS(SYS_setresgid, 7, -1, -1));
	SHOW(SYS(SYS_setuid, 1000));
	ids("setuid 1000");
	SHOW(SYS(SYS_setfsuid, 0));
	SHOW(SYS(SYS_setfsuid, -1));
	SHOW(SYS(SYS_getresuid, (void *)8, big, big));
	return 0;
}

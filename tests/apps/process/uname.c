/*
 * uname: the raw uname system call: what programs test (sysname, machine,
 * a release that parses as a version, NUL-terminated fields) and EFAULT.
 * The node name and exact release are the host's, so only their shape is
 * printed.
 */
#include <sys/utsname.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static int terminated(const char *f)
{
	return memchr(f, 0, 65) != NULL;
}

int main(void)
{
	struct utsname u;
	int maj = 0, min = 0;

	memset(&u, 'x', sizeof(u));
	SHOW(SYS(SYS_uname, &u));
	say("sysname = %s", u.sysname);
	say("machine = %s", u.machine);
	yes("release parses as MAJOR.MINOR", sscanf(u.release, "%d.%d", &maj, &min) == 2);
	yes("release >= 3.2 (glibc's minimum)", maj > 3 || (maj == 3 && min >= 2));
	yes("nodename non-empty", u.nodename[0] != 0);
	yes("version non-empty", u.version[0] != 0);
	yes("all fields NUL-terminated", terminated(u.sysname) && terminated(u.nodename) &&
	    terminated(u.release) && terminated(u.version) && terminated(u.machine) &&
	    terminated(u.domainname));
	SHOW(SYS(SYS_uname, NULL));
	SHOW(SYS(SYS_uname, (void *)16));
	return 0;
}

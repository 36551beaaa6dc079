/*
 * limits: getrlimit, setrlimit and prlimit64 through the raw system calls.
 * The starting limits are the host's (the harness's shell), so the program
 * sets known values first and checks what reads back, plus the errors.
 */
#include <stdint.h>
#include <sys/resource.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

struct krlimit { uint64_t cur, max; };

static void show_lim(const char *what, long r, struct krlimit *l)
{
	if (r) {
		say("%s = -1 %s", what, errname(errno));
		return;
	}
	char cur[24] = "inf", max[24] = "inf";

	if (l->cur != UINT64_MAX)
		snprintf(cur, sizeof(cur), "%llu", (unsigned long long)l->cur);
	if (l->max != UINT64_MAX)
		snprintf(max, sizeof(max), "%llu", (unsigned long long)l->max);
	say("%s = 0: cur %s max %s", what, cur, max);
}

int main(void)
{
	struct krlimit l, old, set;
	int r;

	for (r = 0; r < RLIM_NLIMITS; r++) {
		SYS(SYS_getrlimit, r, &l);
		if (l.cur > l.max)
			say("resource %d: cur > max", r);
	}
	SHOW(SYS(SYS_getrlimit, RLIMIT_STACK, &l));
	yes("stack limit >= 1 MB or infinite", l.cur >= (1 << 20));
	SHOW(SYS(SYS_getrlimit, RLIMIT_NOFILE, &l));
	yes("nofile limit >= 64", l.cur >= 64);

	/* lowering is always allowed; any host allows 512 descriptors */
	set.cur = 256;
	set.max = 512;
	show_lim("prlimit64(0, NOFILE, {256, 512}, &old)",
		 SYS(SYS_prlimit64, 0, RLIMIT_NOFILE, &set, &old), &set);
	show_lim("getrlimit(NOFILE)", SYS(SYS_getrlimit, RLIMIT_NOFILE, &l), &l);
	show_lim("prlimit64(getpid(), NOFILE, NULL, &l)",
		 SYS(SYS_prlimit64, getpid(), RLIMIT_NOFILE, NULL, &l), &l);
	SHOW(SYS(SYS_dup2, 0, 255));
	SHOW(SYS(SYS_dup2, 0, 256));
	SHOW(SYS(SYS_fcntl, 0, F_DUPFD, 300));
	SHOW(SYS(SYS_close, 255));
	set.cur = 1024;
	set.max = 512;
	show_lim("setrlimit(NOFILE, {1024, 512})", SYS(SYS_setrlimit, RLIMIT_NOFILE, &set), &set);
	set.cur = 100;
	set.max = 100;
	show_lim("setrlimit(NOFILE, {100, 100})", SYS(SYS_setrlimit, RLIMIT_NOFILE, &set), &set);
	show_lim("getrlimit(NOFILE)", SYS(SYS_getrlimit, RLIMIT_NOFILE, &l), &l);

	/* lowering the hard limit needs no privilege, raising it would */
	set.cur = 0;
	set.max = 0;
	show_lim("setrlimit(CORE, {0, 0})", SYS(SYS_setrlimit, RLIMIT_CORE, &set), &set);
	show_lim("getrlimit(CORE)", SYS(SYS_getrlimit, RLIMIT_CORE, &l), &l);
	set.cur = 4096;
	show_lim("prlimit64(0, CORE, {4096, 0}, &old)",
		 SYS(SYS_prlimit64, 0, RLIMIT_CORE, &set, &old), &old);

	SHOW(SYS(SYS_getrlimit, 99, &l));
	SHOW(SYS(SYS_getrlimit, RLIMIT_STACK, NULL));
	SHOW(SYS(SYS_prlimit64, 0, 99, NULL, &l));
	SHOW(SYS(SYS_prlimit64, 0, RLIMIT_STACK, (void *)16, NULL));
	SHOW(SYS(SYS_prlimit64, 0, RLIMIT_STACK, NULL, (void *)16));
	SHOW(SYS(SYS_prlimit64, 0x3fffffff, RLIMIT_STACK, NULL, &l));
	SHOW(SYS(SYS_prlimit64, -5, RLIMIT_STACK, NULL, &l));
	SHOW(SYS(SYS_prlimit64, 0, RLIMIT_STACK, NULL, NULL));
	(void)old;
	return 0;
}

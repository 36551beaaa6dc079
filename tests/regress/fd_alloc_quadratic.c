/*
 * fd_alloc_quadratic: filling the fd table up to a raised RLIMIT_NOFILE
 * must cost linear time overall. Reproducer (issue 8, item 10): fd
 * allocation scanned the table from 0 for every new fd, so opening
 * 260,000 fds took 200 s, and each reuse of the top fd after that cost
 * a scan of the whole table (the harness's timeout ends such a run). The
 * soft limit goes to min(hard, 260000): each side fills its own limit and
 * prints only whether the fds came out in order and stopped with EMFILE
 * exactly at it.
 */
#include <sys/resource.h>
#include "check.h"

#define WANT 260000

int main(void)
{
	struct rlimit rl;
	long n = 0, bad = 0, fd;

	getrlimit(RLIMIT_NOFILE, &rl);
	for (fd = 3; fd < (long)rl.rlim_cur; fd++) /* inherited ones */
		close(fd);
	rl.rlim_cur = rl.rlim_max < WANT ? rl.rlim_max : WANT;
	SHOW(setrlimit(RLIMIT_NOFILE, &rl));
	for (;;) {
		fd = dup(0);
		if (fd < 0)
			break;
		bad += fd != 3 + n;
		n++;
	}
	say("dup stopped with %s", errname(errno));
	yes("fds handed out in order", bad == 0);
	yes("every fd below the limit used", 3 + n == (long)rl.rlim_cur);
	/* A server's pattern at the limit: the newest fd closes, a new one
	 * takes its place, n times. */
	bad = 0;
	for (long i = 0; i < n; i++) {
		close(3 + n - 1);
		bad += dup(0) != 3 + n - 1;
	}
	yes("the freed top fd reused each time", bad == 0);
	/* Free one low and one high fd: the lowest comes back first. */
	close(100);
	close(3 + n - 1);
	SHOW(dup(0));
	SHOW(dup(0) == 3 + n - 1);
	for (fd = 3; fd < 3 + n; fd++)
		close(fd);
	SHOW(dup(0));
	return 0;
}

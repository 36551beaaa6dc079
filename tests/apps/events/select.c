/*
 * select: select and pselect6 through the raw system calls: readiness of
 * pipe ends in the three sets, the timeval left written back, a pending
 * blocked signal taken when pselect6's mask unblocks it, a descriptor set
 * with a closed descriptor (EBADF), negative nfds (EINVAL), and a wait
 * ended by another thread's write.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/select.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static volatile int handled;
static int p[2];

static void handler(int sig)
{
	handled = sig;
}

static void *late_writer(void *arg)
{
	sleep_ms(20);
	if (write(p[1], "z", 1) != 1)
		say("write failed");
	return arg;
}

static void sets(const char *what, int nfds)
{
	fd_set r, w, e;
	struct timeval tv = { 0, 0 };
	long n;

	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&e);
	FD_SET(p[0], &r);
	FD_SET(p[1], &r);
	FD_SET(p[0], &w);
	FD_SET(p[1], &w);
	FD_SET(p[0], &e);
	FD_SET(p[1], &e);
	n = SYS(SYS_select, nfds, &r, &w, &e, &tv);
	say("%s: select = %ld; read: %d %d, write: %d %d, except: %d %d", what, n,
	    FD_ISSET(p[0], &r), FD_ISSET(p[1], &r), FD_ISSET(p[0], &w), FD_ISSET(p[1], &w),
	    FD_ISSET(p[0], &e), FD_ISSET(p[1], &e));
}

int main(void)
{
	fd_set r;
	struct timeval tv = { 0, 20000 };
	struct timespec ts = { 5, 0 };
	sigset_t block, none;
	struct { const sigset_t *ss; size_t len; } mask = { &none, 8 }, bad = { &none, 4 };
	pthread_t t;
	int fd;

	if (pipe(p))
		return 1;
	signal(SIGUSR1, handler);
	sets("empty pipe", p[1] + 1);
	if (write(p[1], "ab", 2) != 2)
		return 1;
	sets("2 bytes in", p[1] + 1);
	sets("nfds leaves out the write end", p[1]);
	char c[2];
	if (read(p[0], c, 2) != 2)
		return 1;

	FD_ZERO(&r);
	FD_SET(p[0], &r);
	SHOW(SYS(SYS_select, p[0] + 1, &r, NULL, NULL, &tv));
	say("  timeval left %ld.%06ld, read set %d", (long)tv.tv_sec, (long)tv.tv_usec,
	    FD_ISSET(p[0], &r));

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	FD_SET(p[0], &r);
	SHOW(SYS(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &ts, &mask));
	say("  handler ran %d", handled);
	SHOW(SYS(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &ts, &bad));

	FD_ZERO(&r);
	FD_SET(p[0], &r);
	pthread_create(&t, NULL, late_writer, NULL);
	SHOW(SYS(SYS_select, p[0] + 1, &r, NULL, NULL, NULL));
	pthread_join(t, NULL);
	say("  read set %d", FD_ISSET(p[0], &r));

	fd = dup(0);
	close(fd);
	FD_ZERO(&r);
	FD_SET(fd, &r);
	SHOW(SYS(SYS_select, fd + 1, &r, NULL, NULL, &tv));
	SHOW(SYS(SYS_select, -1, NULL, NULL, NULL, &tv));
	tv.tv_usec = -1;
	SHOW(SYS(SYS_select, 0, NULL, NULL, NULL, &tv));
	return 0;
}

/*
 * read_efault_eats_data: a read into a bad buffer must fail with EFAULT
 * and lose nothing. Reproducer (issue 8, item 5): a read into a
 * kernel-half buffer returned EFAULT but had already taken the eventfd
 * counter, the timerfd expirations or the queued signalfd signal; readv
 * with a bad second segment returned 1 instead of EFAULT; a read or write
 * whose length wraps around the address space was accepted.
 */
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include "check.h"

#define KBUF ((void *)0xffff800000001000ul)	/* kernel half */
#define WRAP ((size_t)-4096)			/* buf + len wraps */

static void eventfd_case(void)
{
	uint64_t v = 0;
	int fd = eventfd(5, EFD_NONBLOCK);

	SHOW(read(fd, KBUF, 8));
	SHOW(syscall(SYS_read, fd, &v, WRAP));
	SHOW(read(fd, &v, 8));
	say("eventfd counter kept: %llu", (unsigned long long)v);
	close(fd);
}

static void timerfd_case(void)
{
	struct itimerspec it = { { 0, 0 }, { 0, 1000000 } };
	uint64_t n = 0;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	struct pollfd pfd = { fd, POLLIN, 0 };

	timerfd_settime(fd, 0, &it, NULL);
	poll(&pfd, 1, -1); /* until it fired */
	SHOW(read(fd, KBUF, 8));
	SHOW(read(fd, &n, 8));
	say("timerfd expirations kept: %llu", (unsigned long long)n);
	close(fd);
}

static void signalfd_case(void)
{
	struct signalfd_siginfo si;
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = signalfd(-1, &set, SFD_NONBLOCK);
	raise(SIGUSR1);
	SHOW(read(fd, KBUF, sizeof(si)));
	memset(&si, 0, sizeof(si));
	SHOW(read(fd, &si, sizeof(si)));
	say("signalfd signal kept: %s", si.ssi_signo == SIGUSR1 ? "SIGUSR1" :
					 "none");
	close(fd);
}

static void vector_case(void)
{
	char a[4], b[4];
	int p[2];
	struct iovec iov[2] = { { a, sizeof(a) }, { KBUF, 4 } };

	pipe(p);
	write(p[1], "abcdefgh", 8);
	SHOW(readv(p[0], iov, 2));
	iov[1].iov_base = b;
	SHOW(readv(p[0], iov, 2));
	say("pipe data kept: %.4s%.4s", a, b);
	SHOW(syscall(SYS_write, p[1], "x", WRAP));
	SHOW(write(p[1], KBUF, 1));
	SHOW(syscall(SYS_read, p[0], a, WRAP));
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	eventfd_case();
	timerfd_case();
	signalfd_case();
	vector_case();
	return 0;
}

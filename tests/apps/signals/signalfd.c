/*
 * signalfd: signalfd4 through the raw system call: blocked signals are
 * read as 128-byte signalfd_siginfo records (signo, code, pid, the value
 * of a sigqueue), several in one read; the mask of an existing signalfd
 * can be changed; poll and epoll see it readable; reading takes the
 * signal off the pending set; EAGAIN when empty; errors for short
 * buffers, bad flags and descriptors that are not signalfds.
 */
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static void rd(int fd, size_t len)
{
	struct signalfd_siginfo si[3];
	long r = read(fd, si, len);

	if (r < 0) {
		say("  read(%zu) = -1 %s", len, errname(errno));
		return;
	}
	say("  read(%zu) = %ld", len, r);
	for (long i = 0; i < r / (long)sizeof(si[0]); i++)
		say("    signo %u code %d pid-is-ours %d int %d", si[i].ssi_signo, si[i].ssi_code,
		    si[i].ssi_pid == (unsigned)getpid(), si[i].ssi_int);
}

int main(void)
{
	sigset_t m, p;
	int fd, ep;
	struct pollfd pf;
	struct epoll_event e = { .events = EPOLLIN }, got;

	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigprocmask(SIG_BLOCK, &m, NULL);
	fd = SYS(SYS_signalfd4, -1, &m, 8, SFD_NONBLOCK);
	yes("signalfd4(-1, {USR1}, NONBLOCK)", fd >= 0);
	say("  sizeof(struct signalfd_siginfo) %zu", sizeof(struct signalfd_siginfo));
	rd(fd, 128);
	raise(SIGUSR1);
	pf = (struct pollfd){ .fd = fd, .events = POLLIN };
	SHOW(poll(&pf, 1, 0));
	ep = epoll_create1(0);
	SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e));
	SHOW(epoll_wait(ep, &got, 1, 0));
	rd(fd, 127);
	rd(fd, 128);
	sigpending(&p);
	yes("  USR1 no longer pending", !sigismember(&p, SIGUSR1));
	SHOW(poll(&pf, 1, 0));

	sigaddset(&m, SIGUSR2);
	sigprocmask(SIG_BLOCK, &m, NULL);
	SHOW(SYS(SYS_signalfd4, fd, &m, 8, 0) == fd);
	kill(getpid(), SIGUSR2);
	sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 31337 });
	rd(fd, 3 * 128);

	SHOW(SYS(SYS_signalfd4, -1, &m, 4, 0));
	SHOW(SYS(SYS_signalfd4, -1, &m, 8, 0x1234));
	SHOW(SYS(SYS_signalfd4, ep, &m, 8, 0));
	SHOW(SYS(SYS_signalfd4, -1, NULL, 8, 0));
	return 0;
}

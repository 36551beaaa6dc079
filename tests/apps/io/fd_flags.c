/*
 * fd_flags: O_CLOEXEC and O_NONBLOCK on every kind of descriptor the
 * event calls make: pipe2, eventfd2, timerfd_create, signalfd4,
 * epoll_create1, dup3, F_DUPFD_CLOEXEC and open; what F_GETFD and
 * F_GETFL read back (access mode and O_NONBLOCK), F_SETFL turning
 * O_NONBLOCK on and off (a read that would block gives EAGAIN only while
 * it is on), F_SETFD, and flags that are not allowed.
 */
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static void show(const char *what, int fd)
{
	int fl, fdf;

	if (fd < 0) {
		say("%-34s = -1 %s", what, errname(errno));
		return;
	}
	fdf = fcntl(fd, F_GETFD);
	fl = fcntl(fd, F_GETFL);
	say("%-34s: cloexec %d, accmode %d, nonblock %d", what, fdf & FD_CLOEXEC, fl & O_ACCMODE,
	    !!(fl & O_NONBLOCK));
}

int main(void)
{
	int p[2], q[2];
	sigset_t m;
	char c;

	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigprocmask(SIG_BLOCK, &m, NULL);
	if (SYS(SYS_pipe2, p, O_CLOEXEC | O_NONBLOCK) || SYS(SYS_pipe2, q, 0))
		return 1;
	show("pipe2 CLOEXEC|NONBLOCK read end", p[0]);
	show("pipe2 CLOEXEC|NONBLOCK write end", p[1]);
	show("pipe2 0 read end", q[0]);
	show("pipe2 0 write end", q[1]);
	SHOW(SYS(SYS_pipe2, q, O_RDWR));
	show("eventfd2 CLOEXEC|NONBLOCK", SYS(SYS_eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK));
	show("eventfd2 0", SYS(SYS_eventfd2, 0, 0));
	show("timerfd CLOEXEC|NONBLOCK", SYS(SYS_timerfd_create, CLOCK_MONOTONIC,
					     TFD_CLOEXEC | TFD_NONBLOCK));
	show("timerfd 0", SYS(SYS_timerfd_create, CLOCK_MONOTONIC, 0));
	show("signalfd4 CLOEXEC|NONBLOCK", SYS(SYS_signalfd4, -1, &m, 8,
					       SFD_CLOEXEC | SFD_NONBLOCK));
	show("epoll_create1 CLOEXEC", SYS(SYS_epoll_create1, EPOLL_CLOEXEC));
	show("epoll_create1 0", SYS(SYS_epoll_create1, 0));
	show("dup3 O_CLOEXEC", SYS(SYS_dup3, q[0], 50, O_CLOEXEC));
	show("dup3 0", SYS(SYS_dup3, q[0], 51, 0));
	show("dup3 O_NONBLOCK", SYS(SYS_dup3, q[0], 52, O_NONBLOCK));
	show("F_DUPFD_CLOEXEC", fcntl(q[0], F_DUPFD_CLOEXEC, 60));
	show("dup of a CLOEXEC descriptor", dup(p[0]));
	show("open O_CLOEXEC|O_NONBLOCK", open("/dev/null", O_RDONLY | O_CLOEXEC | O_NONBLOCK));
	show("open O_WRONLY", open("/dev/null", O_WRONLY));

	SHOW(read(q[0], &c, 0));
	SHOW(fcntl(q[0], F_SETFL, O_NONBLOCK));
	SHOW(read(q[0], &c, 1));
	show("  after F_SETFL O_NONBLOCK", q[0]);
	show("  the dup3 copy shares it", 51);
	SHOW(fcntl(q[0], F_SETFL, 0));
	show("  after F_SETFL 0", q[0]);
	SHOW(fcntl(q[0], F_SETFL, O_NONBLOCK | O_WRONLY));
	show("  F_SETFL cannot change the access mode", q[0]);
	SHOW(fcntl(q[0], F_SETFD, FD_CLOEXEC));
	show("  after F_SETFD FD_CLOEXEC", q[0]);
	show("  its dup3 copy keeps its own", 51);
	return 0;
}

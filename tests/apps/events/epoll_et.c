/*
 * epoll_et: edge-triggered and one-shot epoll on pipes: EPOLLET reports a
 * readable pipe once, then again only after more data arrives (even if
 * the first data was not read); EPOLLOUT edges on the write end;
 * EPOLLONESHOT reports once until EPOLL_CTL_MOD re-arms it; EPOLLEXCLUSIVE
 * may be added but not modified; maxevents limits one wait.
 */
#include <sys/epoll.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static void wait0(const char *what, int ep)
{
	struct epoll_event ev[4];
	long n = SYS(SYS_epoll_wait, ep, ev, 4, 0);

	printf("%s: epoll_wait = %ld", what, n);
	for (long i = 0; i < n; i++)
		printf(" {events %#x data %llu}", ev[i].events, (unsigned long long)ev[i].data.u64);
	printf("\n");
}

static long ctl(int ep, int op, int fd, unsigned events, unsigned long long data)
{
	struct epoll_event e = { .events = events, .data.u64 = data };

	return SYS(SYS_epoll_ctl, ep, op, fd, &e);
}

int main(void)
{
	int ep = SYS(SYS_epoll_create1, 0), p[2], q[2], r[3][2];
	struct epoll_event ev[4];
	char buf[65536];

	if (pipe(p) || pipe(q))
		return 1;
	SHOW(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET, 1));
	wait0("ET, empty", ep);
	if (write(p[1], "a", 1) != 1)
		return 1;
	wait0("ET, 1 byte in", ep);
	wait0("ET, again without reading", ep);
	if (write(p[1], "b", 1) != 1)
		return 1;
	wait0("ET, 1 more byte in", ep);
	if (read(p[0], buf, 2) != 2)
		return 1;
	wait0("ET, after reading", ep);
	SHOW(ctl(ep, EPOLL_CTL_DEL, p[0], 0, 0));

	SHOW(ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT | EPOLLET, 2));
	wait0("ET write end", ep);
	wait0("ET write end again", ep);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	while (write(p[1], buf, sizeof(buf)) > 0)
		;
	wait0("ET write end, full", ep);
	if (read(p[0], buf, sizeof(buf)) <= 0)
		return 1;
	wait0("ET write end, drained", ep);
	SHOW(ctl(ep, EPOLL_CTL_DEL, p[1], 0, 0));

	SHOW(ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN | EPOLLONESHOT, 3));
	if (write(q[1], "x", 1) != 1)
		return 1;
	wait0("ONESHOT, 1 byte in", ep);
	wait0("ONESHOT, again", ep);
	if (write(q[1], "y", 1) != 1)
		return 1;
	wait0("ONESHOT, more data", ep);
	SHOW(ctl(ep, EPOLL_CTL_MOD, q[0], EPOLLIN | EPOLLONESHOT, 4));
	wait0("ONESHOT, re-armed by MOD", ep);
	SHOW(ctl(ep, EPOLL_CTL_MOD, q[0], EPOLLIN | EPOLLET | EPOLLONESHOT, 5));
	wait0("ET|ONESHOT, re-armed", ep);
	wait0("ET|ONESHOT, again", ep);
	SHOW(ctl(ep, EPOLL_CTL_DEL, q[0], 0, 0));

	SHOW(ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN | EPOLLEXCLUSIVE, 6));
	SHOW(ctl(ep, EPOLL_CTL_MOD, q[0], EPOLLIN | EPOLLEXCLUSIVE, 6));
	SHOW(ctl(ep, EPOLL_CTL_MOD, q[0], EPOLLIN, 6));
	SHOW(ctl(ep, EPOLL_CTL_DEL, q[0], 0, 0));
	SHOW(ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, 6));

	for (int i = 0; i < 3; i++) {
		if (pipe(r[i]) || write(r[i][1], "r", 1) != 1)
			return 1;
		ctl(ep, EPOLL_CTL_ADD, r[i][0], EPOLLIN, 10 + i);
	}
	SHOW(SYS(SYS_epoll_wait, ep, ev, 2, 0));
	SHOW(SYS(SYS_epoll_wait, ep, ev, 4, 0));
	return 0;
}

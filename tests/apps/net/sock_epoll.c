/*
 * sock_epoll: readiness of AF_UNIX sockets through poll, select and
 * epoll: level and edge triggered (EPOLLET: one event per write),
 * EPOLLRDHUP and EPOLLHUP after shutdown and close, EPOLLOUT coming back
 * once a full socket drains, a listener becoming readable on connect,
 * EPOLLEXCLUSIVE and EPOLLONESHOT; a reader thread woken by a writer.
 */
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "check.h"

static void wait_show(int ep, const char *what)
{
	struct epoll_event ev[4];
	int n = epoll_wait(ep, ev, 4, 0);

	printf("  %s: %d", what, n);
	for (int i = 0; i < n; i++)
		printf(" [%lu %#x]", (unsigned long)ev[i].data.u64, ev[i].events);
	printf("\n");
}

static void edge(void)
{
	int sv[2], ep = epoll_create1(0);
	struct epoll_event ev = { EPOLLIN | EPOLLET | EPOLLRDHUP, { .u64 = 1 } };
	char buf[64];

	say("edge-triggered:");
	SHOW(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
	SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev));
	wait_show(ep, "empty");
	SHOW(write(sv[0], "a", 1));
	wait_show(ep, "after a write");
	wait_show(ep, "again");
	SHOW(write(sv[0], "b", 1));
	wait_show(ep, "second write");
	SHOW(read(sv[1], buf, sizeof(buf)));
	SHOW(read(sv[1], buf, sizeof(buf)));
	wait_show(ep, "drained");
	SHOW(shutdown(sv[0], SHUT_WR));
	wait_show(ep, "peer SHUT_WR");
	wait_show(ep, "again");
	SHOW(close(sv[0]));
	wait_show(ep, "peer closed");
	close(sv[1]);
	close(ep);
}

static void level(void)
{
	int sv[2], ep = epoll_create1(0);
	struct epoll_event ev = { EPOLLIN | EPOLLOUT | EPOLLRDHUP, { .u64 = 2 } };
	static char big[4096];
	long n = 0;

	say("level-triggered:");
	SHOW(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
	SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev));
	wait_show(ep, "fresh");
	wait_show(ep, "again");
	while (write(sv[0], big, sizeof(big)) > 0)
		n++;
	say("  full after many writes: %s", n > 10 ? "yes" : "no");
	wait_show(ep, "full");
	while (read(sv[1], big, sizeof(big)) > 0)
		;
	wait_show(ep, "drained");
	SHOW(shutdown(sv[0], SHUT_RD));
	wait_show(ep, "own SHUT_RD");
	SHOW(shutdown(sv[0], SHUT_WR));
	wait_show(ep, "own SHUT_RDWR");
	close(sv[0]);
	close(sv[1]);
	close(ep);
}

static void listener(void)
{
	struct sockaddr_un a = { AF_UNIX, "" };
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + 12;
	int s = socket(AF_UNIX, SOCK_STREAM, 0), c, ep = epoll_create1(0);
	struct epoll_event ev = { EPOLLIN | EPOLLEXCLUSIVE, { .u64 = 3 } };
	struct epoll_event one = { EPOLLIN | EPOLLONESHOT, { .u64 = 4 } };
	struct pollfd p = { s, POLLIN | POLLOUT, 0 };
	fd_set r;
	struct timeval tv = { 0, 0 };

	say("listener:");
	strcpy(a.sun_path + 1, "skiff-epoll");
	SHOW(bind(s, (void *)&a, len));
	SHOW(listen(s, 4));
	SHOW(poll(&p, 1, 0));
	say("  revents %#x", p.revents);
	SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
	wait_show(ep, "no client");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	SHOW(connect(c, (void *)&a, len));
	wait_show(ep, "client waiting");
	SHOW(poll(&p, 1, 0));
	say("  revents %#x", p.revents);
	FD_ZERO(&r);
	FD_SET(s, &r);
	SHOW(select(s + 1, &r, NULL, NULL, &tv));
	SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, c, &one));
	SHOW(write(c, "x", 1));
	close(accept(s, NULL, NULL));
	wait_show(ep, "accepted and peer closed");
	wait_show(ep, "oneshot fired already");
	close(c);
	close(s);
	close(ep);
}

static void *reader(void *arg)
{
	char buf[8] = { 0 };
	long n = read(*(int *)arg, buf, sizeof(buf) - 1);

	return n == 5 && !strcmp(buf, "wake!") ? "ok" : "bad";
}

static void blocking(void)
{
	int sv[2];
	pthread_t t;
	void *res;

	say("blocking reader:");
	SHOW(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pthread_create(&t, NULL, reader, &sv[1]);
	sleep_ms(50);
	SHOW(write(sv[0], "wake!", 5));
	pthread_join(t, &res);
	say("  reader: %s", (char *)res);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	edge();
	level();
	listener();
	blocking();
	return 0;
}

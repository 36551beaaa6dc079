/*
 * tcp_backlog: the listen backlog over 127.0.0.1. With listen(fd, 0) one
 * connection waits in the accept queue; the next one's SYN is dropped, so
 * a blocking connect with SO_SNDTIMEO gives up with EINPROGRESS (still
 * connecting: no POLLOUT yet); once the first is accepted, the retried
 * SYN gets through: POLLOUT, connect completes (0, then EISCONN), and
 * accept returns it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include "check.h"

static void show_poll(const char *what, int fd, int timeout)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	int n = poll(&p, 1, timeout);

	say("%s: poll = %d revents %#x", what, n, p.revents);
}

int main(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { 0, 200000 };
	socklen_t len = sizeof(sa);
	int l, c1, c2, a1, a2, e = -1;
	socklen_t el = sizeof(e);

	signal(SIGPIPE, SIG_IGN);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	SHOW(bind(l, (struct sockaddr *)&sa, sizeof(sa)));
	SHOW(listen(l, 0));
	getsockname(l, (struct sockaddr *)&sa, &len);
	c1 = socket(AF_INET, SOCK_STREAM, 0);
	SHOW(connect(c1, (struct sockaddr *)&sa, sizeof(sa)));
	c2 = socket(AF_INET, SOCK_STREAM, 0);
	SHOW(setsockopt(c2, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	SHOW(connect(c2, (struct sockaddr *)&sa, sizeof(sa)));
	SHOW(getsockopt(c2, SOL_SOCKET, SO_ERROR, &e, &el));
	say("SO_ERROR %d", e);
	show_poll("second, queue full", c2, 0);
	a1 = accept(l, NULL, NULL);
	yes("first accepted", a1 >= 0);
	show_poll("second, after an accept", c2, 20000);
	SHOW(connect(c2, (struct sockaddr *)&sa, sizeof(sa)));
	SHOW(connect(c2, (struct sockaddr *)&sa, sizeof(sa)));
	a2 = accept(l, NULL, NULL);
	yes("second accepted", a2 >= 0);
	SHOW(send(c2, "x", 1, 0));
	char b;
	SHOW(recv(a2, &b, 1, 0));
	SHOW(listen(l, 5));
	close(a1);
	close(a2);
	close(c1);
	close(c2);
	close(l);
	return 0;
}

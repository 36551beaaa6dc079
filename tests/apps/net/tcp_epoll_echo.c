/*
 * tcp_epoll_echo: an edge-triggered epoll echo server (one thread, every
 * socket nonblocking, EPOLLIN|EPOLLRDHUP|EPOLLET) serving 100 clients of
 * another thread over 127.0.0.1: all connect first, then each sends a
 * line, reads its echo and closes. The server drains accept and read
 * until EAGAIN on each event, and closes a connection at EOF.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "check.h"

#define CLIENTS 100

static int lfd, ep;
static int accepted, closed_eof, echoed_bytes, rdhup_seen;

static void *server(void *arg)
{
	struct epoll_event evs[32];
	char buf[512];

	while (closed_eof < CLIENTS) {
		int n = epoll_wait(ep, evs, 32, 20000);

		if (n <= 0)
			break;
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == lfd) {
				int c;

				while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					struct epoll_event e = {
						.events = EPOLLIN | EPOLLRDHUP | EPOLLET,
						.data.fd = c,
					};
					accepted++;
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
				}
				continue;
			}
			if (evs[i].events & EPOLLRDHUP)
				rdhup_seen++;
			for (;;) {
				ssize_t r = read(fd, buf, sizeof(buf));

				if (r > 0) {
					echoed_bytes += (int)write(fd, buf, (size_t)r);
					continue;
				}
				if (r == 0) {
					closed_eof++;
					close(fd);
				}
				break;
			}
		}
	}
	return arg;
}

int main(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int c[CLIENTS], ok = 0, connected = 0;
	pthread_t t;

	signal(SIGPIPE, SIG_IGN);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	SHOW(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)));
	SHOW(listen(lfd, 128));
	getsockname(lfd, (struct sockaddr *)&sa, &len);
	ep = epoll_create1(0);
	struct epoll_event e = { .events = EPOLLIN | EPOLLET, .data.fd = lfd };
	SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &e));
	pthread_create(&t, NULL, server, NULL);

	for (int i = 0; i < CLIENTS; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(c[i], (struct sockaddr *)&sa, sizeof(sa)) == 0)
			connected++;
	}
	say("connected: %d", connected);
	for (int i = 0; i < CLIENTS; i++) {
		char msg[64], back[64];
		int n = snprintf(msg, sizeof(msg), "hello from client %d\n", i);
		int got = 0;

		if (write(c[i], msg, (size_t)n) != n)
			continue;
		while (got < n) {
			ssize_t r = read(c[i], back + got, (size_t)(n - got));
			if (r <= 0)
				break;
			got += (int)r;
		}
		if (got == n && !memcmp(msg, back, (size_t)n))
			ok++;
		close(c[i]);
	}
	say("echoes right: %d", ok);
	pthread_join(t, NULL);
	say("server: accepted %d, closed at EOF %d", accepted, closed_eof);
	yes("server echoed every byte", echoed_bytes > 0);
	yes("EPOLLRDHUP came with EOFs", rdhup_seen > 0);
	close(ep);
	close(lfd);
	return 0;
}

/*
 * tcp_echo: a TCP server and its client in two threads, over 127.0.0.1
 * and over ::1: the listener's and both ends' addresses (getsockname,
 * getpeername, accept's), an echo of several writes, a 4 MiB transfer
 * checked by its byte count and checksum, and a half-close (the client
 * shuts its sending side and still reads the server's answer, then EOF).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include "check.h"

#define BIG (4 << 20)

static int lfd;
static int fam;

static socklen_t loopback(int family, struct sockaddr_storage *ss, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*s);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	s6->sin6_addr = in6addr_loopback;
	return sizeof(*s6);
}

/* "family addr port?" of a sockaddr; the port is checked against want
 * (-1: only nonzero), never printed. */
static void show_addr(const char *what, struct sockaddr_storage *ss,
		      socklen_t len, int want)
{
	char buf[64] = "?";
	int port;

	if (ss->ss_family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s->sin_addr, buf, sizeof(buf));
		port = ntohs(s->sin_port);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, buf, sizeof(buf));
		port = ntohs(s6->sin6_port);
	}
	say("%s: family %d len %u addr %s port %s", what, ss->ss_family,
	    (unsigned)len, buf,
	    want < 0 ? (port ? "nonzero" : "zero") :
		       (port == want ? "as expected" : "WRONG"));
}

static int port_of(int fd, int peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static unsigned long long fnv(unsigned long long h, const unsigned char *p,
			      size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static void pattern(unsigned char *p, size_t n)
{
	unsigned x = 12345;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245 + 12345;
		p[i] = (unsigned char)(x >> 16);
	}
}

static char srv_log[8][96];

static void *server(void *arg)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	static unsigned char buf[65536];
	int c;
	ssize_t n;

	/* 1: echo until EOF */
	c = accept(lfd, (struct sockaddr *)&ss, &len);
	snprintf(srv_log[0], sizeof(srv_log[0]), "accept: %s, peer len %u",
		 c >= 0 ? "ok" : errname(errno), (unsigned)len);
	while ((n = read(c, buf, sizeof(buf))) > 0)
		if (write_all(c, (char *)buf, (size_t)n))
			break;
	snprintf(srv_log[1], sizeof(srv_log[1]), "echo server read end: %zd", n);
	close(c);

	/* 2: the big transfer: count and checksum, answered after EOF */
	c = accept(lfd, NULL, NULL);
	unsigned long long h = 14695981039346656037ull, total = 0;
	while ((n = read(c, buf, sizeof(buf))) > 0) {
		h = fnv(h, buf, (size_t)n);
		total += (unsigned long long)n;
	}
	char ans[64];
	int alen = snprintf(ans, sizeof(ans), "%llu %016llx", total, h);
	write_all(c, ans, (size_t)alen);
	close(c);

	/* 3: half-close: read the request to EOF, then answer */
	c = accept(lfd, NULL, NULL);
	size_t got = 0;
	while ((n = read(c, buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)n;
	snprintf(srv_log[2], sizeof(srv_log[2]), "half-close request: %zu bytes", got);
	write_all(c, "bye", 3);
	close(c);
	return arg;
}

static void run(int family)
{
	struct sockaddr_storage ss;
	socklen_t len;
	pthread_t t;
	int c, port;
	char buf[256];

	say("--- %s", family == AF_INET ? "127.0.0.1" : "::1");
	fam = family;
	lfd = socket(family, SOCK_STREAM, 0);
	len = loopback(family, &ss, 0);
	SHOW(bind(lfd, (struct sockaddr *)&ss, len));
	SHOW(listen(lfd, 8));
	len = sizeof(ss);
	getsockname(lfd, (struct sockaddr *)&ss, &len);
	show_addr("listener", &ss, len, -1);
	port = port_of(lfd, 0);
	memset(srv_log, 0, sizeof(srv_log));
	pthread_create(&t, NULL, server, NULL);

	/* 1: echo */
	c = socket(family, SOCK_STREAM, 0);
	len = loopback(family, &ss, port);
	SHOW(connect(c, (struct sockaddr *)&ss, len));
	len = sizeof(ss);
	SHOW(getpeername(c, (struct sockaddr *)&ss, &len));
	show_addr("client peer", &ss, len, port);
	len = sizeof(ss);
	SHOW(getsockname(c, (struct sockaddr *)&ss, &len));
	show_addr("client local", &ss, len, -1);
	size_t total = 0;
	for (int i = 0; i < 5; i++) {
		int n = snprintf(buf, sizeof(buf), "message %d", i);
		write_all(c, buf, (size_t)n);
		total += (size_t)n;
	}
	char echo[256];
	size_t got = 0;
	while (got < total) {
		ssize_t n = read(c, echo + got, total - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	echo[got] = 0;
	say("echo: %zu bytes: %s", got, echo);
	SHOW(shutdown(c, SHUT_WR));
	SHOW(read(c, buf, sizeof(buf)));
	close(c);

	/* 2: 4 MiB */
	unsigned char *big = malloc(BIG);
	pattern(big, BIG);
	c = socket(family, SOCK_STREAM, 0);
	len = loopback(family, &ss, port);
	SHOW(connect(c, (struct sockaddr *)&ss, len));
	yes("4 MiB written", write_all(c, (char *)big, BIG) == 0);
	SHOW(shutdown(c, SHUT_WR));
	got = 0;
	ssize_t n;
	while ((n = read(c, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = 0;
	char want[64];
	snprintf(want, sizeof(want), "%d %016llx", BIG,
		 fnv(14695981039346656037ull, big, BIG));
	say("server counted: %s", buf);
	yes("checksum matches", strcmp(buf, want) == 0);
	close(c);
	free(big);

	/* 3: half-close */
	c = socket(family, SOCK_STREAM, 0);
	SHOW(connect(c, (struct sockaddr *)&ss, len));
	SHOW(write(c, "request", 7));
	SHOW(shutdown(c, SHUT_WR));
	SHOW(write(c, "more", 4));
	got = 0;
	while ((n = read(c, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = 0;
	say("answer after half-close: %s (then %zd)", buf, n);
	close(c);

	pthread_join(t, NULL);
	for (int i = 0; i < 3; i++)
		say("server: %s", srv_log[i]);
	close(lfd);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	run(AF_INET);
	run(AF_INET6);
	return 0;
}

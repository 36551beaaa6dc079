/*
 * tcp_connect: connecting and binding TCP sockets over 127.0.0.1 and ::1,
 * and their errors as Linux gives them: ECONNREFUSED from a closed port
 * (blocking), a nonblocking connect refused (EINPROGRESS, poll's bits,
 * SO_ERROR once, then ECONNABORTED from connect) and one that succeeds
 * (EINPROGRESS, POLLOUT, connect again 0 then EISCONN), EADDRINUSE with
 * and without SO_REUSEADDR (against a listener even with it),
 * EADDRNOTAVAIL, EINVAL for a second bind, EAFNOSUPPORT, the names of
 * unbound and unconnected sockets, an implicit bind by listen, and
 * socket()'s own errors.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include "check.h"

static socklen_t mkaddr(int family, struct sockaddr_storage *ss,
			const char *text, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		inet_pton(AF_INET, text, &s->sin_addr);
		return sizeof(*s);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	inet_pton(AF_INET6, text, &s6->sin6_addr);
	return sizeof(*s6);
}

static int port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* A port nothing listens on: bound once, then closed. */
static int free_port(int family, const char *lo)
{
	struct sockaddr_storage ss;
	int fd = socket(family, SOCK_STREAM, 0);
	socklen_t len = mkaddr(family, &ss, lo, 0);
	int port;

	bind(fd, (struct sockaddr *)&ss, len);
	port = port_of(fd);
	close(fd);
	return port;
}

static void show_name(const char *what, int fd, int peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char buf[64] = "";
	int r = (peer ? getpeername : getsockname)(fd, (struct sockaddr *)&ss, &len);

	if (r) {
		say("%s: -1 %s", what, errname(errno));
		return;
	}
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, buf, sizeof(buf));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, buf, sizeof(buf));
	say("%s: family %d len %u %s port %s", what, ss.ss_family, (unsigned)len,
	    buf, ntohs(((struct sockaddr_in *)&ss)->sin_port) ? "nonzero" : "0");
}

static void show_poll(const char *what, int fd, int timeout)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP };
	int n = poll(&p, 1, timeout);

	say("%s: poll = %d revents %#x", what, n, p.revents);
}

static int so_error(int fd)
{
	int e = -1;
	socklen_t len = sizeof(e);

	getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
	return e;
}

static void refused(int family, const char *lo)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(family, &ss, lo, free_port(family, lo));
	int fd = socket(family, SOCK_STREAM, 0);

	SHOW(connect(fd, (struct sockaddr *)&ss, len));
	show_name("refused socket's peer", fd, 1);
	close(fd);

	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	SHOW(connect(fd, (struct sockaddr *)&ss, len));
	show_poll("nonblocking refused", fd, 10000);
	int e = so_error(fd);
	say("SO_ERROR: %s", e ? errname(e) : "0");
	e = so_error(fd);
	say("SO_ERROR again: %s", e ? errname(e) : "0");
	show_poll("after SO_ERROR", fd, 0);
	SHOW(connect(fd, (struct sockaddr *)&ss, len));
	close(fd);
}

static void nonblocking_ok(int family, const char *lo)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(family, &ss, lo, 0);
	int l = socket(family, SOCK_STREAM, 0), fd, a;

	bind(l, (struct sockaddr *)&ss, len);
	listen(l, 4);
	len = mkaddr(family, &ss, lo, port_of(l));
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	SHOW(connect(fd, (struct sockaddr *)&ss, len));
	show_poll("nonblocking connect", fd, 10000);
	say("SO_ERROR: %d", so_error(fd));
	show_name("peer after it completed", fd, 1);
	SHOW(connect(fd, (struct sockaddr *)&ss, len));
	SHOW(connect(fd, (struct sockaddr *)&ss, len));
	a = accept(l, NULL, NULL);
	yes("accepted", a >= 0);
	SHOW(send(fd, "x", 1, 0));
	close(a);
	close(fd);

	fd = socket(family, SOCK_STREAM, 0);
	SHOW(connect(fd, (struct sockaddr *)&ss, len));
	SHOW(connect(fd, (struct sockaddr *)&ss, len));
	SHOW(listen(fd, 1));
	SHOW(connect(l, (struct sockaddr *)&ss, len));
	close(fd);
	close(l);
}

static void binds(int family, const char *lo, const char *any,
		  const char *foreign)
{
	struct sockaddr_storage ss, ss2;
	socklen_t len = mkaddr(family, &ss, lo, 0);
	int one = 1, a, b, port;

	a = socket(family, SOCK_STREAM, 0);
	show_name("unbound name", a, 0);
	show_name("unconnected peer", a, 1);
	SHOW(bind(a, (struct sockaddr *)&ss, len));
	SHOW(bind(a, (struct sockaddr *)&ss, len));
	port = port_of(a);
	len = mkaddr(family, &ss, lo, port);
	b = socket(family, SOCK_STREAM, 0);
	SHOW(bind(b, (struct sockaddr *)&ss, len));
	socklen_t len2 = mkaddr(family, &ss2, any, port);
	SHOW(bind(b, (struct sockaddr *)&ss2, len2));
	close(b);

	/* Both with SO_REUSEADDR: a second bind is fine until one listens. */
	setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	b = socket(family, SOCK_STREAM, 0);
	setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	SHOW(bind(b, (struct sockaddr *)&ss, len));
	close(b);
	SHOW(listen(a, 4));
	b = socket(family, SOCK_STREAM, 0);
	setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	SHOW(bind(b, (struct sockaddr *)&ss, len));
	close(b);
	close(a);
	b = socket(family, SOCK_STREAM, 0);
	SHOW(bind(b, (struct sockaddr *)&ss, len));
	close(b);

	b = socket(family, SOCK_STREAM, 0);
	len = mkaddr(family, &ss, foreign, 0);
	SHOW(bind(b, (struct sockaddr *)&ss, len));
	SHOW(bind(b, (struct sockaddr *)&ss, len - 1 - (family == AF_INET6 ? 4 : 0)));
	len = mkaddr(family == AF_INET ? AF_INET6 : AF_INET, &ss,
		     family == AF_INET ? "::1" : "127.0.0.1", 0);
	SHOW(bind(b, (struct sockaddr *)&ss, len < 28 ? 28 : len));
	SHOW(accept(b, NULL, NULL));
	SHOW(listen(b, 1));
	show_name("listening without bind", b, 0);
	close(b);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	say("--- 127.0.0.1");
	refused(AF_INET, "127.0.0.1");
	nonblocking_ok(AF_INET, "127.0.0.1");
	binds(AF_INET, "127.0.0.1", "0.0.0.0", "192.0.2.1");
	say("--- ::1");
	refused(AF_INET6, "::1");
	nonblocking_ok(AF_INET6, "::1");
	binds(AF_INET6, "::1", "::", "2001:db8::1");
	say("--- socket()");
	SHOW(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
	SHOW(socket(AF_INET6, SOCK_DGRAM, IPPROTO_TCP));
	SHOW(socket(AF_INET, SOCK_SEQPACKET, 0));
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	yes("AF_INET6 stream", fd >= 0);
	close(fd);
	return 0;
}

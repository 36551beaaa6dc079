/*
 * tcp_shutdown: what each end of a TCP connection over 127.0.0.1 sees,
 * in poll's bits and the calls' results, as Linux shows them: after
 * shutdown(SHUT_WR) of one end (EOF and POLLRDHUP at the other, which can
 * still send back; EPIPE and SIGPIPE on a write, none with MSG_NOSIGNAL),
 * after both ends shut (POLLHUP), after close with unread data (RST:
 * ECONNRESET once, then 0 and EPIPE), after SO_LINGER {1, 0} (RST), and
 * shutdown's errors and its effect on a listener; then a dual-stack
 * AF_INET6 listener reached over IPv4 (v4-mapped names) and an
 * IPV6_V6ONLY one that IPv4 cannot reach.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "check.h"

static volatile int sigpipes;

static void on_pipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static int lfd;
static struct sockaddr_in laddr;

static void pair(int *c, int *a)
{
	*c = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(*c, (struct sockaddr *)&laddr, sizeof(laddr)))
		say("connect failed: %s", errname(errno));
	*a = accept(lfd, NULL, NULL);
}

static unsigned revents(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP };

	poll(&p, 1, 0);
	return p.revents;
}

/* Waits (bounded) until fd's poll shows bit, then prints its bits. */
static void wait_show(const char *what, int fd, unsigned bit)
{
	if (!WAIT_FOR(revents(fd) & bit))
		say("%s: timed out", what);
	say("%s: revents %#x", what, revents(fd));
}

static void show_name(const char *what, int fd, int peer)
{
	struct sockaddr_in6 s6;
	socklen_t len = sizeof(s6);
	char buf[64] = "";

	memset(&s6, 0, sizeof(s6));
	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&s6, &len)) {
		say("%s: -1 %s", what, errname(errno));
		return;
	}
	inet_ntop(s6.sin6_family, s6.sin6_family == AF_INET ?
		  (void *)&((struct sockaddr_in *)&s6)->sin_addr : (void *)&s6.sin6_addr,
		  buf, sizeof(buf));
	say("%s: family %d len %u %s", what, s6.sin6_family, (unsigned)len, buf);
}

static void half_close(void)
{
	int c, a;
	char buf[16];

	say("--- shutdown(SHUT_WR)");
	pair(&c, &a);
	say("fresh connection: revents %#x", revents(c));
	SHOW(shutdown(c, SHUT_WR));
	wait_show("peer after FIN", a, POLLRDHUP);
	SHOW(recv(a, buf, sizeof(buf), 0));
	SHOW(send(a, "back", 4, 0));
	wait_show("shut end with data", c, POLLIN);
	SHOW(recv(c, buf, sizeof(buf), 0));
	SHOW(send(c, "x", 1, 0));
	say("SIGPIPEs: %d", sigpipes);
	SHOW(send(c, "x", 1, MSG_NOSIGNAL));
	say("SIGPIPEs: %d", sigpipes);
	SHOW(shutdown(c, SHUT_WR));
	SHOW(shutdown(a, SHUT_WR));
	wait_show("first to shut, after both", c, POLLHUP);
	wait_show("second to shut, after both", a, POLLHUP);
	SHOW(recv(c, buf, sizeof(buf), 0));
	SHOW(recv(a, buf, sizeof(buf), 0));
	show_name("peer of a finished connection", c, 1);
	close(c);
	close(a);

	say("--- shutdown(SHUT_RD)");
	pair(&c, &a);
	SHOW(shutdown(c, SHUT_RD));
	say("after SHUT_RD: revents %#x", revents(c));
	SHOW(recv(c, buf, sizeof(buf), 0));
	SHOW(send(c, "ok", 2, 0));
	SHOW(recv(a, buf, sizeof(buf), 0));
	SHOW(shutdown(c, SHUT_RDWR));
	wait_show("peer of SHUT_RDWR", a, POLLRDHUP);
	close(c);
	close(a);
}

static void resets(void)
{
	struct linger lg = { 1, 0 };
	int c, a, n = 0;
	char buf[16];

	say("--- close with unread data");
	pair(&c, &a);
	SHOW(send(c, "unread", 6, 0));
	yes("data arrived", WAIT_FOR(ioctl(a, FIONREAD, &n) == 0 && n == 6));
	close(a);
	wait_show("after the peer's RST", c, POLLERR);
	SHOW(recv(c, buf, sizeof(buf), 0));
	say("after the error was read: revents %#x", revents(c));
	SHOW(recv(c, buf, sizeof(buf), 0));
	SHOW(send(c, "x", 1, 0));
	say("SIGPIPEs: %d", sigpipes);
	show_name("peer after reset", c, 1);
	close(c);

	say("--- SO_LINGER {1, 0}");
	pair(&c, &a);
	SHOW(setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	close(a);
	wait_show("after abortive close", c, POLLERR);
	int e = 0;
	socklen_t el = sizeof(e);
	SHOW(getsockopt(c, SOL_SOCKET, SO_ERROR, &e, &el));
	say("SO_ERROR %s", e ? errname(e) : "0");
	SHOW(send(c, "x", 1, MSG_NOSIGNAL));
	close(c);

	say("--- shutdown errors");
	c = socket(AF_INET, SOCK_STREAM, 0);
	SHOW(shutdown(c, SHUT_WR));
	say("unconnected after shutdown: revents %#x", revents(c));
	SHOW(shutdown(c, 7));
	close(c);
	int l2 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in any = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	bind(l2, (struct sockaddr *)&any, sizeof(any));
	listen(l2, 4);
	SHOW(accept(l2, NULL, NULL));
	SHOW(shutdown(l2, SHUT_RDWR));
	SHOW(accept(l2, NULL, NULL));
	say("listener after shutdown: revents %#x", revents(l2));
	close(l2);
}

static void dual_stack(void)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(s6);
	int l = socket(AF_INET6, SOCK_STREAM, 0), c, a, one = 1;

	say("--- dual stack");
	SHOW(bind(l, (struct sockaddr *)&s6, sizeof(s6)));
	SHOW(listen(l, 4));
	getsockname(l, (struct sockaddr *)&s6, &len);
	s4.sin_port = s6.sin6_port;
	c = socket(AF_INET, SOCK_STREAM, 0);
	SHOW(connect(c, (struct sockaddr *)&s4, sizeof(s4)));
	struct sockaddr_in6 peer;
	socklen_t plen = sizeof(peer);
	a = accept(l, (struct sockaddr *)&peer, &plen);
	char buf[64];
	inet_ntop(AF_INET6, &peer.sin6_addr, buf, sizeof(buf));
	say("accepted from family %d len %u %s", peer.sin6_family, (unsigned)plen, buf);
	show_name("accepted's local", a, 0);
	show_name("client's peer", c, 1);
	close(a);
	close(c);

	/* An AF_INET6 client to the v4-mapped address of the listener. */
	c = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 m = { .sin6_family = AF_INET6, .sin6_port = s6.sin6_port };
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &m.sin6_addr);
	SHOW(connect(c, (struct sockaddr *)&m, sizeof(m)));
	show_name("v6 client to a mapped address, local", c, 0);
	a = accept(l, NULL, NULL);
	close(a);
	close(c);
	close(l);

	l = socket(AF_INET6, SOCK_STREAM, 0);
	SHOW(setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)));
	s6.sin6_port = 0;
	SHOW(bind(l, (struct sockaddr *)&s6, sizeof(s6)));
	SHOW(listen(l, 4));
	len = sizeof(s6);
	getsockname(l, (struct sockaddr *)&s6, &len);
	s4.sin_port = s6.sin6_port;
	c = socket(AF_INET, SOCK_STREAM, 0);
	SHOW(connect(c, (struct sockaddr *)&s4, sizeof(s4)));
	close(c);
	c = socket(AF_INET6, SOCK_STREAM, 0);
	m.sin6_port = s6.sin6_port;
	SHOW(connect(c, (struct sockaddr *)&m, sizeof(m)));
	close(c);
	close(l);
}

int main(void)
{
	socklen_t len = sizeof(laddr);

	signal(SIGPIPE, on_pipe);
	laddr.sin_family = AF_INET;
	laddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	bind(lfd, (struct sockaddr *)&laddr, sizeof(laddr));
	listen(lfd, 8);
	getsockname(lfd, (struct sockaddr *)&laddr, &len);
	half_close();
	resets();
	close(lfd);
	dual_stack();
	return 0;
}

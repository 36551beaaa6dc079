/*
 * tcp_opts: TCP socket options and receive flags as Linux has them:
 * TCP_NODELAY, TCP_CORK, SO_KEEPALIVE with TCP_KEEPIDLE/KEEPINTVL/KEEPCNT
 * (defaults, ranges), TCP_DEFER_ACCEPT (rounded to retransmits), TCP_MAXSEG
 * before connecting, TCP_INFO's size and state (closed, listening,
 * established), IP_TOS, IP_TTL, IPV6_V6ONLY (not after bind), SO_ERROR,
 * SO_ACCEPTCONN, unknown options (ENOPROTOOPT); and over a connection:
 * MSG_PEEK, MSG_TRUNC (discards), MSG_DONTWAIT, MSG_WAITALL across two
 * sends, FIONREAD, recv of 0 bytes, and recv on a listener (ENOTCONN).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "check.h"

static int geti(int fd, int level, int name, const char *what)
{
	int v = -1;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, name, &v, &len))
		say("get %s: -1 %s", what, errname(errno));
	else
		say("get %s: %d (len %u)", what, v, (unsigned)len);
	return v;
}

static void seti(int fd, int level, int name, int v, const char *what)
{
	if (setsockopt(fd, level, name, &v, sizeof(v)))
		say("set %s %d: -1 %s", what, v, errname(errno));
	else
		say("set %s %d: 0", what, v);
}

#define GET(fd, l, n) geti(fd, l, n, #n)
#define SET(fd, l, n, v) seti(fd, l, n, v, #n)

static void info(int fd, const char *what)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len)) {
		say("TCP_INFO %s: -1 %s", what, errname(errno));
		return;
	}
	say("TCP_INFO %s: full size %s, state %d, snd_mss set %s, rto set %s",
	    what, len == sizeof(ti) ? "yes" : "no", ti.tcpi_state,
	    ti.tcpi_snd_mss ? "yes" : "no", ti.tcpi_rto ? "yes" : "no");
}

static int late_fd;

static void *late_sender(void *arg)
{
	sleep_ms(50);
	if (send(late_fd, "56789", 5, 0) != 5)
		say("late send failed");
	return arg;
}

int main(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int l, c, a, v;
	char buf[64];

	signal(SIGPIPE, SIG_IGN);
	c = socket(AF_INET, SOCK_STREAM, 0);
	GET(c, IPPROTO_TCP, TCP_NODELAY);
	SET(c, IPPROTO_TCP, TCP_NODELAY, 1);
	GET(c, IPPROTO_TCP, TCP_NODELAY);
	GET(c, IPPROTO_TCP, TCP_CORK);
	SET(c, IPPROTO_TCP, TCP_CORK, 1);
	GET(c, IPPROTO_TCP, TCP_CORK);
	SET(c, IPPROTO_TCP, TCP_CORK, 0);
	GET(c, SOL_SOCKET, SO_KEEPALIVE);
	SET(c, SOL_SOCKET, SO_KEEPALIVE, 1);
	GET(c, SOL_SOCKET, SO_KEEPALIVE);
	GET(c, IPPROTO_TCP, TCP_KEEPIDLE);
	GET(c, IPPROTO_TCP, TCP_KEEPINTVL);
	GET(c, IPPROTO_TCP, TCP_KEEPCNT);
	SET(c, IPPROTO_TCP, TCP_KEEPIDLE, 60);
	SET(c, IPPROTO_TCP, TCP_KEEPIDLE, 0);
	SET(c, IPPROTO_TCP, TCP_KEEPINTVL, 32768);
	SET(c, IPPROTO_TCP, TCP_KEEPCNT, 5);
	SET(c, IPPROTO_TCP, TCP_KEEPCNT, 128);
	GET(c, IPPROTO_TCP, TCP_KEEPIDLE);
	GET(c, IPPROTO_TCP, TCP_KEEPCNT);
	SET(c, IPPROTO_TCP, TCP_MAXSEG, 1000);
	GET(c, IPPROTO_TCP, TCP_MAXSEG);
	SET(c, IPPROTO_TCP, TCP_MAXSEG, 20);
	SET(c, IPPROTO_TCP, TCP_QUICKACK, 1);
	SET(c, IPPROTO_TCP, 9999, 1);
	GET(c, IPPROTO_TCP, 9999);
	GET(c, IPPROTO_IP, IP_TOS);
	SET(c, IPPROTO_IP, IP_TOS, 0x10);
	GET(c, IPPROTO_IP, IP_TOS);
	GET(c, IPPROTO_IP, IP_TTL);
	SET(c, IPPROTO_IP, IP_TTL, 0);
	SET(c, IPPROTO_IP, IP_TTL, 100);
	GET(c, IPPROTO_IP, IP_TTL);
	SET(c, IPPROTO_IP, IP_TTL, -1);
	GET(c, IPPROTO_IP, IP_TTL);
	SET(c, IPPROTO_IP, 9999, 1);
	GET(c, IPPROTO_IPV6, IPV6_V6ONLY);
	SET(c, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	GET(c, IPPROTO_UDP, 1);
	SET(c, 9999, 1, 1);
	GET(c, SOL_SOCKET, SO_ERROR);
	GET(c, SOL_SOCKET, SO_ACCEPTCONN);
	v = 1;
	len = 2;
	SHOW(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, len));
	info(c, "unconnected");

	int s6 = socket(AF_INET6, SOCK_STREAM, 0);
	GET(s6, IPPROTO_IPV6, IPV6_V6ONLY);
	SET(s6, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	GET(s6, IPPROTO_IPV6, IPV6_V6ONLY);
	struct sockaddr_in6 s6a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	SHOW(bind(s6, (struct sockaddr *)&s6a, sizeof(s6a)));
	SET(s6, IPPROTO_IPV6, IPV6_V6ONLY, 0);
	GET(s6, IPPROTO_IPV6, IPV6_TCLASS);
	SET(s6, IPPROTO_IPV6, IPV6_TCLASS, 0x20);
	GET(s6, IPPROTO_IPV6, IPV6_TCLASS);
	GET(s6, IPPROTO_IPV6, 9999);
	GET(s6, 9999, 1);
	GET(s6, IPPROTO_IP, IP_TOS);
	close(s6);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	GET(u, IPPROTO_UDP, UDP_CORK);
	SET(u, IPPROTO_UDP, UDP_CORK, 1);
	GET(u, IPPROTO_UDP, UDP_CORK);
	GET(u, IPPROTO_TCP, TCP_NODELAY);
	SET(u, IPPROTO_TCP, TCP_NODELAY, 1);
	GET(u, IPPROTO_IP, IP_TTL);
	close(u);

	l = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(l, (struct sockaddr *)&sa, sizeof(sa));
	SET(l, IPPROTO_TCP, TCP_DEFER_ACCEPT, 5);
	GET(l, IPPROTO_TCP, TCP_DEFER_ACCEPT);
	SET(l, IPPROTO_TCP, TCP_DEFER_ACCEPT, 0);
	SHOW(listen(l, 4));
	GET(l, SOL_SOCKET, SO_ACCEPTCONN);
	info(l, "listener");
	SHOW(recv(l, buf, 1, 0));
	len = sizeof(sa);
	getsockname(l, (struct sockaddr *)&sa, &len);
	SHOW(connect(c, (struct sockaddr *)&sa, sizeof(sa)));
	a = accept(l, NULL, NULL);
	info(c, "connected");
	info(a, "accepted");

	/* receive flags */
	SHOW(send(a, "abcdef", 6, 0));
	int avail = 0;
	yes("6 bytes arrive", WAIT_FOR(ioctl(c, FIONREAD, &avail) == 0 && avail == 6));
	SHOW(recv(c, buf, 3, MSG_PEEK));
	say("peeked %.3s", buf);
	SHOW(recv(c, buf, 2, 0));
	say("read %.2s", buf);
	SHOW(recv(c, NULL, 2, MSG_TRUNC));
	SHOW(ioctl(c, FIONREAD, &avail));
	say("FIONREAD %d", avail);
	SHOW(recv(c, buf, sizeof(buf), 0));
	say("read %.2s", buf);
	SHOW(recv(c, buf, sizeof(buf), MSG_DONTWAIT));
	SHOW(recv(c, buf, 0, MSG_DONTWAIT));
	SHOW(send(a, "1234", 4, 0));
	late_fd = a;
	pthread_t t;
	pthread_create(&t, NULL, late_sender, NULL);
	memset(buf, 0, sizeof(buf));
	SHOW(recv(c, buf, 9, MSG_WAITALL));
	say("waitall got %s", buf);
	pthread_join(t, NULL);
	SHOW(ioctl(l, FIONREAD, &avail));

	/* SO_RCVLOWAT: readable (poll, a blocking read) from 4 bytes on */
	SET(c, SOL_SOCKET, SO_RCVLOWAT, 4);
	SHOW(send(a, "12", 2, 0));
	yes("2 bytes arrive", WAIT_FOR(ioctl(c, FIONREAD, &avail) == 0 && avail == 2));
	struct pollfd pf = { .fd = c, .events = POLLIN };
	SHOW(poll(&pf, 1, 0));
	SHOW(send(a, "34", 2, 0));
	SHOW(poll(&pf, 1, 10000));
	SHOW(recv(c, buf, 3, MSG_DONTWAIT));
	SHOW(recv(c, buf, sizeof(buf), MSG_DONTWAIT));
	close(a);
	close(c);
	close(l);
	return 0;
}

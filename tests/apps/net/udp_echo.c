/*
 * udp_echo: UDP over 127.0.0.1 and ::1: an echo server thread answering
 * sendto's from an unbound client (the source address it sees, the
 * client's implicit bind), MSG_TRUNC both ways (msg_flags, the real
 * length), MSG_PEEK, FIONREAD, MSG_DONTWAIT, connect and disconnect
 * (AF_UNSPEC) with getpeername and the connected local address,
 * EDESTADDRREQ, EMSGSIZE past 65507 bytes and the largest datagram
 * looped to itself, EACCES for a broadcast without SO_BROADCAST, poll
 * bits, and a dual-stack AF_INET6 socket receiving from an AF_INET one.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "check.h"

static int srv;

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

static int port_of(struct sockaddr_storage *ss)
{
	return ntohs(((struct sockaddr_in *)ss)->sin_port);
}

static void show_ss(const char *what, struct sockaddr_storage *ss,
		    socklen_t len)
{
	char buf[64] = "";

	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)ss)->sin_addr, buf, sizeof(buf));
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ss)->sin6_addr, buf, sizeof(buf));
	say("%s: family %d len %u %s port %s", what, ss->ss_family,
	    (unsigned)len, buf, port_of(ss) ? "nonzero" : "0");
}

static void show_name(const char *what, int fd, int peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&ss, &len))
		say("%s: -1 %s", what, errname(errno));
	else
		show_ss(what, &ss, len);
}

static void *echo(void *arg)
{
	static char buf[70000];
	struct sockaddr_storage from;

	for (;;) {
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(srv, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &len);

		if (n < 0 || (n == 4 && !memcmp(buf, "quit", 4)))
			break;
		sendto(srv, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
	}
	return arg;
}

static void run(int family, const char *lo)
{
	struct sockaddr_storage ss, from;
	socklen_t len, flen;
	char buf[256];
	pthread_t t;
	int c, n;

	say("--- %s", lo);
	srv = socket(family, SOCK_DGRAM, 0);
	len = mkaddr(family, &ss, lo, 0);
	SHOW(bind(srv, (struct sockaddr *)&ss, len));
	len = sizeof(ss);
	getsockname(srv, (struct sockaddr *)&ss, &len);
	int port = port_of(&ss);
	pthread_create(&t, NULL, echo, NULL);

	c = socket(family, SOCK_DGRAM, 0);
	show_name("client before sending", c, 0);
	struct pollfd p = { .fd = c, .events = POLLIN | POLLOUT };
	SHOW(poll(&p, 1, 0));
	say("revents %#x", p.revents);
	SHOW(sendto(c, "ping", 4, 0, (struct sockaddr *)&ss, len));
	show_name("client after sendto", c, 0);
	flen = sizeof(from);
	n = (int)recvfrom(c, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
	say("recvfrom = %d '%.*s'", n, n > 0 ? n : 0, buf);
	show_ss("reply from", &from, flen);
	yes("reply from the server's port", port_of(&from) == port);

	/* MSG_TRUNC, MSG_PEEK, FIONREAD */
	char hundred[100];
	memset(hundred, 'x', sizeof(hundred));
	SHOW(sendto(c, hundred, 100, 0, (struct sockaddr *)&ss, len));
	p.events = POLLIN;
	SHOW(poll(&p, 1, 10000));
	say("revents %#x", p.revents);
	int avail = -1;
	SHOW(ioctl(c, FIONREAD, &avail));
	say("FIONREAD %d", avail);
	SHOW(recv(c, buf, 10, MSG_PEEK));
	struct iovec iov = { buf, 10 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	SHOW(recvmsg(c, &mh, 0));
	say("msg_flags MSG_TRUNC: %s", mh.msg_flags & MSG_TRUNC ? "yes" : "no");
	SHOW(sendto(c, hundred, 100, 0, (struct sockaddr *)&ss, len));
	SHOW(recv(c, buf, 10, MSG_TRUNC));
	SHOW(recv(c, buf, 10, MSG_DONTWAIT));
	SHOW(recv(c, buf, 0, MSG_DONTWAIT));

	/* connect, send, disconnect */
	SHOW(send(c, "x", 1, 0));
	SHOW(connect(c, (struct sockaddr *)&ss, len));
	show_name("connected peer", c, 1);
	show_name("connected local", c, 0);
	SHOW(send(c, "again", 5, 0));
	SHOW(recv(c, buf, sizeof(buf), 0));
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	SHOW(connect(c, &unspec, sizeof(unspec)));
	show_name("peer after AF_UNSPEC", c, 1);
	SHOW(send(c, "x", 1, 0));

	/* sizes */
	static char huge[65536];
	int self_port;
	struct sockaddr_storage me;
	socklen_t melen = sizeof(me);
	getsockname(c, (struct sockaddr *)&me, &melen);
	self_port = port_of(&me);
	melen = mkaddr(family, &me, lo, self_port);
	int max = family == AF_INET ? 65507 : 65527;
	say("largest datagram + 1: %s", sendto(c, huge, max + 1, 0,
		(struct sockaddr *)&me, melen) < 0 ? errname(errno) : "sent");
	/* Over IPv4 the largest; over IPv6 one that fits a loopback packet
	 * of lwIP (DIVERGENCE: 65488..65527 bytes do not go over ::1). */
	int big = family == AF_INET ? max : 65000;
	yes("big datagram sent", sendto(c, huge, big, 0,
		(struct sockaddr *)&me, melen) == big);
	yes("and received whole", recv(c, huge, sizeof(huge), 0) == big);
	if (family == AF_INET) {
		struct sockaddr_storage bc;
		socklen_t bl = mkaddr(AF_INET, &bc, "255.255.255.255", 9);
		SHOW(sendto(c, "b", 1, 0, (struct sockaddr *)&bc, bl));
	}
	SHOW(shutdown(c, SHUT_RD));
	SHOW(recv(c, buf, sizeof(buf), 0));
	p.events = POLLIN | POLLOUT | POLLRDHUP;
	SHOW(poll(&p, 1, 0));
	say("revents after SHUT_RD %#x", p.revents);
	close(c);

	c = socket(family, SOCK_DGRAM, 0);
	SHOW(sendto(c, "quit", 4, 0, (struct sockaddr *)&ss, len));
	pthread_join(t, NULL);
	close(c);
	close(srv);
}

static void dual_stack(void)
{
	struct sockaddr_storage ss, from;
	socklen_t len, flen = sizeof(from);
	char buf[16];
	int s6 = socket(AF_INET6, SOCK_DGRAM, 0), s4 = socket(AF_INET, SOCK_DGRAM, 0);

	say("--- dual stack");
	len = mkaddr(AF_INET6, &ss, "::", 0);
	SHOW(bind(s6, (struct sockaddr *)&ss, len));
	len = sizeof(ss);
	getsockname(s6, (struct sockaddr *)&ss, &len);
	len = mkaddr(AF_INET, &ss, "127.0.0.1", port_of(&ss));
	SHOW(sendto(s4, "v4", 2, 0, (struct sockaddr *)&ss, len));
	SHOW(recvfrom(s6, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen));
	show_ss("v4 sender seen by a v6 socket", &from, flen);
	close(s4);
	close(s6);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	run(AF_INET, "127.0.0.1");
	run(AF_INET6, "::1");
	dual_stack();
	return 0;
}

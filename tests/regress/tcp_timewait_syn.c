/*
 * tcp_timewait_syn: a client that connects again from the same port to a
 * server that closed the last connection first must get its connection.
 * Reproducer (issue 9, the connect+close benchmark's 5 s stalls): the
 * server's side of the old connection sits in TIME-WAIT for 60 s, and
 * lwIP answered the new SYN with an ACK and ignored the client's RST,
 * so the connect hung until the client gave up. Through QEMU's user
 * networking every host client's port reaches the guest unchanged and the
 * host reuses ports at once, so nginx (which ends a keep-alive connection
 * itself after 1000 requests) left such traps for the next clients.
 * Linux takes a SYN beyond the old connection's last sequence number as a
 * new connection (RFC 1122 4.2.2.13).
 *
 * Over 127.0.0.1, CYCLES times: the client binds the same port
 * (SO_REUSEADDR) and connects without blocking, the server accepts, sends
 * one byte and closes first; the client reads the byte and the end of
 * file, then closes. Every wait is bounded by WAIT_FOR (10 s); the first
 * cycle that fails is printed and ends the loop.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include "check.h"

#define CYCLES 20

static int ready(int fd, short ev)
{
	struct pollfd p = { .fd = fd, .events = ev };

	return poll(&p, 1, 0) == 1;
}

/* One cycle; returns NULL or what went wrong. */
static const char *cycle(int l, const struct sockaddr_in *srv,
			 const struct sockaddr_in *me)
{
	int one = 1, err = -1, s, c = socket(AF_INET, SOCK_STREAM, 0);
	socklen_t len = sizeof(err);
	const char *why = NULL;
	char b = 0;

	setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(c, (const void *)me, sizeof(*me)) < 0) {
		close(c);
		return "bind";
	}
	fcntl(c, F_SETFL, O_NONBLOCK);
	if (connect(c, (const void *)srv, sizeof(*srv)) < 0 &&
	    errno != EINPROGRESS)
		why = "connect";
	else if (!WAIT_FOR(ready(c, POLLOUT)))
		why = "connect never completed";
	else if (getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err)
		why = "connect failed";
	else if (!WAIT_FOR(ready(l, POLLIN)) || (s = accept(l, NULL, NULL)) < 0)
		why = "accept";
	else {
		if (write(s, "x", 1) != 1)
			why = "write";
		close(s);	/* the server closes first: its side waits */
		if (!why && (!WAIT_FOR(ready(c, POLLIN)) || read(c, &b, 1) != 1 ||
			     b != 'x'))
			why = "read the byte";
		if (!why && (!WAIT_FOR(ready(c, POLLIN)) || read(c, &b, 1) != 0))
			why = "read the end of file";
	}
	close(c);
	return why;
}

int main(void)
{
	struct sockaddr_in srv = { .sin_family = AF_INET };
	struct sockaddr_in me = { .sin_family = AF_INET };
	socklen_t len = sizeof(srv);
	int l = socket(AF_INET, SOCK_STREAM, 0), p, done = 0;
	const char *why = NULL;

	srv.sin_addr.s_addr = me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	SHOW(bind(l, (void *)&srv, sizeof(srv)));
	SHOW(listen(l, 16));
	SHOW(getsockname(l, (void *)&srv, &len));
	/* A free port for the client: bound once, then reused every cycle. */
	p = socket(AF_INET, SOCK_STREAM, 0);
	SHOW(bind(p, (void *)&me, sizeof(me)));
	len = sizeof(me);
	SHOW(getsockname(p, (void *)&me, &len));
	close(p);
	for (done = 0; done < CYCLES; done++) {
		why = cycle(l, &srv, &me);
		if (why) {
			say("cycle %d: %s", done + 1, why);
			break;
		}
	}
	say("cycles completed: %d of %d", done, CYCLES);
	close(l);
	return 0;
}

/*
 * unix_dgram: AF_UNIX datagram sockets by name: sendto/recvfrom with the
 * sender's address (bound, autobound by SO_PASSCRED, unbound), connect
 * and its EPERM for a receiver connected elsewhere, disconnect with
 * AF_UNSPEC, ECONNREFUSED once the peer is gone, the receive queue limit
 * (EAGAIN), MSG_TRUNC, EMSGSIZE, empty datagrams, recvmmsg/sendmmsg
 * (MSG_WAITFORONE), SO_RCVTIMEO (EAGAIN after the timeout).
 */
#include <stddef.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include "check.h"

static socklen_t mkaddr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path, path);
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static void from(int s, int flags)
{
	struct sockaddr_un a;
	socklen_t len = sizeof(a);
	char buf[16] = { 0 };
	long r;

	memset(&a, 0, sizeof(a));
	r = recvfrom(s, buf, 4, flags, (void *)&a, &len);
	if (r < 0) {
		say("  recvfrom = -1 %s", errname(errno));
		return;
	}
	say("  recvfrom = %ld \"%.4s\" from len %u %s", r, buf, len,
	    len > 3 && a.sun_path[0] ? a.sun_path : len > 2 ? "(abstract)" : "");
}

static void names(void)
{
	struct sockaddr_un a, b;
	socklen_t la = mkaddr(&a, "a.sock"), lb = mkaddr(&b, "b.sock");
	int sa = socket(AF_UNIX, SOCK_DGRAM, 0), sb = socket(AF_UNIX, SOCK_DGRAM, 0);
	int u = socket(AF_UNIX, SOCK_DGRAM, 0), on = 1, c;

	say("names:");
	SHOW(bind(sa, (void *)&a, la));
	SHOW(bind(sb, (void *)&b, lb));
	SHOW(sendto(sa, "one", 3, 0, (void *)&b, lb));
	from(sb, 0);
	SHOW(sendto(u, "anon", 4, 0, (void *)&b, lb));
	from(sb, 0);
	SHOW(setsockopt(u, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	SHOW(sendto(u, "cred", 4, 0, (void *)&b, lb));
	from(sb, 0);
	SHOW(sendto(sa, "toolong", 7, 0, (void *)&b, lb));
	from(sb, MSG_TRUNC);
	SHOW(sendto(sa, "", 0, 0, (void *)&b, lb));
	from(sb, 0);
	SHOW(send(sa, "x", 1, 0));
	SHOW(connect(sa, (void *)&b, lb));
	SHOW(send(sa, "conn", 4, 0));
	from(sb, 0);
	/* sb talks only to sa once connected to it. */
	SHOW(connect(sb, (void *)&a, la));
	c = socket(AF_UNIX, SOCK_DGRAM, 0);
	SHOW(sendto(c, "intr", 4, 0, (void *)&b, lb));
	SHOW(connect(c, (void *)&b, lb));
	a.sun_family = AF_UNSPEC;
	SHOW(connect(sa, (void *)&a, sizeof(sa_family_t)));
	SHOW(send(sa, "x", 1, 0));
	SHOW(sendto(sa, "x", 1, 0, (void *)&b, 1));
	b.sun_path[0] = 'z';
	SHOW(sendto(sa, "x", 1, 0, (void *)&b, lb));
	close(c);
	close(u);
	SHOW(close(sb));
	b.sun_path[0] = 'b';
	SHOW(sendto(sa, "gone", 4, 0, (void *)&b, lb));
	close(sa);
}

static void peer_gone(void)
{
	struct sockaddr_un a;
	socklen_t la = mkaddr(&a, "p.sock");
	int s = socket(AF_UNIX, SOCK_DGRAM, 0), c = socket(AF_UNIX, SOCK_DGRAM, 0);

	say("peer gone:");
	SHOW(bind(s, (void *)&a, la));
	SHOW(connect(c, (void *)&a, la));
	SHOW(close(s));
	SHOW(send(c, "x", 1, 0));
	SHOW(send(c, "x", 1, 0));
	close(c);
}

static void limits(void)
{
	struct sockaddr_un a;
	socklen_t la = mkaddr(&a, "q.sock");
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	int c = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0), n = 0;
	struct timeval tv = { 0, 50000 };
	static char big[300000];
	char buf[8];

	say("limits:");
	SHOW(bind(s, (void *)&a, la));
	while (sendto(c, "q", 1, 0, (void *)&a, la) == 1 && n < 1000)
		n++;
	say("  queued %d then %s", n, errname(errno));
	SHOW(sendto(c, big, sizeof(big), 0, (void *)&a, la));
	while (recv(s, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	SHOW(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	SHOW(recv(s, buf, sizeof(buf), 0));
	close(s);
	close(c);
}

static void mmsg(void)
{
	int sv[2];
	char b[4][8];
	struct iovec iov[4];
	struct mmsghdr m[4];
	struct timespec ts = { 0, 1000000 };

	say("mmsg:");
	SHOW(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 4; i++) {
		iov[i].iov_base = b[i];
		iov[i].iov_len = sizeof(b[i]);
		memcpy(b[i], "msg0", 5);
		b[i][3] = '0' + i;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	iov[0].iov_len = iov[1].iov_len = iov[2].iov_len = 4;
	SHOW(sendmmsg(sv[0], m, 3, 0));
	say("  lens %u %u %u", m[0].msg_len, m[1].msg_len, m[2].msg_len);
	for (int i = 0; i < 4; i++)
		iov[i].iov_len = sizeof(b[i]);
	memset(b, 0, sizeof(b));
	SHOW(recvmmsg(sv[1], m, 4, MSG_WAITFORONE, NULL));
	say("  got %s %s %s, lens %u %u %u", b[0], b[1], b[2], m[0].msg_len,
	    m[1].msg_len, m[2].msg_len);
	SHOW(recvmmsg(sv[1], m, 4, MSG_DONTWAIT, &ts));
	ts.tv_nsec = -1;
	SHOW(recvmmsg(sv[1], m, 4, 0, &ts));
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	scratch_enter("unix_dgram");
	names();
	peer_gone();
	limits();
	mmsg();
	scratch_leave();
	return 0;
}

/*
 * sock_opts: SOL_SOCKET options on AF_UNIX sockets, set and read back as
 * Linux shows them (buffer sizes doubled and clamped, timeouts, linger),
 * their errors (EINVAL for a short value, EDOM for a bad timeout,
 * ENOPROTOOPT for an unknown or read-only option), a value cut to a short
 * buffer; and the ioctls on a socket: FIONREAD, FIONBIO, SIOCOUTQ, and the
 * interface requests for "lo" (SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFFLAGS,
 * SIOCGIFMTU, SIOCGIFCONF; SIOCGIFADDR is for inet sockets only).
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include "check.h"

#define SIOCINQ FIONREAD
#define SIOCOUTQ 0x5411

static void get_int(int s, int name, const char *what)
{
	int v = -7;
	socklen_t len = sizeof(v);

	if (getsockopt(s, SOL_SOCKET, name, &v, &len) < 0)
		say("  get %s: -1 %s", what, errname(errno));
	else
		say("  get %s: %d (len %u)", what, v, len);
}

static void set_int(int s, int name, int v, const char *what)
{
	SHOW(setsockopt(s, SOL_SOCKET, name, &v, sizeof(v)));
	get_int(s, name, what);
}

static void options(int s)
{
	struct linger l = { 1, 5 };
	struct timeval tv = { 1, 100000 };
	socklen_t len;
	short sh = 0;
	char big[64];

	say("options:");
	get_int(s, SO_TYPE, "SO_TYPE");
	get_int(s, SO_DOMAIN, "SO_DOMAIN");
	get_int(s, SO_PROTOCOL, "SO_PROTOCOL");
	get_int(s, SO_ERROR, "SO_ERROR");
	get_int(s, SO_SNDBUF, "SO_SNDBUF");
	get_int(s, SO_RCVBUF, "SO_RCVBUF");
	get_int(s, SO_RCVLOWAT, "SO_RCVLOWAT");
	get_int(s, SO_SNDLOWAT, "SO_SNDLOWAT");
	set_int(s, SO_REUSEADDR, 5, "SO_REUSEADDR");
	set_int(s, SO_REUSEPORT, 1, "SO_REUSEPORT");
	set_int(s, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
	set_int(s, SO_KEEPALIVE, 0, "SO_KEEPALIVE");
	set_int(s, SO_BROADCAST, 1, "SO_BROADCAST");
	set_int(s, SO_OOBINLINE, 1, "SO_OOBINLINE");
	set_int(s, SO_PASSCRED, 1, "SO_PASSCRED");
	set_int(s, SO_PRIORITY, 3, "SO_PRIORITY");
	set_int(s, SO_SNDBUF, 1000, "SO_SNDBUF");
	set_int(s, SO_SNDBUF, 50000, "SO_SNDBUF");
	set_int(s, SO_RCVBUF, 100, "SO_RCVBUF");
	set_int(s, SO_RCVBUF, 30000, "SO_RCVBUF");
	set_int(s, SO_RCVLOWAT, 0, "SO_RCVLOWAT");
	set_int(s, SO_RCVLOWAT, 10, "SO_RCVLOWAT");
	SHOW(setsockopt(s, SOL_SOCKET, SO_SNDLOWAT, &l, sizeof(int)));
	SHOW(setsockopt(s, SOL_SOCKET, SO_TYPE, &l, sizeof(int)));
	SHOW(setsockopt(s, SOL_SOCKET, SO_ERROR, &l, sizeof(int)));
	SHOW(setsockopt(s, SOL_SOCKET, 9999, &l, sizeof(int)));
	SHOW(getsockopt(s, SOL_SOCKET, 9999, big, &len));
	SHOW(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &sh, sizeof(sh)));
	len = sizeof(sh);
	SHOW(getsockopt(s, SOL_SOCKET, SO_TYPE, &sh, &len));
	say("  short SO_TYPE %d len %u", sh, len);

	SHOW(setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
	len = sizeof(l);
	SHOW(getsockopt(s, SOL_SOCKET, SO_LINGER, &l, &len));
	say("  linger %d %d len %u", l.l_onoff, l.l_linger, len);
	l.l_onoff = 0;
	l.l_linger = 7;
	SHOW(setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
	SHOW(getsockopt(s, SOL_SOCKET, SO_LINGER, &l, &len));
	say("  linger %d %d", l.l_onoff, l.l_linger);
	SHOW(setsockopt(s, SOL_SOCKET, SO_LINGER, &l, 4));

	SHOW(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	memset(&tv, 0, sizeof(tv));
	len = sizeof(tv);
	SHOW(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &len));
	say("  rcvtimeo %ld.%06ld len %u", (long)tv.tv_sec, (long)tv.tv_usec, len);
	SHOW(getsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, &len));
	say("  sndtimeo %ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
	tv.tv_usec = 1000000;
	SHOW(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	tv.tv_usec = -1;
	SHOW(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	SHOW(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, 8));
}

static void ioctls(void)
{
	int sv[2], n = -1, on = 1;
	struct ifreq r;
	struct ifconf c;
	char buf[40 * 16];

	say("ioctls:");
	SHOW(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	SHOW(write(sv[0], "12345", 5));
	SHOW(ioctl(sv[1], FIONREAD, &n));
	say("  FIONREAD %d", n);
	SHOW(ioctl(sv[1], SIOCINQ, &n));
	SHOW(ioctl(sv[1], FIONBIO, &on));
	say("  O_NONBLOCK %d", !!(fcntl(sv[1], F_GETFL) & O_NONBLOCK));
	SHOW(read(sv[1], buf, sizeof(buf)));
	SHOW(read(sv[1], buf, sizeof(buf)));
	SHOW(ioctl(sv[0], SIOCOUTQ, &n));
	say("  SIOCOUTQ %d", n);
	SHOW(ioctl(sv[0], 0x89ab, &n));

	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "lo");
	SHOW(ioctl(sv[0], SIOCGIFINDEX, &r));
	say("  lo index %d", r.ifr_ifindex);
	n = r.ifr_ifindex;
	SHOW(ioctl(sv[0], SIOCGIFFLAGS, &r));
	say("  lo flags %#x", r.ifr_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING));
	SHOW(ioctl(sv[0], SIOCGIFMTU, &r));
	say("  lo mtu %d", r.ifr_mtu);
	SHOW(ioctl(sv[0], SIOCGIFHWADDR, &r));
	say("  lo hw family %d", r.ifr_hwaddr.sa_family);
	SHOW(ioctl(sv[0], SIOCGIFADDR, &r));
	memset(&r, 0, sizeof(r));
	r.ifr_ifindex = n;
	SHOW(ioctl(sv[0], SIOCGIFNAME, &r));
	say("  name of lo's index %s", r.ifr_name);
	r.ifr_ifindex = 12345;
	SHOW(ioctl(sv[0], SIOCGIFNAME, &r));
	strcpy(r.ifr_name, "nosuch0");
	SHOW(ioctl(sv[0], SIOCGIFINDEX, &r));
	SHOW(ioctl(sv[0], SIOCGIFFLAGS, (void *)16));

	c.ifc_len = sizeof(buf);
	c.ifc_buf = buf;
	SHOW(ioctl(sv[0], SIOCGIFCONF, &c));
	n = 0;
	for (int i = 0; i < c.ifc_len / (int)sizeof(struct ifreq); i++) {
		struct ifreq *q = &c.ifc_req[i];
		struct sockaddr_in *in = (void *)&q->ifr_addr;

		if (!strcmp(q->ifr_name, "lo") &&
		    in->sin_addr.s_addr == htonl(0x7f000001))
			n = 1;
	}
	say("  SIOCGIFCONF lists lo 127.0.0.1: %d, whole entries %d", n,
	    c.ifc_len % (int)sizeof(struct ifreq) == 0);
	c.ifc_buf = NULL;
	SHOW(ioctl(sv[0], SIOCGIFCONF, &c));
	say("  length asked is whole entries %d", c.ifc_len > 0 &&
	    c.ifc_len % (int)sizeof(struct ifreq) == 0);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	int s;

	setvbuf(stdout, NULL, _IONBF, 0);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	options(s);
	close(s);
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	say("dgram:");
	get_int(s, SO_TYPE, "SO_TYPE");
	get_int(s, SO_ACCEPTCONN, "SO_ACCEPTCONN");
	close(s);
	ioctls();
	return 0;
}

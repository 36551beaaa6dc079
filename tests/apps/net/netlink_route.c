/*
 * netlink_route: AF_NETLINK NETLINK_ROUTE as glibc and "ip" use it. A raw
 * RTM_GETLINK dump (lo: its type, MTU, flags, a 6-byte address; every
 * message carries our sequence number and port id, NLMSG_DONE ends it),
 * RTM_GETADDR dumps for IPv4 and IPv6 (lo's 127.0.0.1/8 and ::1/128),
 * RTM_GETLINK of one link by index, the size of an answer peeked with
 * MSG_PEEK|MSG_TRUNC, an ack for NLM_F_ACK, EOPNOTSUPP for an unknown
 * request, the bound port id, and what glibc builds on it: getifaddrs
 * (only lo's entries: the host has more interfaces) and getaddrinfo with
 * AI_ADDRCONFIG.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netpacket/packet.h>
#include <sys/socket.h>
#include "check.h"

/* The netlink UAPI (musl has no <linux/...> headers). */
struct nlmsghdr {
	unsigned nlmsg_len;
	unsigned short nlmsg_type, nlmsg_flags;
	unsigned nlmsg_seq, nlmsg_pid;
};
struct sockaddr_nl {
	unsigned short nl_family, nl_pad;
	unsigned nl_pid, nl_groups;
};
struct nlmsgerr {
	int error;
	struct nlmsghdr msg;
};
struct rtattr {
	unsigned short rta_len, rta_type;
};
struct ifinfomsg {
	unsigned char ifi_family, pad;
	unsigned short ifi_type;
	int ifi_index;
	unsigned ifi_flags, ifi_change;
};
struct ifaddrmsg {
	unsigned char ifa_family, ifa_prefixlen, ifa_flags, ifa_scope;
	unsigned ifa_index;
};
#define NETLINK_ROUTE 0
#define NLM_F_REQUEST 1
#define NLM_F_ACK 4
#define NLM_F_DUMP 0x300
#define NLMSG_NOOP 1
#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_NEWADDR 20
#define RTM_GETADDR 22
#define IFLA_ADDRESS 1
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFA_ADDRESS 1
#define IFA_LABEL 3
#define NLMSG_ALIGN(n) (((n) + 3) & ~3)
#define NLMSG_HDRLEN ((int)NLMSG_ALIGN(sizeof(struct nlmsghdr)))
#define NLMSG_DATA(h) ((void *)((char *)(h) + NLMSG_HDRLEN))
#define NLMSG_OK(h, len) ((len) >= (long)sizeof(struct nlmsghdr) && \
	(h)->nlmsg_len >= sizeof(struct nlmsghdr) && (long)(h)->nlmsg_len <= (len))
#define NLMSG_NEXT(h, len) ((len) -= NLMSG_ALIGN((h)->nlmsg_len), \
	(struct nlmsghdr *)((char *)(h) + NLMSG_ALIGN((h)->nlmsg_len)))
#define RTA_ALIGN(n) (((n) + 3) & ~3)
#define RTA_OK(a, len) ((len) >= (int)sizeof(struct rtattr) && \
	(a)->rta_len >= sizeof(struct rtattr) && (a)->rta_len <= (len))
#define RTA_NEXT(a, len) ((len) -= RTA_ALIGN((a)->rta_len), \
	(struct rtattr *)((char *)(a) + RTA_ALIGN((a)->rta_len)))
#define RTA_DATA(a) ((void *)((char *)(a) + RTA_ALIGN(sizeof(struct rtattr))))
#define RTA_PAYLOAD(a) ((int)(a)->rta_len - RTA_ALIGN(sizeof(struct rtattr)))
#define IFLA_RTA(i) ((struct rtattr *)((char *)(i) + NLMSG_ALIGN(sizeof(struct ifinfomsg))))
#define IFLA_PAYLOAD(h) ((int)(h)->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(sizeof(struct ifinfomsg)))
#define IFA_RTA(i) ((struct rtattr *)((char *)(i) + NLMSG_ALIGN(sizeof(struct ifaddrmsg))))
#define IFA_PAYLOAD(h) ((int)(h)->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(sizeof(struct ifaddrmsg)))

static int nl;
static unsigned my_pid, seq = 100;
static char buf[65536];

static void request(int type, int flags, unsigned char family, int index)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = { { sizeof(req), type, NLM_F_REQUEST | flags, ++seq, 0 },
		  { family, 0, 0, index, 0, 0 } };
	struct sockaddr_nl k = { AF_NETLINK, 0, 0, 0 };

	if (sendto(nl, &req, sizeof(req), 0, (void *)&k, sizeof(k)) < 0)
		say("  sendto: %s", errname(errno));
}

/* Reads answers until NLMSG_DONE or an error; fn sees each message. */
static void answers(void (*fn)(struct nlmsghdr *), int max_reads)
{
	int bad = 0, msgs = 0;

	for (int reads = 0; reads < max_reads; reads++) {
		struct sockaddr_nl from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m;
		long n;

		memset(&m, 0, sizeof(m));
		m.msg_name = &from;
		m.msg_namelen = sizeof(from);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		n = recvmsg(nl, &m, 0);

		if (n < 0) {
			say("  recvmsg: %s", errname(errno));
			return;
		}
		if (from.nl_pid != 0 || m.msg_namelen != sizeof(from))
			bad++;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			msgs++;
			if (h->nlmsg_seq != seq || h->nlmsg_pid != my_pid)
				bad++;
			if (h->nlmsg_type == NLMSG_DONE) {
				say("  done; messages from elsewhere or with a wrong "
				    "seq/pid: %d", bad);
				return;
			}
			fn(h);
			if (h->nlmsg_type == NLMSG_ERROR)
				return;
		}
	}
}

static void on_link(struct nlmsghdr *h)
{
	struct ifinfomsg *i = NLMSG_DATA(h);
	int len = IFLA_PAYLOAD(h), mtu = 0, alen = -1;
	char name[IFNAMSIZ] = "";

	if (h->nlmsg_type != RTM_NEWLINK) {
		say("  type %d", h->nlmsg_type);
		return;
	}
	for (struct rtattr *a = IFLA_RTA(i); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_IFNAME)
			snprintf(name, sizeof(name), "%s", (char *)RTA_DATA(a));
		if (a->rta_type == IFLA_MTU)
			memcpy(&mtu, RTA_DATA(a), 4);
		if (a->rta_type == IFLA_ADDRESS)
			alen = RTA_PAYLOAD(a);
	}
	if (!strcmp(name, "lo"))
		say("  lo: type %d mtu %d flags %#x address bytes %d", i->ifi_type,
		    mtu, i->ifi_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING),
		    alen);
}

static void on_addr(struct nlmsghdr *h)
{
	struct ifaddrmsg *i = NLMSG_DATA(h);
	int len = IFA_PAYLOAD(h);
	char text[64] = "", label[IFNAMSIZ] = "";

	if (h->nlmsg_type != RTM_NEWADDR) {
		say("  type %d", h->nlmsg_type);
		return;
	}
	for (struct rtattr *a = IFA_RTA(i); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFA_ADDRESS)
			inet_ntop(i->ifa_family, RTA_DATA(a), text, sizeof(text));
		if (a->rta_type == IFA_LABEL)
			snprintf(label, sizeof(label), "%s", (char *)RTA_DATA(a));
	}
	if (!strcmp(text, "127.0.0.1") || !strcmp(text, "::1"))
		say("  %s/%d scope %d label \"%s\"", text, i->ifa_prefixlen,
		    i->ifa_scope, label);
}

static void on_error(struct nlmsghdr *h)
{
	struct nlmsgerr *e = NLMSG_DATA(h);

	say("  type %d flags %#x len %u error %d (request type %d)",
	    h->nlmsg_type, h->nlmsg_flags, h->nlmsg_len, e->error,
	    e->msg.nlmsg_type);
}

static void raw(void)
{
	struct sockaddr_nl a = { AF_NETLINK, 0, 0, 0 };
	socklen_t len = sizeof(a);
	long peek, got;

	say("raw:");
	nl = SHOW(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
	SHOW(bind(nl, (void *)&a, sizeof(a)));
	SHOW(getsockname(nl, (void *)&a, &len));
	say("  len %u family %d pid set %d", len, a.nl_family, a.nl_pid != 0);
	my_pid = a.nl_pid;
	SHOW(bind(nl, (void *)&a, 4));

	say("links:");
	request(RTM_GETLINK, NLM_F_DUMP, AF_UNSPEC, 0);
	peek = recv(nl, buf, 0, MSG_PEEK | MSG_TRUNC);
	got = recv(nl, buf, sizeof(buf), MSG_PEEK);
	say("  peeked size matches %d", peek > 0 && peek == got);
	answers(on_link, 64);
	say("addresses:");
	request(RTM_GETADDR, NLM_F_DUMP, AF_INET, 0);
	answers(on_addr, 64);
	request(RTM_GETADDR, NLM_F_DUMP, AF_INET6, 0);
	answers(on_addr, 64);
	say("one link:");
	request(RTM_GETLINK, 0, AF_UNSPEC, if_nametoindex("lo"));
	answers(on_link, 1);
	request(RTM_GETLINK, 0, AF_UNSPEC, 99999);
	answers(on_error, 1);
	say("acks and errors:");
	request(NLMSG_NOOP, NLM_F_ACK, AF_UNSPEC, 0);
	answers(on_error, 1);
	request(0x3ff, 0, AF_UNSPEC, 0);
	answers(on_error, 1);
	SHOW(recv(nl, buf, sizeof(buf), MSG_DONTWAIT));
	close(nl);
	SHOW(socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE));
}

static void glibc(void)
{
	struct ifaddrs *ifa, *i;
	struct addrinfo hints = { 0 }, *res;
	char text[64];
	int r;

	say("getifaddrs:");
	SHOW(getifaddrs(&ifa));
	for (i = ifa; i; i = i->ifa_next) {
		int fam = i->ifa_addr ? i->ifa_addr->sa_family : -1;
		void *p = NULL, *mask = NULL;

		if (strcmp(i->ifa_name, "lo"))
			continue;
		if (fam == AF_INET) {
			p = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
			mask = &((struct sockaddr_in *)i->ifa_netmask)->sin_addr;
		}
		if (fam == AF_INET6)
			p = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		text[0] = 0;
		if (p)
			inet_ntop(fam, p, text, sizeof(text));
		printf("  lo family %d flags %#x %s", fam,
		       i->ifa_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING), text);
		if (mask && inet_ntop(fam, mask, text, sizeof(text)))
			printf(" mask %s", text);
		printf("\n");
	}
	freeifaddrs(ifa);
#ifdef __GLIBC__
	/* glibc asks netlink for AI_ADDRCONFIG; musl connects UDP sockets
	 * (the inet families' part). */
	say("getaddrinfo:");
	hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICHOST;
	hints.ai_socktype = SOCK_STREAM;
	r = getaddrinfo("127.0.0.1", "80", &hints, &res);
	say("  getaddrinfo(127.0.0.1, AI_ADDRCONFIG) = %d", r);
	if (r == 0) {
		say("  family %d", res->ai_family);
		freeaddrinfo(res);
	}
#else
	(void)hints;
	(void)res;
	(void)r;
#endif
	say("  if_nametoindex(lo) > 0: %d", if_nametoindex("lo") > 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	raw();
	glibc();
	return 0;
}

/*
 * net/nlbuild.c: the NETLINK_ROUTE answers net/netlink.c sends, built
 * from the interface list (net_iface_*): RTM_NEWLINK per interface,
 * RTM_NEWADDR per address (IPv4 of every interface, then IPv6, as
 * Linux's dump of all families), RTM_NEWROUTE for the main table (each
 * IPv4 subnet, and the default route through gw= of the command line).
 * Layer: net. Message and attribute layouts are the Linux UAPI's
 * (rtnetlink.h, if_link.h, if_addr.h).
 */
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/net.h>
#include "nlbuild.h"

#define NLMSG_DONE 3
#define NLM_F_MULTI 2
#define RTM_NEWLINK 16
#define RTM_NEWADDR 20
#define RTM_NEWROUTE 24
#define IFLA_ADDRESS 1
#define IFLA_BROADCAST 2
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFLA_STATS 7
#define IFLA_TXQLEN 13
#define IFLA_OPERSTATE 16
#define IFLA_LINKMODE 17
#define IFLA_STATS64 23
#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_LABEL 3
#define IFA_BROADCAST 4
#define IFA_CACHEINFO 6
#define IFA_FLAGS 8
#define IFA_F_PERMANENT 0x80
#define RTA_DST 1
#define RTA_OIF 4
#define RTA_GATEWAY 5
#define RTA_PREFSRC 7
#define RTA_TABLE 15
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772

struct nlmsghdr {
	u32 len;
	u16 type, flags;
	u32 seq, pid;
};
struct rtattr {
	u16 len, type;
};
struct ifinfomsg {
	u8 family, pad;
	u16 type;
	int index;
	u32 flags, change;
};
struct ifaddrmsg {
	u8 family, prefixlen, flags, scope;
	u32 index;
};
struct rtmsg {
	u8 family, dst_len, src_len, tos, table, protocol, scope, type;
	u32 flags;
};

void nlb_put(struct nlbuf *b, const void *data, u32 n)
{
	u32 need = b->len + NLMSG_ALIGN(n);

	if (b->err)
		return;
	if (need > b->cap) {
		u32 cap = MAX(need * 2, 1024u);
		char *p = krealloc(b->buf, cap);

		if (!p) {
			b->err = true;
			return;
		}
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, data, n);
	memset(b->buf + b->len + n, 0, NLMSG_ALIGN(n) - n);
	b->len = need;
}

u32 nlb_begin(struct nlbuf *b, u16 type, u16 flags, u32 seq, u32 pid)
{
	struct nlmsghdr h = { 0, type, flags, seq, pid };
	u32 at = b->len;

	nlb_put(b, &h, sizeof(h));
	return at;
}

void nlb_end(struct nlbuf *b, u32 at)
{
	if (!b->err)
		((struct nlmsghdr *)(b->buf + at))->len = b->len - at;
}

static void attr(struct nlbuf *b, u16 type, const void *data, u32 n)
{
	struct rtattr a = { sizeof(a) + n, type };

	nlb_put(b, &a, sizeof(a));
	nlb_put(b, data, n);
}

static void attr_u32(struct nlbuf *b, u16 type, u32 v)
{
	attr(b, type, &v, sizeof(v));
}

static void done(struct nlbuf *b, u32 seq, u32 pid)
{
	u32 at = nlb_begin(b, NLMSG_DONE, NLM_F_MULTI, seq, pid);
	int zero = 0;

	nlb_put(b, &zero, sizeof(zero));
	nlb_end(b, at);
}

/* struct rtnl_link_stats (24 u32) and rtnl_link_stats64 (24 u64). */
static void link_stats(struct nlbuf *b, const struct net_iface *i)
{
	u64 s64[24] = { i->rx_packets, i->tx_packets, i->rx_bytes,
			i->tx_bytes, 0, 0, i->rx_dropped, i->tx_dropped };
	u32 s32[24];

	for (int k = 0; k < 24; k++)
		s32[k] = (u32)s64[k];
	attr(b, IFLA_STATS, s32, sizeof(s32));
	attr(b, IFLA_STATS64, s64, sizeof(s64));
}

static void link_msg(struct nlbuf *b, const struct net_iface *i, u16 flags,
		     u32 seq, u32 pid)
{
	bool lo = i->flags & NET_IFF_LOOPBACK;
	struct ifinfomsg m = { AF_UNSPEC, 0, lo ? ARPHRD_LOOPBACK : ARPHRD_ETHER,
			       i->index, i->flags, 0 };
	static const u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	u8 zero[6] = { 0 }, oper = lo ? 0 : (i->flags & NET_IFF_RUNNING) ? 6 : 2;
	u32 at = nlb_begin(b, RTM_NEWLINK, flags, seq, pid);

	nlb_put(b, &m, sizeof(m));
	attr(b, IFLA_IFNAME, i->name, strlen(i->name) + 1);
	attr_u32(b, IFLA_TXQLEN, 1000);
	attr(b, IFLA_OPERSTATE, &oper, 1);
	attr(b, IFLA_LINKMODE, zero, 1);
	attr_u32(b, IFLA_MTU, i->mtu);
	attr(b, IFLA_ADDRESS, i->mac, 6);
	attr(b, IFLA_BROADCAST, lo ? zero : bcast, 6);
	link_stats(b, i);
	nlb_end(b, at);
}

int nlb_dump_links(struct nlbuf *b, u32 seq, u32 pid)
{
	struct net_iface i;

	for (unsigned n = 0; net_iface_get(n, &i) == 0; n++)
		link_msg(b, &i, NLM_F_MULTI, seq, pid);
	done(b, seq, pid);
	return b->err ? -ENOBUFS : 1;
}

/* RTM_GETLINK of one link: by ifi_index, or by IFLA_IFNAME. */
int nlb_get_link(struct nlbuf *b, const struct nlmsghdr *req, u32 pid)
{
	const char *p = (const char *)(req + 1);
	u32 plen = req->len - sizeof(*req), off = NLMSG_ALIGN(sizeof(struct ifinfomsg));
	struct ifinfomsg m = { 0 };
	struct net_iface i;
	char name[NET_IFNAMSIZ] = "";

	memcpy(&m, p, MIN(plen, (u32)sizeof(m)));
	while (off + sizeof(struct rtattr) <= plen) {
		struct rtattr a;

		memcpy(&a, p + off, sizeof(a));
		if (a.len < sizeof(a) || off + a.len > plen)
			break;
		if (a.type == IFLA_IFNAME)
			str_lcpy(name, p + off + sizeof(a),
				 MIN((u32)sizeof(name), a.len - 4u + 1));
		off += NLMSG_ALIGN(a.len);
	}
	if (m.index > 0) {
		if (net_iface_by_index(m.index, &i) < 0)
			return -ENODEV;
	} else if (name[0]) {
		if (net_iface_by_name(name, &i) < 0)
			return -ENODEV;
	} else {
		return -EINVAL;
	}
	link_msg(b, &i, 0, req->seq, pid);
	return b->err ? -ENOBUFS : 0;
}

static void addr_cacheinfo(struct nlbuf *b)
{
	u32 ci[4] = { 0xffffffff, 0xffffffff, 0, 0 };

	attr(b, IFA_CACHEINFO, ci, sizeof(ci));
}

static void addr4_msg(struct nlbuf *b, const struct net_iface *i, u32 seq,
		      u32 pid)
{
	bool lo = i->flags & NET_IFF_LOOPBACK;
	struct ifaddrmsg m = { AF_INET, i->ipv4_prefix, IFA_F_PERMANENT,
			       lo ? 254 : 0, i->index };
	u32 at = nlb_begin(b, RTM_NEWADDR, NLM_F_MULTI, seq, pid);

	nlb_put(b, &m, sizeof(m));
	attr(b, IFA_ADDRESS, i->ipv4, 4);
	attr(b, IFA_LOCAL, i->ipv4, 4);
	if ((i->flags & NET_IFF_BROADCAST) && *(const u32 *)i->ipv4_bcast)
		attr(b, IFA_BROADCAST, i->ipv4_bcast, 4);
	attr(b, IFA_LABEL, i->name, strlen(i->name) + 1);
	attr_u32(b, IFA_FLAGS, IFA_F_PERMANENT);
	addr_cacheinfo(b);
	nlb_end(b, at);
}

static void addr6_msg(struct nlbuf *b, const struct net_iface *i, u32 k,
		      u32 seq, u32 pid)
{
	struct ifaddrmsg m = { AF_INET6, i->ipv6_prefix[k], IFA_F_PERMANENT,
			       i->ipv6_scope[k], i->index };
	u32 at = nlb_begin(b, RTM_NEWADDR, NLM_F_MULTI, seq, pid);

	nlb_put(b, &m, sizeof(m));
	attr(b, IFA_ADDRESS, i->ipv6[k], 16);
	addr_cacheinfo(b);
	attr_u32(b, IFA_FLAGS, IFA_F_PERMANENT);
	nlb_end(b, at);
}

int nlb_dump_addrs(struct nlbuf *b, u32 seq, u32 pid, int family)
{
	struct net_iface i;

	for (unsigned n = 0; family != AF_INET6 && net_iface_get(n, &i) == 0;
	     n++)
		if (i.has_ipv4)
			addr4_msg(b, &i, seq, pid);
	for (unsigned n = 0; family != AF_INET && net_iface_get(n, &i) == 0;
	     n++)
		for (u32 k = 0; k < i.nipv6 && k < 3; k++)
			addr6_msg(b, &i, k, seq, pid);
	done(b, seq, pid);
	return b->err ? -ENOBUFS : 1;
}

/* Parses a dotted quad into a; false if s is none. */
static bool parse_ip4(const char *s, u8 a[4])
{
	for (int k = 0; k < 4; k++) {
		u64 v;
		size_t n = str_to_u64(s, &v);

		if (!n || v > 255 || (k < 3 && s[n] != '.'))
			return false;
		a[k] = v;
		s += n + 1;
	}
	return true;
}

static void route_msg(struct nlbuf *b, const struct net_iface *i,
		      const u8 *gw, u32 seq, u32 pid)
{
	struct rtmsg m = { AF_INET, gw ? 0 : i->ipv4_prefix, 0, 0, 254,
			   gw ? 3 : 2, gw ? 0 : 253, 1, 0 };
	u8 net[4];
	u32 at = nlb_begin(b, RTM_NEWROUTE, NLM_F_MULTI, seq, pid);

	for (int k = 0; k < 4; k++)
		net[k] = i->ipv4[k] & i->ipv4_mask[k];
	nlb_put(b, &m, sizeof(m));
	attr_u32(b, RTA_TABLE, 254);
	if (!gw)
		attr(b, RTA_DST, net, 4);
	if (!gw)
		attr(b, RTA_PREFSRC, i->ipv4, 4);
	if (gw)
		attr(b, RTA_GATEWAY, gw, 4);
	attr_u32(b, RTA_OIF, i->index);
	nlb_end(b, at);
}

int nlb_dump_routes(struct nlbuf *b, u32 seq, u32 pid, int family)
{
	struct net_iface i;
	u8 gw[4] = { 0 };
	bool has_gw = parse_ip4(boot_opts.gw, gw), gw_done = false;

	for (unsigned n = 0; family != AF_INET6 && net_iface_get(n, &i) == 0;
	     n++) {
		bool on = true;

		if (!i.has_ipv4 || (i.flags & NET_IFF_LOOPBACK))
			continue;
		for (int k = 0; k < 4; k++)
			on &= (gw[k] & i.ipv4_mask[k]) ==
			      (i.ipv4[k] & i.ipv4_mask[k]);
		if (has_gw && on && !gw_done) {
			route_msg(b, &i, gw, seq, pid);
			gw_done = true;
		}
		route_msg(b, &i, NULL, seq, pid);
	}
	done(b, seq, pid);
	return b->err ? -ENOBUFS : 1;
}

/*
 * net/sockioctl.c: ioctl on a socket file. Layer: net. The interface
 * requests (SIOCGIFCONF, SIOCGIFFLAGS, SIOCGIFINDEX, ...) are answered
 * from the interface list (net_iface_*) for every family, as Linux's
 * dev_ioctl; the IPv4 address requests only on AF_INET sockets, as
 * Linux's devinet_ioctl; the rest (FIONREAD, SIOCOUTQ, ...) go to the
 * family. FIONBIO and FIOCLEX never get here (linux/file.c does them).
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/net.h>
#include "family.h"

#define SIOCGIFNAME 0x8910
#define SIOCGIFCONF 0x8912
#define SIOCGIFFLAGS 0x8913
#define SIOCGIFADDR 0x8915
#define SIOCGIFBRDADDR 0x8919
#define SIOCGIFNETMASK 0x891b
#define SIOCGIFMTU 0x8921
#define SIOCGIFHWADDR 0x8927
#define SIOCGIFINDEX 0x8933
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772

/* struct ifreq of the Linux ABI: a name and a 24-byte union. */
struct ifreq {
	char name[NET_IFNAMSIZ];
	union {
		struct {
			u16 family;
			u8 data[14];
		} addr;
		int ivalue;
		short flags;
		u8 pad[24];
	};
};
_Static_assert(sizeof(struct ifreq) == 40, "struct ifreq is 40 bytes");

struct ifconf {
	int len;
	char *buf;
};

/* A struct sockaddr_in of addr in r's union. */
static void put_in(struct ifreq *r, const u8 addr[4])
{
	memset(r->pad, 0, sizeof(r->pad));
	r->addr.family = AF_INET;
	memcpy(r->addr.data + 2, addr, 4);
}

/* SIOCGIFCONF: one ifreq per interface with an IPv4 address. */
static long ifconf(unsigned long arg)
{
	struct ifconf c;
	struct net_iface i;
	int done = 0;

	if (copy_from_user(&c, (void *)arg, sizeof(c)) < 0)
		return -EFAULT;
	for (unsigned n = 0; net_iface_get(n, &i) == 0; n++) {
		struct ifreq r = { 0 };

		if (!i.has_ipv4)
			continue;
		if (c.buf) {
			if (c.len - done < (int)sizeof(r))
				break;
			str_lcpy(r.name, i.name, sizeof(r.name));
			put_in(&r, i.ipv4);
			if (copy_to_user(c.buf + done, &r, sizeof(r)) < 0)
				return -EFAULT;
		}
		done += sizeof(r);
	}
	c.len = done;
	return copy_to_user((void *)arg, &c, sizeof(c.len));
}

/* Fills r from i for req: 0, or -ENOTTY when req is not one of these. */
static int if_get(struct socket *sk, unsigned long req, struct net_iface *i,
		  struct ifreq *r)
{
	bool inet = sk->family == AF_INET;

	switch (req) {
	case SIOCGIFFLAGS:
		memset(r->pad, 0, sizeof(r->pad));
		r->flags = (short)i->flags;
		return 0;
	case SIOCGIFMTU:
		r->ivalue = i->mtu;
		return 0;
	case SIOCGIFINDEX:
		r->ivalue = i->index;
		return 0;
	case SIOCGIFHWADDR:
		memset(r->pad, 0, sizeof(r->pad));
		r->addr.family = i->flags & NET_IFF_LOOPBACK ? ARPHRD_LOOPBACK :
							      ARPHRD_ETHER;
		memcpy(r->addr.data, i->mac, 6);
		return 0;
	case SIOCGIFADDR: case SIOCGIFNETMASK: case SIOCGIFBRDADDR:
		if (!inet)
			return -ENOTTY;
		if (!i->has_ipv4)
			return -EADDRNOTAVAIL;
		put_in(r, req == SIOCGIFADDR ? i->ipv4 :
			  req == SIOCGIFNETMASK ? i->ipv4_mask : i->ipv4_bcast);
		return 0;
	}
	return -ENOTTY;
}

static bool is_ifreq(unsigned long req)
{
	switch (req) {
	case SIOCGIFNAME: case SIOCGIFFLAGS: case SIOCGIFMTU:
	case SIOCGIFINDEX: case SIOCGIFHWADDR: case SIOCGIFADDR:
	case SIOCGIFNETMASK: case SIOCGIFBRDADDR:
		return true;
	}
	return false;
}

/* The requests on one struct ifreq, by name (SIOCGIFNAME: by index). */
static long ifreq(struct socket *sk, unsigned long req, unsigned long arg)
{
	struct net_iface i;
	struct ifreq r;
	int e;

	if (copy_from_user(&r, (void *)arg, sizeof(r)) < 0)
		return -EFAULT;
	r.name[NET_IFNAMSIZ - 1] = 0;
	if (req == SIOCGIFNAME) {
		if (net_iface_by_index(r.ivalue, &i) < 0)
			return -ENODEV;
		str_lcpy(r.name, i.name, sizeof(r.name));
	} else {
		if (!(sk->family == AF_INET) &&
		    (req == SIOCGIFADDR || req == SIOCGIFNETMASK ||
		     req == SIOCGIFBRDADDR))
			return -ENOTTY;
		if (net_iface_by_name(r.name, &i) < 0)
			return -ENODEV;
		e = if_get(sk, req, &i, &r);
		if (e < 0)
			return e;
	}
	return copy_to_user((void *)arg, &r, sizeof(r));
}

long sock_ioctl(struct file *f, unsigned long req, unsigned long arg)
{
	struct socket *sk = f->priv;
	long r = -ENOTTY;

	if (req == SIOCGIFCONF)
		return ifconf(arg);
	if (is_ifreq(req))
		return ifreq(sk, req, arg);
	if (sk->ops->ioctl)
		r = sk->ops->ioctl(sk, req, arg);
	return r;
}

/*
 * net/ifconf.c: the interfaces' addresses, set at boot, and what the
 * socket layer and /proc see of the interfaces (net_iface_*, skiff/net.h).
 * Layer: net. Interface: net/netif.h, skiff/net.h.
 *
 * lo: 127.0.0.1/8 and ::1 (lwIP's loop interface). eth0 (the first
 * device): IPv4 from the kernel command line, "ip=ADDR/PREFIX" with
 * "gw=ADDR" (what skiff passes for QEMU user networking: no wait at
 * all), or DHCP for "ip=dhcp" or no ip= at all: boot waits up to
 * DHCP_WAIT_NS for a lease, then goes on without one (a klog line says
 * so; lwIP's DHCP keeps trying). Every device: an IPv6 link-local
 * address from its MAC and SLAAC from router advertisements.
 */
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/sched.h>
#include <skiff/time.h>
#include "lwip/dhcp.h"
#include "lwip/ip4_addr.h"
#include "lwip/ip6_addr.h"
#include "lwip/port.h"
#include "netif.h"

#define DHCP_WAIT_NS (5 * NSEC_PER_SEC)

static struct waitq addr_wq;	/* the boot thread waiting for a lease */

/* Parses a dotted quad at s into a; the characters used, 0 if none. */
static size_t parse_ipv4(const char *s, u8 a[4])
{
	const char *p = s;

	for (int i = 0; i < 4; i++) {
		u32 v = 0;
		int digits = 0;
		if (i && *p++ != '.')
			return 0;
		while (*p >= '0' && *p <= '9' && digits < 4) {
			v = v * 10 + (u32)(*p++ - '0');
			digits++;
		}
		if (!digits || v > 255)
			return 0;
		a[i] = (u8)v;
	}
	return (size_t)(p - s);
}

/* "ADDR/PREFIX" into addr and mask; false if malformed. */
static bool parse_cidr(const char *s, ip4_addr_t *addr, ip4_addr_t *mask)
{
	u8 a[4];
	u64 prefix;
	size_t n = parse_ipv4(s, a);

	if (!n || s[n] != '/')
		return false;
	size_t m = str_to_u64(s + n + 1, &prefix);
	if (!m || s[n + 1 + m] || prefix > 32)
		return false;
	IP4_ADDR(addr, a[0], a[1], a[2], a[3]);
	ip4_addr_set_u32(mask, prefix ? lwip_htonl(~0u << (32 - prefix)) : 0);
	return true;
}

static void eth_status(struct netif *n)
{
	net_wake(&addr_wq);
}

/* Starts DHCP on n and waits (bounded) for a lease. Lock held. */
static void dhcp_wait(struct net_nif *nif)
{
	struct netif *n = nif->netif;
	u64 deadline = time_monotonic_ns() + DHCP_WAIT_NS;

	netif_set_status_callback(n, eth_status);
	if (dhcp_start(n) != ERR_OK) {
		klog("net: %s: cannot start DHCP", nif->name);
		return;
	}
	/* DHCP retransmits from lwIP's timers. */
	net_port_start_timers();
	while (!dhcp_supplied_address(n))
		if (net_sleep(&addr_wq, deadline) == -ETIMEDOUT)
			break;
	if (dhcp_supplied_address(n))
		klog("net: %s: DHCP lease %s", nif->name,
		     ip4addr_ntoa(netif_ip4_addr(n)));
	else
		klog("net: %s: no DHCP lease after %llu s: starting the "
		     "program without an IPv4 address (DHCP goes on trying)",
		     nif->name, DHCP_WAIT_NS / NSEC_PER_SEC);
}

/* eth0's IPv4 address from ip_opt and boot_opts.gw. Lock held. */
static void eth0_ipv4(struct net_nif *nif, const char *ip_opt)
{
	ip4_addr_t addr, mask, gw;
	u8 g[4];

	if (!ip_opt || !*ip_opt || !strcmp(ip_opt, "dhcp")) {
		dhcp_wait(nif);
		return;
	}
	if (!parse_cidr(ip_opt, &addr, &mask)) {
		klog("net: ip=%s is not ADDR/PREFIX or dhcp: using DHCP", ip_opt);
		dhcp_wait(nif);
		return;
	}
	ip4_addr_set_zero(&gw);
	size_t n = boot_opts.gw[0] ? parse_ipv4(boot_opts.gw, g) : 0;
	if (n && !boot_opts.gw[n])
		IP4_ADDR(&gw, g[0], g[1], g[2], g[3]);
	else if (boot_opts.gw[0])
		klog("net: gw=%s is not an IPv4 address: no gateway",
		     boot_opts.gw);
	netif_set_addr(nif->netif, &addr, &mask, &gw);
	klog("net: %s: %s (static)", nif->name, ip_opt);
}

void net_netif_init(const char *ip_opt)
{
	waitq_init(&addr_wq);
	net_lock();
	struct net_nif *eth0 = net_nif_at(1);
	if (eth0) {
		netif_set_default(eth0->netif);
		eth0_ipv4(eth0, ip_opt);
	}
	net_unlock();
}

/* ---- What the interfaces look like (net_iface_*) ---- */

/* The IPv6 addresses of n in use or being checked (DAD), with scopes. */
static void iface_ipv6(struct netif *n, struct net_iface *out)
{
	for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES && out->nipv6 < 3; i++) {
		const ip6_addr_t *a = netif_ip6_addr(n, i);
		if (ip6_addr_isinvalid(netif_ip6_addr_state(n, i)))
			continue;
		u32 k = out->nipv6++;
		memcpy(out->ipv6[k], a->addr, 16);
		if (ip6_addr_isloopback(a)) {
			out->ipv6_prefix[k] = 128;
			out->ipv6_scope[k] = 254;
		} else {
			out->ipv6_prefix[k] = 64;
			out->ipv6_scope[k] = ip6_addr_islinklocal(a) ? 253 : 0;
		}
	}
}

static void iface_fill(struct net_nif *nif, struct net_iface *out)
{
	struct netif *n = nif->netif;
	struct netdev *d = nif->dev;

	memset(out, 0, sizeof(*out));
	out->index = netif_get_index(n);
	str_lcpy(out->name, nif->name, sizeof(out->name));
	if (netif_is_up(n))
		out->flags |= NET_IFF_UP;
	if (netif_is_link_up(n))
		out->flags |= NET_IFF_RUNNING | NET_IFF_LOWER_UP;
	if (!d) {
		out->flags |= NET_IFF_LOOPBACK;
		out->mtu = 65536;	/* Linux's lo; lwIP's lo has no limit */
		out->rx_packets = out->tx_packets = nif->rx_packets;
		out->rx_bytes = out->tx_bytes = nif->rx_bytes;
	} else {
		out->flags |= NET_IFF_BROADCAST | NET_IFF_MULTICAST;
		out->mtu = n->mtu;
		memcpy(out->mac, d->mac, 6);
		out->rx_packets = d->rx_packets;
		out->rx_bytes = d->rx_bytes;
		out->tx_packets = d->tx_packets;
		out->tx_bytes = d->tx_bytes;
		out->rx_dropped = d->rx_dropped;
		out->tx_dropped = d->tx_dropped;
	}
	const ip4_addr_t *a = netif_ip4_addr(n), *m = netif_ip4_netmask(n);
	if (!ip4_addr_isany(a)) {
		u32 mask = lwip_htonl(ip4_addr_get_u32(m));
		out->has_ipv4 = true;
		memcpy(out->ipv4, &a->addr, 4);
		memcpy(out->ipv4_mask, &m->addr, 4);
		u32 bcast = ip4_addr_get_u32(a) | ~ip4_addr_get_u32(m);
		memcpy(out->ipv4_bcast, &bcast, 4);
		out->ipv4_prefix = mask ? 32 - (u32)__builtin_ctz(mask) : 0;
	}
	iface_ipv6(n, out);
}

int net_iface_get(unsigned i, struct net_iface *out)
{
	int r = -ENODEV;

	net_lock();
	struct net_nif *nif = net_nif_at(i);
	if (nif) {
		iface_fill(nif, out);
		r = 0;
	}
	net_unlock();
	return r;
}

int net_iface_by_index(int index, struct net_iface *out)
{
	if (index < 1)
		return -ENODEV;
	return net_iface_get((unsigned)index - 1, out);
}

int net_iface_by_name(const char *name, struct net_iface *out)
{
	int r = -ENODEV;

	net_lock();
	for (unsigned i = 0; net_nif_at(i); i++) {
		struct net_nif *nif = net_nif_at(i);
		if (!strncmp(nif->name, name, NET_IFNAMSIZ)) {
			iface_fill(nif, out);
			r = 0;
			break;
		}
	}
	net_unlock();
	return r;
}

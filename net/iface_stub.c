/*
 * net/iface_stub.c: TO BE REMOVED when the "lwip" branch (net/netif.c) is
 * merged. Weak stand-ins for the interface list of skiff/net.h, so that
 * the socket core and netlink build and answer before the real interfaces
 * exist: one loopback interface "lo", 127.0.0.1/8 and ::1/128, up. The
 * strong definitions in net/netif.c replace these at link time.
 */
#include <skiff/errno.h>
#include <skiff/net.h>

__attribute__((weak)) int net_iface_get(unsigned i, struct net_iface *out)
{
	if (i > 0)
		return -ENODEV;
	*out = (struct net_iface){
		.index = 1, .name = "lo", .mtu = 65536,
		.flags = NET_IFF_UP | NET_IFF_LOOPBACK | NET_IFF_RUNNING |
			 NET_IFF_LOWER_UP,
		.has_ipv4 = true, .ipv4 = { 127, 0, 0, 1 },
		.ipv4_mask = { 255, 0, 0, 0 }, .ipv4_prefix = 8, .nipv6 = 1,
		.ipv6 = { { [15] = 1 } }, .ipv6_prefix = { 128 },
		.ipv6_scope = { 254 },
	};
	return 0;
}

__attribute__((weak)) int net_iface_by_index(int index, struct net_iface *out)
{
	struct net_iface i;

	for (unsigned n = 0; net_iface_get(n, &i) == 0; n++) {
		if (i.index == index) {
			*out = i;
			return 0;
		}
	}
	return -ENODEV;
}

__attribute__((weak)) int net_iface_by_name(const char *name,
					    struct net_iface *out)
{
	struct net_iface i;

	for (unsigned n = 0; net_iface_get(n, &i) == 0; n++) {
		if (!strcmp(i.name, name)) {
			*out = i;
			return 0;
		}
	}
	return -ENODEV;
}

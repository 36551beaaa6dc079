/*
 * net/netif.h: the interfaces, as net/ keeps them (private to net/).
 * Layer: net. net/netif.c attaches lwIP to each struct netdev (frames in
 * and out, checksum offload, loopback delivery); net/ifconf.c gives them
 * addresses at boot and answers net_iface_* (skiff/net.h).
 *
 * Interface i (0: lo, then one per registered netdev in order) is lwIP's
 * netif with index i + 1 (lwIP numbers netifs in the order they are
 * added, and lo is added first): lo is 1, eth0 is 2, as on Linux. All of
 * it is guarded by the network lock.
 */
#ifndef SKIFF_NET_NETIF_H
#define SKIFF_NET_NETIF_H

#include <skiff/netdev.h>
#include <skiff/net.h>
#include "lwip/netif.h"

#define NET_NIF_MAX 8

struct net_nif {
	struct netif *netif;	/* lwIP's (lo: lwIP's own loop_netif) */
	struct netdev *dev;	/* the device; NULL for lo */
	char name[NET_IFNAMSIZ];
	/* lo's counters (a device keeps its own in struct netdev). */
	u64 rx_packets, rx_bytes, tx_packets, tx_bytes;
};

/* Interface i (0: lo), NULL past the last. Network lock held. */
struct net_nif *net_nif_at(unsigned i);

/*
 * Boot: wraps lwIP's lo and attaches a netif to every registered netdev
 * (their rx hooks set and netdev_up called); the netifs are up, with no
 * address but IPv6 link-local. Network lock not held (takes it).
 */
void net_netif_attach(void);

/*
 * Delivers every packet the stack sent to itself (lwIP's per-netif
 * loopback queues) to lwIP's input, counting them as lo's; whether there
 * was any. Called by net_unlock and net_sleep, with the network lock held.
 */
bool net_netif_loop_flush(void);

/*
 * Boot: configures eth0's IPv4 from ip_opt ("ADDR/PREFIX", "dhcp", or
 * NULL/"" for DHCP when a device is present) and boot_opts.gw; IPv6
 * link-local and SLAAC on every device. A DHCP wait is bounded; without
 * a lease the boot goes on (and DHCP keeps trying). net/ifconf.c. May
 * sleep; takes the network lock.
 */
void net_netif_init(const char *ip_opt);

#endif

/*
 * net/netif.h: lwIP's interfaces over struct netdev (net/netif.c),
 * private to net/. Layer: net.
 */
#ifndef SKIFF_NET_NETIF_H
#define SKIFF_NET_NETIF_H

/*
 * Boot: brings up lo (127.0.0.1/8, ::1) and one lwIP netif per registered
 * netdev (eth0, eth1, ...), and configures eth0's IPv4 from ip_opt
 * ("ADDR/PREFIX", "dhcp", or NULL/"" for DHCP) and boot_opts.gw. May
 * sleep (a bounded wait for a DHCP lease). Takes the network lock.
 */
void net_netif_init(const char *ip_opt);

#endif

/*
 * net/init.c: the network's boot (net_init, skiff/net.h): lwIP and its
 * lock, the address families, the interfaces, the timer thread. Layer:
 * net. kernel/main.c calls net_init after the devices and filesystems.
 */
#include <skiff/kernel.h>
#include <skiff/net.h>
#include "lwip/port.h"
#include "netif.h"

/*
 * Each family's boot: registers it (net_family_register) and whatever it
 * needs. Defined by the family's own file (net/inet.c, net/unix.c,
 * net/netlink.c); the empty weak ones here stand in while a family is
 * not in the tree, so each part of net/ builds alone.
 */
void inet_init(void);
void unix_init(void);
void netlink_init(void);
__attribute__((weak)) void inet_init(void) {}
__attribute__((weak)) void unix_init(void) {}
__attribute__((weak)) void netlink_init(void) {}

void net_init(const char *ip_opt)
{
	net_port_init();
	unix_init();
	netlink_init();
	inet_init();
	net_netif_attach();
	net_netif_init(ip_opt);
	net_port_start_timers();
}

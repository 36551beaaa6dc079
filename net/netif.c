/*
 * net/netif.c: lwIP's interfaces over struct netdev. Layer: net.
 * Interface: net/netif.h, net_iface_* (skiff/net.h).
 */
#include <skiff/kernel.h>
#include <skiff/net.h>
#include "lwip/netif.h"
#include "lwip/port.h"
#include "netif.h"

void net_netif_init(const char *ip_opt)
{
	net_lock();
	/* lo: lwIP's loopif, made by lwip_init. Nothing leaves memory. */
	NETIF_SET_CHECKSUM_CTRL(netif_get_by_index(1), NETIF_CHECKSUM_DISABLE_ALL);
	net_unlock();
}

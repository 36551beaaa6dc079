/*
 * lwIP's hooks for Skiff (LWIP_HOOK_FILENAME in lwipopts.h, included by
 * the lwIP files that call hooks). Layer: net (lwIP's port, net/lwip/).
 */
#ifndef SKIFF_LWIP_HOOKS_H
#define SKIFF_LWIP_HOOKS_H

#include "lwip/ip_addr.h"

/* The initial sequence number of a new TCP connection (RFC 6528):
 * net/lwip/sys_arch.c. */
u32_t lwip_port_tcp_isn(const ip_addr_t *local_ip, u16_t local_port,
			const ip_addr_t *remote_ip, u16_t remote_port);

#endif

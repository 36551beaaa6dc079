/*
 * lwIP's hooks for Skiff (LWIP_HOOK_FILENAME in lwipopts.h, included by
 * the lwIP files that call hooks). Layer: net (lwIP's port, net/lwip/).
 */
#ifndef SKIFF_LWIP_HOOKS_H
#define SKIFF_LWIP_HOOKS_H

#include "lwip/ip_addr.h"
#include "lwip/err.h"

/* The initial sequence number of a new TCP connection (RFC 6528):
 * net/lwip/sys_arch.c. */
u32_t lwip_port_tcp_isn(const ip_addr_t *local_ip, u16_t local_port,
			const ip_addr_t *remote_ip, u16_t remote_port);

struct tcp_pcb;
struct tcp_hdr;
struct pbuf;

/* Every segment tcp_input found a pcb for, before lwIP handles it; ERR_OK
 * lets lwIP go on. Ends TIME-WAIT as Linux does: net/lwip/timewait.c. */
err_t lwip_port_tcp_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr,
			     u16_t optlen, u8_t *opt2, struct pbuf *p);

#endif

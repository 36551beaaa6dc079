/*
 * lwIP's options for Skiff (lwipopts.h, included first by lwip/opt.h,
 * whose defaults fill in the rest). Layer: net (lwIP's port, net/lwip/).
 *
 * Tuned for servers in one address space:
 *  - No lwIP socket layer, netconn or tcpip thread (NO_SYS): Skiff's
 *    socket layer (net/inet*.c) calls the raw API under the network lock.
 *  - Memory from the kernel heap: lwIP's heap is kmalloc (MEM_LIBC_MALLOC)
 *    and so are its pools (MEMP_MEM_MALLOC: PCBs, segments, pbufs), so the
 *    only limit on connections is memory, not a static pool's size.
 *  - Windows that do not bound a bulk transfer: window scaling, a 1 MiB
 *    receive window and send buffer, out-of-order segments kept (with
 *    SACK sent for them).
 *  - IPv4 and IPv6 (link-local, SLAAC), TCP, UDP, ICMP echo, DHCP,
 *    loopback interface; checksums per interface, so eth0 can leave TCP's
 *    to a device that offloads them (net/netif.c).
 */
#ifndef SKIFF_LWIPOPTS_H
#define SKIFF_LWIPOPTS_H

/* ---- System: no OS layer, one lock held by every caller ---- */
#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define LWIP_NETIF_API 0
#define LWIP_TIMERS 1

/* ---- Memory: the kernel heap ---- */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
#include <skiff/alloc.h>
void *lwip_port_calloc(size_t n, size_t size);
#define mem_clib_malloc kmalloc
#define mem_clib_free kfree
#define mem_clib_calloc lwip_port_calloc
/* Pool counts are not limits with MEMP_MEM_MALLOC; lwIP still reads a
 * few of them (e.g. when to kill an old PCB), so make them large. */
#define MEMP_NUM_TCP_PCB 65535
#define MEMP_NUM_TCP_PCB_LISTEN 4096
#define MEMP_NUM_UDP_PCB 4096
#define MEMP_NUM_TCP_SEG 65535
#define MEMP_NUM_REASSDATA 16
#define MEMP_NUM_FRAG_PBUF 64
#define MEMP_NUM_ARP_QUEUE 64
#define MEMP_NUM_ND6_QUEUE 64
#define MEMP_NUM_SYS_TIMEOUT 64
#define PBUF_POOL_SIZE 1024

/* ---- Interfaces ---- */
#define LWIP_SINGLE_NETIF 0
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_NETIF_EXT_STATUS_CALLBACK 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_LOOPIF_MULTICAST 0
#define LWIP_NETIF_TX_SINGLE_PBUF 0
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1
#define LWIP_CHECKSUM_ON_COPY 0
#define LWIP_STATS 0
#define LWIP_NUM_NETIF_CLIENT_DATA 1

/* ---- IPv4 ---- */
#define LWIP_IPV4 1
#define LWIP_ARP 1
#define ARP_TABLE_SIZE 64
#define ARP_QUEUEING 1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define IP_DEFAULT_TTL 64	/* Linux's net.ipv4.ip_default_ttl */
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define IP_REASS_MAX_PBUFS 64
#define IP_SOF_BROADCAST 0
#define LWIP_ICMP 1
#define LWIP_BROADCAST_PING 0
#define LWIP_MULTICAST_PING 0
#define LWIP_RAW 0
#define LWIP_IGMP 0
#define LWIP_DHCP 1
#define DHCP_DOES_ARP_CHECK 0	/* no second's wait before using a lease */
#define LWIP_DHCP_GET_NTP_SERVERS 0
#define LWIP_AUTOIP 0
#define LWIP_DNS 0		/* the program's libc resolves names */

/* ---- IPv6 ---- */
#define LWIP_IPV6 1
#define LWIP_IPV6_NUM_ADDRESSES 3	/* struct net_iface holds three */
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 1
#define LWIP_ND6_ALLOW_RA_UPDATES 1
#define LWIP_IPV6_MLD 0			/* virtio-net takes all multicast */
#define LWIP_IPV6_DHCP6 0
#define LWIP_IPV6_FRAG 1
#define LWIP_IPV6_REASS 1
#define IPV6_FRAG_COPYHEADER 1		/* 64-bit pointers: lwIP asserts */
#define LWIP_ND6_NUM_NEIGHBORS 64
#define LWIP_ND6_NUM_DESTINATIONS 64	/* lwIP indexes it with an s8 */
#define LWIP_ND6_QUEUEING 1

/* ---- UDP ---- */
#define LWIP_UDP 1
#define LWIP_UDPLITE 0
#define UDP_TTL 64

/* ---- TCP ---- */
#define LWIP_TCP 1
#define TCP_TTL 64
#define TCP_MSS 1460
/* TCP's timer: delayed ACKs wait for it (lwIP's 250 ms made a client's
 * second small write under Nagle wait that long); the slow timer, RTT
 * and RTO ticks are twice it. */
#define TCP_TMR_INTERVAL 100
#define TCP_MSL 30000UL			/* TIME-WAIT 2 MSL: Linux's 60 s */
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 5			/* 0xffff << 5: windows up to 2 MiB */
#define TCP_WND (1024 * 1024)
#define TCP_SND_BUF (1024 * 1024)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_SNDLOWAT (32 * 1024)	/* lwIP wants it below 64 KiB - 4 MSS */
#define TCP_QUEUE_OOSEQ 1
#define TCP_OOSEQ_MAX_BYTES TCP_WND	/* per connection: hostile peers */
#define TCP_OOSEQ_MAX_PBUFS 1024
#define LWIP_TCP_SACK_OUT 1
#define LWIP_TCP_MAX_SACK_NUM 4
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 0xff
#define TCP_OVERSIZE TCP_MSS
#define TCP_CALCULATE_EFF_SEND_MSS 1
#define LWIP_TCP_KEEPALIVE 1
#define LWIP_TCP_TIMESTAMPS 0
#define SO_REUSE 1
#define SO_REUSE_RXTOALL 1
#define LWIP_CALLBACK_API 1
#define LWIP_EVENT_API 0
#define LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS 1
/* One slot of per-PCB data with a destroy callback: the socket layer
 * learns when lwIP frees a PCB without telling (from TIME-WAIT). */
#define LWIP_TCP_PCB_NUM_EXT_ARGS 1

/* Initial sequence numbers: RFC 6528, a clock plus a keyed hash of the
 * connection's addresses (net/lwip/sys_arch.c), not lwIP's counter. */
#define LWIP_HOOK_FILENAME "lwip_hooks.h"
#define LWIP_HOOK_TCP_ISN(lip, lport, rip, rport) \
	lwip_port_tcp_isn(lip, lport, rip, rport)
/* Segments for a pcb in TIME-WAIT: a new connection's SYN and the peer's
 * RST end it, as on Linux (net/lwip/timewait.c). */
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p) \
	lwip_port_tcp_inpacket(pcb, hdr, optlen, opt2, p)

/* ---- Debugging: off; assertions panic (arch/cc.h) ---- */
#undef LWIP_DEBUG
#define LWIP_DBG_TYPES_ON 0

#endif

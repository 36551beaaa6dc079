/*
 * net/inet.h: AF_INET and AF_INET6 sockets over lwIP's raw API, private to
 * net/inet.c (the family, addresses, IP-level options), net/tcp.c,
 * net/tcp_io.c, net/tcp_opt.c (TCP) and net/udp.c (UDP). Layer: net.
 *
 * One struct inet_sock per socket (socket.priv), and one per connection
 * waiting in a listener's accept queue (sk NULL until accept).
 *
 * Locks and callbacks (the rules every file here keeps):
 *  1. Every field below and every lwIP call is under the network lock
 *     (net_lock). A call that waits uses net_sleep on is->wq, which
 *     releases the lock while asleep; every wake-up (waitq_wake_all) is
 *     made with the lock held, so none is lost between a check and a sleep.
 *  2. lwIP's callbacks (recv, sent, err, accept, connected, udp recv) run
 *     with the lock held, from the driver's receive thread, the timer
 *     thread, or loopback delivery inside net_unlock / our own calls into
 *     lwIP. They only queue data or change state in the inet_sock and wake
 *     its sleepers and pollers (inet_wake: waitq + vfs_poll_notify, which
 *     takes only the inode's spinlock).
 *  3. is->tcp / is->udp is the pcb while lwIP holds it for us; NULL once
 *     lwIP freed it (err callback, or the ext-arg destroy callback for a
 *     pcb freed silently from TIME_WAIT) or once we gave it up (detach:
 *     arg and callbacks cleared before tcp_close/tcp_abort). So lwIP never
 *     calls back into a freed inet_sock, and release frees it at once.
 */
#ifndef NET_INET_H
#define NET_INET_H

#include <skiff/net.h>

#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

/* Linux's sk_shutdown bits. */
#define INET_SHUT_RCV 1
#define INET_SHUT_SEND 2
#define INET_SHUT_ALL 3

/* struct socket.state of Linux (the socket's view of a connection). */
enum inet_sstate { SS_UNCONNECTED, SS_CONNECTING, SS_CONNECTED };

/* The TCP state as Linux reports it (TCP_INFO, /proc/net/tcp). */
enum inet_tcp_state {
	ITCP_ESTABLISHED = 1, ITCP_SYN_SENT, ITCP_SYN_RECV, ITCP_FIN_WAIT1,
	ITCP_FIN_WAIT2, ITCP_TIME_WAIT, ITCP_CLOSE, ITCP_CLOSE_WAIT,
	ITCP_LAST_ACK, ITCP_LISTEN, ITCP_CLOSING
};

/* A received UDP datagram. */
struct inet_dgram {
	struct inet_dgram *next;
	struct pbuf *p;		/* the payload */
	ip_addr_t from;
	u16 port;
};

struct inet_sock {
	struct socket *sk;	/* NULL: in a listener's accept queue */
	int family;		/* AF_INET or AF_INET6 */
	int type;		/* SOCK_STREAM or SOCK_DGRAM */
	bool v6only;		/* IPV6_V6ONLY */
	struct waitq wq;	/* readers, writers, connect and accept */
	int err;		/* pending error (SO_ERROR), positive errno */
	u32 shut;		/* INET_SHUT_*: Linux's sk_shutdown */
	u8 tos, tclass, ttl;	/* IP_TOS, IPV6_TCLASS, IP_TTL */
	bool bound;		/* a local port is taken */
	ip_addr_t laddr, raddr;	/* last known local and peer address */
	u16 lport, rport;	/*   and ports (host order); rport 0: none */
	union {
		struct tcp_pcb *tcp;
		struct udp_pcb *udp;
	};

	/* TCP */
	int sstate;		/* enum inet_sstate */
	int tstate;		/* enum inet_tcp_state as Linux would say */
	bool done;		/* the connection is over (reset, closed) */
	bool rx_fin;		/* the peer's FIN was received */
	struct pbuf *rxq, *rxq_tail; /* received bytes, one pbuf per link */
	u32 rx_off;		/* bytes of rxq already read */
	u32 rx_bytes;		/* unread bytes queued */
	char *bounce;		/* sendmsg's copy of program bytes */
	struct inet_sock *aq, *aq_tail; /* listener: accepted connections */
	struct inet_sock *aq_next;
	u32 aq_len;
	int backlog;
	bool nodelay, cork;
	int keepidle, keepintvl, keepcnt; /* seconds, seconds, probes */
	int defer_accept;	/* TCP_DEFER_ACCEPT in retransmits */
	int maxseg;		/* TCP_MAXSEG set by the program, 0: none */
	int user_timeout;	/* TCP_USER_TIMEOUT (stored) */
	u64 bytes_in, bytes_acked; /* TCP_INFO's bytes_received, _acked */

	/* UDP */
	struct inet_dgram *dq, *dq_tail;
	u32 dq_bytes;		/* queued payload bytes (against rcvbuf) */
};

static inline struct inet_sock *inet_of(struct socket *sk)
{
	return sk->priv;
}

/* ---- net/inet.c ---- */

/* Registers AF_INET and AF_INET6 with the socket core (net_init). */
void inet_init(void);

/* A zeroed inet_sock for family/type (wq ready, ttl 64); NULL: -ENOMEM. */
struct inet_sock *inet_sock_new(int family, int type);
/* Wakes the socket's sleepers and its pollers for events (POLL* bits). */
void inet_wake(struct inet_sock *is, u32 events);
/* The deadline of a wait of timeo_ns (0: none) from now. */
u64 inet_deadline(u64 timeo_ns);
/* Sleeps on is->wq (net lock held): 0, -EAGAIN at the deadline, -EINTR. */
int inet_wait(struct inet_sock *is, u64 deadline);
/* What an address is for (inet_addr_in). */
#define INET_ADDR_BIND 0
#define INET_ADDR_CONNECT 1
#define INET_ADDR_SEND 2
/*
 * A program's sockaddr (kernel copy) to an lwIP address and port, for
 * mode INET_ADDR_*; the any address means this host when connecting. A v4-mapped address on an
 * AF_INET6 socket becomes IPv4 (-EINVAL/-ENETUNREACH with IPV6_V6ONLY).
 * -EINVAL for a short address, -EAFNOSUPPORT for another family.
 */
int inet_addr_in(struct inet_sock *is, const void *addr, u32 len, int mode,
		 ip_addr_t *ip, u16 *port);
/* The sockaddr_in or sockaddr_in6 (v4-mapped on an AF_INET6 socket) of
 * ip/port into out; its length in *len. */
void inet_addr_out(struct inet_sock *is, const ip_addr_t *ip, u16 port,
		   void *out, u32 *len);
/* Whether ip is an address of this host (or the any address). */
bool inet_addr_local(const ip_addr_t *ip);
/* The any address for a bind of is ([::] dual-stack unless v6only). */
void inet_addr_any(struct inet_sock *is, ip_addr_t *ip);
/* lwIP's err_t as a negative errno. */
int inet_errno(err_t e);
/* getsockname/getpeername for both protocols. */
int inet_getname(struct socket *sk, void *addr, u32 *len, bool peer);
/* Options of SOL_IP and SOL_IPV6 (both protocols), SO_* the core passes. */
int inet_setsockopt_ip(struct inet_sock *is, int level, int name,
		       const void *val, u32 len);
int inet_getsockopt_ip(struct inet_sock *is, int level, int name, void *val,
		       u32 *len);
/* The int value of an option (-EINVAL when len < 4). */
int inet_opt_int(const void *val, u32 len, int *out);
/* Stores an int option value: 0 or -EINVAL. */
int inet_opt_put_int(void *val, u32 *len, int v);
/* Writes an int for an ioctl into program memory at arg. */
long inet_ioctl_put(unsigned long arg, int v);
/* The pcb's SOF_* flags and tos/ttl from the socket's options. */
void inet_apply_ip(struct inet_sock *is, struct ip_pcb *pcb);

/* ---- net/tcp.c, net/tcp_opt.c, net/udp.c ---- */

extern const struct sock_ops inet_tcp_ops;
extern const struct sock_ops inet_udp_ops;
/* Makes the pcb of a new socket: 0 or -ENOMEM. */
int inet_tcp_create(struct inet_sock *is);
int inet_udp_create(struct inet_sock *is);
/* TCP options (net/tcp_opt.c). */
int inet_tcp_setsockopt(struct socket *sk, int level, int name,
			const void *val, u32 len);
int inet_tcp_getsockopt(struct socket *sk, int level, int name, void *val,
			u32 *len);
long inet_tcp_ioctl(struct socket *sk, unsigned long req, unsigned long arg);
/* The data path (net/tcp_io.c). */
long inet_tcp_recvmsg(struct socket *sk, struct sock_msg *m, bool nonblock);
long inet_tcp_sendmsg(struct socket *sk, struct sock_msg *m, bool nonblock);
u32 inet_tcp_poll(struct socket *sk);
/* Puts the socket's TCP options on its pcb (after connect/accept). */
void inet_tcp_apply(struct inet_sock *is);
/* The Linux TCP state of is for TCP_INFO and /proc/net/tcp. */
int inet_tcp_state(struct inet_sock *is);

#endif

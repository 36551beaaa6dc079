/*
 * net/inet.c: the AF_INET and AF_INET6 families. Layer: net. Registers
 * both with the socket core (inet_init), makes a socket's state and its
 * lwIP pcb (create), and holds what TCP (net/tcp.c) and UDP (net/udp.c)
 * share: sockaddr_in / sockaddr_in6 to lwIP addresses and back (v4-mapped
 * ::ffff:a.b.c.d on a dual-stack AF_INET6 socket, IPV6_V6ONLY off by
 * default as on Linux), getsockname/getpeername, the SOL_IP and SOL_IPV6
 * options, the SOL_SOCKET ones the core passes on, and waking and waiting.
 * The locking rules are in net/inet.h.
 */
#include <skiff/alloc.h>
#include <skiff/errno.h>
#include <skiff/time.h>
#include <skiff/uaccess.h>

#include "inet.h"
#include "lwip/ip.h"
#include "lwip/netif.h"

/* Option names (Linux x86_64). */
#define SO_REUSEADDR 2
#define SO_ERROR 4
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_LINGER 13
#define SO_REUSEPORT 15
#define SO_ACCEPTCONN 30
#define IP_TOS 1
#define IP_TTL 2
#define IPV6_UNICAST_HOPS 16
#define IPV6_V6ONLY 26
#define IPV6_TCLASS 67
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

struct l_sockaddr_in {
	u16 family;
	u16 port;		/* network order */
	u32 addr;		/* network order */
	u8 zero[8];
};

struct l_sockaddr_in6 {
	u16 family;
	u16 port;
	u32 flowinfo;
	u8 addr[16];
	u32 scope_id;
};
_Static_assert(sizeof(struct l_sockaddr_in) == 16, "sockaddr_in");
_Static_assert(sizeof(struct l_sockaddr_in6) == 28, "sockaddr_in6");
#define SIN6_LEN_RFC2133 24	/* Linux accepts sockaddr_in6 without scope */

static u16 swap16(u16 v)
{
	return (u16)(v << 8 | v >> 8);
}

struct inet_sock *inet_sock_new(int family, int type)
{
	struct inet_sock *is = kzalloc(sizeof(*is));

	if (!is)
		return NULL;
	is->family = family;
	is->type = type;
	is->ttl = 64;
	is->keepidle = 7200;
	is->keepintvl = 75;
	is->keepcnt = 9;
	waitq_init(&is->wq);
	if (family == AF_INET6)
		ip_addr_set_any(1, &is->laddr);
	else
		ip_addr_set_any(0, &is->laddr);
	ip_addr_copy(is->raddr, is->laddr);
	return is;
}

void inet_wake(struct inet_sock *is, u32 events)
{
	net_wake(&is->wq);
	if (is->sk && is->sk->inode)
		vfs_poll_notify(is->sk->inode, events);
}

u64 inet_deadline(u64 timeo_ns)
{
	return timeo_ns ? time_monotonic_ns() + timeo_ns : 0;
}

int inet_wait(struct inet_sock *is, u64 deadline)
{
	int r = net_sleep(&is->wq, deadline);

	return r == -ETIMEDOUT ? -EAGAIN : r;
}

int inet_errno(err_t e)
{
	switch (e) {
	case ERR_OK: return 0;
	case ERR_MEM: return -ENOMEM;
	case ERR_BUF: return -ENOBUFS;
	case ERR_TIMEOUT: return -ETIMEDOUT;
	case ERR_RTE: return -ENETUNREACH;
	case ERR_INPROGRESS: return -EINPROGRESS;
	case ERR_VAL: return -EINVAL;
	case ERR_WOULDBLOCK: return -EAGAIN;
	case ERR_USE: return -EADDRINUSE;
	case ERR_ALREADY: return -EALREADY;
	case ERR_ISCONN: return -EISCONN;
	case ERR_CONN: return -ENOTCONN;
	case ERR_IF: return -ENETUNREACH;
	case ERR_ABRT: return -ECONNABORTED;
	case ERR_RST: return -ECONNRESET;
	case ERR_CLSD: return -ENOTCONN;
	case ERR_ARG: return -EINVAL;
	default: return -EIO;
	}
}

/* ---- addresses ---- */

static void set_v4(ip_addr_t *ip, u32 be_addr)
{
	ip_addr_set_zero_ip4(ip);
	ip_2_ip4(ip)->addr = be_addr;
}

static bool is_mapped(const u8 a[16])
{
	static const u8 pre[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return !memcmp(a, pre, 12);
}

static bool all_zero(const u8 *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

static int addr_in4(const void *addr, u32 len, int mode, ip_addr_t *ip,
		    u16 *port)
{
	const struct l_sockaddr_in *sin = addr;

	if (len < sizeof(*sin))
		return -EINVAL;
	if (sin->family != AF_INET) {
		/* Linux lets bind take AF_UNSPEC for INADDR_ANY, sendto any
		 * AF_UNSPEC address. */
		if (sin->family != AF_UNSPEC || mode == INET_ADDR_CONNECT ||
		    (mode == INET_ADDR_BIND && sin->addr))
			return -EAFNOSUPPORT;
	}
	set_v4(ip, sin->addr);
	if (mode != INET_ADDR_BIND && !sin->addr)
		set_v4(ip, PP_HTONL(0x7f000001)); /* 0.0.0.0 is this host */
	*port = swap16(sin->port);
	return 0;
}

static int addr_in6(struct inet_sock *is, const void *addr, u32 len,
		    int mode, ip_addr_t *ip, u16 *port)
{
	const struct l_sockaddr_in6 *sin6 = addr;

	if (len < SIN6_LEN_RFC2133)
		return -EINVAL;
	if (sin6->family != AF_INET6)
		return -EAFNOSUPPORT;
	*port = swap16(sin6->port);
	if (is_mapped(sin6->addr)) {
		u32 a;

		if (is->v6only)
			return mode == INET_ADDR_BIND ? -EINVAL : -ENETUNREACH;
		memcpy(&a, sin6->addr + 12, 4);
		set_v4(ip, a);
		if (mode != INET_ADDR_BIND && !a)
			set_v4(ip, PP_HTONL(0x7f000001));
		return 0;
	}
	ip_addr_set_zero_ip6(ip);
	memcpy(ip_2_ip6(ip)->addr, sin6->addr, 16);
	if (all_zero(sin6->addr, 16)) {
		if (mode == INET_ADDR_BIND) {
			inet_addr_any(is, ip);
		} else {
			static const u8 lo[16] = { [15] = 1 };

			memcpy(ip_2_ip6(ip)->addr, lo, 16);
		}
	}
	return 0;
}

int inet_addr_in(struct inet_sock *is, const void *addr, u32 len, int mode,
		 ip_addr_t *ip, u16 *port)
{
	if (is->family == AF_INET)
		return addr_in4(addr, len, mode, ip, port);
	return addr_in6(is, addr, len, mode, ip, port);
}

void inet_addr_out(struct inet_sock *is, const ip_addr_t *ip, u16 port,
		   void *out, u32 *len)
{
	if (is->family == AF_INET) {
		struct l_sockaddr_in sin = { .family = AF_INET };

		sin.port = swap16(port);
		if (IP_IS_V4_VAL(*ip) || IP_IS_ANY_TYPE_VAL(*ip))
			sin.addr = ip_2_ip4(ip)->addr;
		memcpy(out, &sin, sizeof(sin));
		*len = sizeof(sin);
		return;
	}
	struct l_sockaddr_in6 sin6 = { .family = AF_INET6 };

	sin6.port = swap16(port);
	if (IP_IS_V4_VAL(*ip)) {
		sin6.addr[10] = sin6.addr[11] = 0xff;
		memcpy(sin6.addr + 12, &ip_2_ip4(ip)->addr, 4);
	} else if (IP_IS_V6_VAL(*ip)) {
		memcpy(sin6.addr, ip_2_ip6(ip)->addr, 16);
	}
	memcpy(out, &sin6, sizeof(sin6));
	*len = sizeof(sin6);
}

void inet_addr_any(struct inet_sock *is, ip_addr_t *ip)
{
	if (is->family == AF_INET)
		ip_addr_copy(*ip, *IP4_ADDR_ANY);
	else if (is->v6only)
		ip_addr_copy(*ip, *IP6_ADDR_ANY);
	else
		ip_addr_copy(*ip, *IP_ANY_TYPE);
}

bool inet_addr_local(const ip_addr_t *ip)
{
	struct netif *n;

	if (ip_addr_isany(ip))
		return true;
	if (IP_IS_V4_VAL(*ip)) {
		u32 a = lwip_ntohl(ip_2_ip4(ip)->addr);

		if ((a >> 24) == 127 || a == 0xffffffffu || (a >> 28) == 14)
			return true;
		NETIF_FOREACH(n)
			if (ip4_addr_cmp(netif_ip4_addr(n), ip_2_ip4(ip)))
				return true;
		return false;
	}
	if (ip6_addr_isloopback(ip_2_ip6(ip)))
		return true;
	NETIF_FOREACH(n)
		if (netif_get_ip6_addr_match(n, ip_2_ip6(ip)) >= 0)
			return true;
	return false;
}

/* Refreshes is->laddr/lport (and raddr/rport when connected) from its
 * pcb; they stay as they were once the pcb is gone. */
static void sync_names(struct inet_sock *is)
{
	if (is->type == SOCK_STREAM && is->tcp) {
		ip_addr_copy(is->laddr, is->tcp->local_ip);
		is->lport = is->tcp->local_port;
		if (is->tcp->state != LISTEN && is->tcp->remote_port) {
			ip_addr_copy(is->raddr, is->tcp->remote_ip);
			is->rport = is->tcp->remote_port;
		}
	} else if (is->type == SOCK_DGRAM && is->udp) {
		ip_addr_copy(is->laddr, is->udp->local_ip);
		is->lport = is->udp->local_port;
		/* A connected socket shows the source address the route
		 * picks, as Linux binds it on connect. */
		if (is->rport && ip_addr_isany(&is->laddr)) {
			struct netif *n = ip_route(&is->laddr, &is->raddr);
			const ip_addr_t *src =
				n ? ip_netif_get_local_ip(n, &is->raddr) : NULL;

			if (src)
				ip_addr_copy(is->laddr, *src);
		}
	}
}

int inet_getname(struct socket *sk, void *addr, u32 *len, bool peer)
{
	struct inet_sock *is = inet_of(sk);
	int r = 0;

	net_lock();
	sync_names(is);
	if (!peer) {
		inet_addr_out(is, &is->laddr, is->lport, addr, len);
	} else if (!is->rport || (is->type == SOCK_STREAM &&
				  (is->tstate == ITCP_CLOSE ||
				   is->tstate == ITCP_SYN_SENT ||
				   is->tstate == ITCP_LISTEN))) {
		r = -ENOTCONN;
	} else {
		inet_addr_out(is, &is->raddr, is->rport, addr, len);
	}
	net_unlock();
	return r;
}

/* ---- options ---- */

int inet_opt_int(const void *val, u32 len, int *out)
{
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(out, val, sizeof(int));
	return 0;
}

int inet_opt_put_int(void *val, u32 *len, int v)
{
	if (*len < sizeof(int)) {
		/* Linux gives the low byte of a small option to a short
		 * buffer. */
		if (!*len)
			return -EINVAL;
		*(u8 *)val = (u8)v;
		*len = 1;
		return 0;
	}
	memcpy(val, &v, sizeof(int));
	*len = sizeof(int);
	return 0;
}

long inet_ioctl_put(unsigned long arg, int v)
{
	return copy_to_user((void *)arg, &v, sizeof(v)) ? -EFAULT : 0;
}

void inet_apply_ip(struct inet_sock *is, struct ip_pcb *pcb)
{
	/* An accepted connection without its socket yet keeps what lwIP
	 * inherited from the listener. */
	if (is->sk) {
		u32 o = is->sk->opts;

		pcb->so_options &=
			~(SOF_REUSEADDR | SOF_KEEPALIVE | SOF_BROADCAST);
		if (o & SOCK_OPT_REUSEADDR)
			pcb->so_options |= SOF_REUSEADDR;
		if (o & SOCK_OPT_KEEPALIVE)
			pcb->so_options |= SOF_KEEPALIVE;
		if (o & SOCK_OPT_BROADCAST)
			pcb->so_options |= SOF_BROADCAST;
	}
	pcb->tos = IP_IS_V6_VAL(pcb->local_ip) ? is->tclass : is->tos;
	pcb->ttl = is->ttl;
}

static struct ip_pcb *pcb_of(struct inet_sock *is)
{
	if (is->type == SOCK_STREAM)
		return (struct ip_pcb *)is->tcp;
	return (struct ip_pcb *)is->udp;
}

/* A SOL_SOCKET flag the core passes on: mirror it into sk->opts (the core
 * may have done so already) and onto the pcb. */
static int sol_socket_set(struct inet_sock *is, int name, const void *val,
			  u32 len)
{
	u32 bit;
	int v;

	switch (name) {
	case SO_REUSEADDR: bit = SOCK_OPT_REUSEADDR; break;
	case SO_KEEPALIVE: bit = SOCK_OPT_KEEPALIVE; break;
	case SO_BROADCAST: bit = SOCK_OPT_BROADCAST; break;
	case SO_REUSEPORT: bit = SOCK_OPT_REUSEPORT; break;
	case SO_RCVBUF:
	case SO_SNDBUF:
	case SO_LINGER:
		return 0;	/* kept by the core, read when used */
	default:
		return -ENOPROTOOPT;
	}
	if (inet_opt_int(val, len, &v))
		return -EINVAL;
	if (is->sk) {
		if (v)
			is->sk->opts |= bit;
		else
			is->sk->opts &= ~bit;
	}
	if (pcb_of(is))
		inet_apply_ip(is, pcb_of(is));
	return 0;
}

static int sol_socket_get(struct inet_sock *is, int name, void *val, u32 *len)
{
	int v;

	switch (name) {
	case SO_ERROR:
		v = is->err;
		is->err = 0;
		break;
	case SO_ACCEPTCONN:
		v = is->type == SOCK_STREAM && is->tstate == ITCP_LISTEN;
		break;
	default:
		return -ENOPROTOOPT;
	}
	return inet_opt_put_int(val, len, v);
}

/* An int option given as an int or (Linux allows it) a single byte. */
static int opt_int_or_byte(const void *val, u32 len, int *v)
{
	if (len >= sizeof(int))
		return inet_opt_int(val, len, v);
	if (len < 1)
		return -EINVAL;
	*v = *(const u8 *)val;
	return 0;
}

static int ip_set(struct inet_sock *is, int name, const void *val, u32 len)
{
	int v;

	if (opt_int_or_byte(val, len, &v))
		return -EINVAL;
	switch (name) {
	case IP_TOS:
		is->tos = (u8)(is->type == SOCK_STREAM ? (v & ~3) : v);
		return 0;
	case IP_TTL:
		if (v == -1)
			v = 64;
		if (v < 1 || v > 255)
			return -EINVAL;
		is->ttl = (u8)v;
		return 0;
	}
	return -ENOPROTOOPT;
}

static int ipv6_set(struct inet_sock *is, int name, const void *val, u32 len)
{
	int v;

	if (inet_opt_int(val, len, &v))
		return -EINVAL;
	switch (name) {
	case IPV6_V6ONLY:
		if (is->bound)
			return -EINVAL;
		is->v6only = v != 0;
		if (pcb_of(is)) {
			u8 t = is->v6only ? IPADDR_TYPE_V6 : IPADDR_TYPE_ANY;

			IP_SET_TYPE_VAL(pcb_of(is)->local_ip, t);
			IP_SET_TYPE_VAL(pcb_of(is)->remote_ip, t);
		}
		return 0;
	case IPV6_TCLASS:
		if (v < -1 || v > 255)
			return -EINVAL;
		is->tclass = (u8)(v == -1 ? 0 : v);
		return 0;
	case IPV6_UNICAST_HOPS:
		if (v < -1 || v > 255)
			return -EINVAL;
		is->ttl = (u8)(v == -1 ? 64 : v);
		return 0;
	}
	return -ENOPROTOOPT;
}

int inet_setsockopt_ip(struct inet_sock *is, int level, int name,
		       const void *val, u32 len)
{
	int r = -ENOPROTOOPT;

	if (level == SOL_SOCKET)
		return sol_socket_set(is, name, val, len);
	if (level == SOL_IP)
		r = ip_set(is, name, val, len);
	else if (level == SOL_IPV6 && is->family == AF_INET6)
		r = ipv6_set(is, name, val, len);
	if (!r && pcb_of(is))
		inet_apply_ip(is, pcb_of(is));
	return r;
}

int inet_getsockopt_ip(struct inet_sock *is, int level, int name, void *val,
		       u32 *len)
{
	if (level == SOL_SOCKET)
		return sol_socket_get(is, name, val, len);
	if (level == SOL_IP) {
		if (name == IP_TOS)
			return inet_opt_put_int(val, len, is->tos);
		if (name == IP_TTL)
			return inet_opt_put_int(val, len, is->ttl);
		return -ENOPROTOOPT;
	}
	if (level != SOL_IPV6 || is->family != AF_INET6)
		/* Linux: ip_getsockopt refuses a level it does not know. */
		return is->family == AF_INET ? -EOPNOTSUPP : -ENOPROTOOPT;
	switch (name) {
	case IPV6_V6ONLY:
		return inet_opt_put_int(val, len, is->v6only);
	case IPV6_TCLASS:
		return inet_opt_put_int(val, len, is->tclass);
	case IPV6_UNICAST_HOPS:
		return inet_opt_put_int(val, len, is->ttl);
	}
	return -ENOPROTOOPT;
}

/* ---- the families ---- */

static int inet_create(struct socket *sk, int type, int protocol, int family)
{
	struct inet_sock *is;
	int r;

	if (type == SOCK_STREAM) {
		if (protocol && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		protocol = IPPROTO_TCP;
	} else if (type == SOCK_DGRAM) {
		if (protocol && protocol != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		protocol = IPPROTO_UDP;
	} else if (type == SOCK_RAW) {
		return -EPROTONOSUPPORT;
	} else {
		return -ESOCKTNOSUPPORT;
	}
	is = inet_sock_new(family, type);
	if (!is)
		return -ENOMEM;
	is->sk = sk;
	net_lock();
	r = type == SOCK_STREAM ? inet_tcp_create(is) : inet_udp_create(is);
	net_unlock();
	if (r) {
		kfree(is);
		return r;
	}
	sk->protocol = protocol;
	sk->ops = type == SOCK_STREAM ? &inet_tcp_ops : &inet_udp_ops;
	sk->priv = is;
	return 0;
}

static int inet4_create(struct socket *sk, int type, int protocol)
{
	return inet_create(sk, type, protocol, AF_INET);
}

static int inet6_create(struct socket *sk, int type, int protocol)
{
	return inet_create(sk, type, protocol, AF_INET6);
}

static const struct net_family inet4_family = {
	.family = AF_INET,
	.create = inet4_create,
};

static const struct net_family inet6_family = {
	.family = AF_INET6,
	.create = inet6_create,
};

void inet_init(void)
{
	net_family_register(&inet4_family);
	net_family_register(&inet6_family);
}

/*
 * net/udp.c: UDP sockets (SOCK_DGRAM of AF_INET and AF_INET6) over lwIP's
 * raw UDP API. Layer: net. The struct sock_ops inet_udp_ops.
 *
 * A socket owns one udp_pcb from create to release. Its recv callback
 * queues each datagram (its pbuf and source address) while the queue's
 * payload stays under SO_RCVBUF, and drops it otherwise, as a full
 * Linux socket does. recvmsg takes one datagram: MSG_TRUNC in msg_flags
 * when it was longer than the buffer (and its real length returned with
 * MSG_TRUNC in the call's flags), MSG_PEEK leaves it queued. sendmsg
 * copies the bytes into one pbuf and udp_sendto's it: to the connected
 * peer or the given address (EDESTADDRREQ with neither), binding an
 * ephemeral port first if needed; EMSGSIZE past 65507 bytes (65527 over
 * IPv6), EACCES for a broadcast without SO_BROADCAST. connect sets the
 * default peer (udp_connect), AF_UNSPEC removes it. Locking: net/inet.h.
 * DIVERGENCE: over IPv6 a datagram whose packet passes 65535 bytes (a
 * payload over 65487) fails (lwIP's pbuf lengths are 16-bit),
 * where Linux sends up to 65527; no ICMP errors are reported
 * (ECONNREFUSED on a connected socket).
 */
#include <skiff/alloc.h>
#include <skiff/errno.h>

#include "inet.h"
#include "lwip/netif.h"

#define SIOCINQ 0x541B
#define SIOCOUTQ 0x5411
#define UDP_CORK 1
#define UDP_MAX4 65507		/* 65535 - IPv4 and UDP headers */
#define UDP_MAX6 65527		/* 65535 - UDP header (IPv6 payload) */
#define RCVBUF_DEFAULT 212992

static void cb_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
		    const ip_addr_t *addr, u16_t port)
{
	struct inet_sock *is = arg;
	u32 limit = is && is->sk ? is->sk->rcvbuf : RCVBUF_DEFAULT;
	struct inet_dgram *d;

	(void)pcb;
	if (!limit)
		limit = RCVBUF_DEFAULT;
	if (!is || (is->dq && is->dq_bytes + p->tot_len > limit) ||
	    !(d = kmalloc(sizeof(*d)))) {
		pbuf_free(p);
		return;
	}
	d->next = NULL;
	d->p = p;
	ip_addr_copy(d->from, *addr);
	d->port = port;
	if (is->dq_tail)
		is->dq_tail->next = d;
	else
		is->dq = d;
	is->dq_tail = d;
	is->dq_bytes += p->tot_len;
	inet_wake(is, POLLIN | POLLRDNORM);
}

int inet_udp_create(struct inet_sock *is)
{
	u8 t = IPADDR_TYPE_V4;

	if (is->family == AF_INET6)
		t = is->v6only ? IPADDR_TYPE_V6 : IPADDR_TYPE_ANY;
	is->udp = udp_new_ip_type(t);
	if (!is->udp)
		return -ENOMEM;
	udp_recv(is->udp, cb_recv, is);
	inet_apply_ip(is, (struct ip_pcb *)is->udp);
	return 0;
}

static int dgram_bind(struct socket *sk, const void *addr, u32 len)
{
	struct inet_sock *is = inet_of(sk);
	ip_addr_t ip;
	u16 port;
	err_t e;
	int r;

	net_lock();
	r = inet_addr_in(is, addr, len, INET_ADDR_BIND, &ip, &port);
	if (!r && !inet_addr_local(&ip))
		r = -EADDRNOTAVAIL;
	if (!r && is->bound)
		r = -EINVAL;
	if (!r) {
		inet_apply_ip(is, (struct ip_pcb *)is->udp);
		e = udp_bind(is->udp, &ip, port);
		r = e == ERR_USE ? -EADDRINUSE : inet_errno(e);
	}
	if (!r)
		is->bound = true;
	net_unlock();
	return r;
}

static int dgram_connect(struct socket *sk, const void *addr, u32 len,
			 bool nonblock)
{
	struct inet_sock *is = inet_of(sk);
	ip_addr_t ip;
	u16 port;
	int r;

	(void)nonblock;
	net_lock();
	if (len >= 2 && *(const u16 *)addr == AF_UNSPEC) {
		udp_disconnect(is->udp);
		is->rport = 0;
		is->sstate = SS_UNCONNECTED;
		r = 0;
		goto out;
	}
	r = inet_addr_in(is, addr, len, INET_ADDR_CONNECT, &ip, &port);
	if (r)
		goto out;
	inet_apply_ip(is, (struct ip_pcb *)is->udp);
	r = inet_errno(udp_connect(is->udp, &ip, port));
	if (r)
		goto out;
	is->bound = true;
	ip_addr_copy(is->raddr, ip);
	is->rport = port;
	is->sstate = SS_CONNECTED;
out:
	net_unlock();
	return r;
}

static bool is_broadcast(const ip_addr_t *ip)
{
	struct netif *n;

	if (!IP_IS_V4_VAL(*ip))
		return false;
	if (ip_2_ip4(ip)->addr == 0xffffffffu)
		return true;
	NETIF_FOREACH(n)
		if (ip4_addr_isbroadcast(ip_2_ip4(ip), n))
			return true;
	return false;
}

/* The destination of a send: the given address or the connected peer. */
static int send_dest(struct inet_sock *is, struct sock_msg *m, ip_addr_t *ip,
		     u16 *port)
{
	int r;

	if (!m->name) {
		if (!is->rport)
			return -EDESTADDRREQ;
		ip_addr_copy(*ip, is->raddr);
		*port = is->rport;
		return 0;
	}
	r = inet_addr_in(is, m->name, m->namelen, INET_ADDR_SEND, ip, port);
	if (!r && !*port)
		r = -EINVAL;
	return r;
}

static long dgram_sendmsg(struct socket *sk, struct sock_msg *m,
			  bool nonblock)
{
	struct inet_sock *is = inet_of(sk);
	size_t len = m->len;
	ip_addr_t ip;
	struct pbuf *p;
	u16 port;
	long r;

	(void)nonblock;
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	net_lock();
	r = send_dest(is, m, &ip, &port);
	if (r)
		goto out;
	if (len > (IP_IS_V4_VAL(ip) ? UDP_MAX4 : UDP_MAX6)) {
		r = -EMSGSIZE;
		goto out;
	}
	if (is_broadcast(&ip) && !(sk->opts & SOCK_OPT_BROADCAST)) {
		r = -EACCES;
		goto out;
	}
	p = pbuf_alloc(PBUF_TRANSPORT, (u16)len, PBUF_RAM);
	if (!p) {
		r = -ENOBUFS;
		goto out;
	}
	if (len && msg_copy_from(m, p->payload, len) != (long)len) {
		pbuf_free(p);
		r = -EFAULT;
		goto out;
	}
	r = inet_errno(udp_sendto(is->udp, p, &ip, port));
	pbuf_free(p);
	if (r == -EINVAL)
		r = -ENETUNREACH;	/* an address of the other family */
	if (!r) {
		is->bound = true;
		r = (long)len;
	}
out:
	net_unlock();
	return r;
}

/* Copies datagram d into m: the bytes copied or -EFAULT. */
static long dgram_copy(struct inet_dgram *d, struct sock_msg *m, size_t n)
{
	size_t done = 0;

	for (struct pbuf *q = d->p; q && done < n; q = q->next) {
		size_t take = MIN((size_t)q->len, n - done);
		long got = msg_copy_to(m, q->payload, take);

		if (got < (long)take)
			return -EFAULT;
		done += take;
	}
	return (long)done;
}

static void dgram_name(struct inet_sock *is, struct inet_dgram *d,
		       struct sock_msg *m)
{
	u8 sa[28];
	u32 full;

	if (!m->name) {
		m->namelen = 0;
		return;
	}
	inet_addr_out(is, &d->from, d->port, sa, &full);
	memcpy(m->name, sa, MIN(m->namelen, full));
	m->namelen = full;
}

static long dgram_recvmsg(struct socket *sk, struct sock_msg *m,
			  bool nonblock)
{
	struct inet_sock *is = inet_of(sk);
	u64 deadline = inet_deadline(sk->rcvtimeo_ns);
	int flags = m->flags;
	struct inet_dgram *d;
	size_t dlen;
	long r = 0;

	m->flags = 0;
	m->controllen = 0;
	net_lock();
	while (!is->dq) {
		if (is->err) {
			r = -is->err;
			is->err = 0;
		} else if (is->shut & INET_SHUT_RCV) {
			m->namelen = 0;
			r = 0;
		} else {
			r = nonblock ? -EAGAIN : inet_wait(is, deadline);
			if (!r)
				continue;
		}
		goto out;
	}
	d = is->dq;
	dlen = d->p->tot_len;
	r = dgram_copy(d, m, MIN(dlen, m->len));
	if (r < 0)
		goto out;
	if (dlen > m->len)
		m->flags |= MSG_TRUNC;
	dgram_name(is, d, m);
	if (flags & MSG_TRUNC)
		r = (long)dlen;
	if (!(flags & MSG_PEEK)) {
		is->dq = d->next;
		if (!is->dq)
			is->dq_tail = NULL;
		is->dq_bytes -= (u32)dlen;
		pbuf_free(d->p);
		kfree(d);
		inet_wake(is, POLL_OUT_BITS);
	}
out:
	net_unlock();
	return r;
}

/* Linux's datagram_poll. */
static u32 dgram_poll(struct socket *sk)
{
	struct inet_sock *is = inet_of(sk);
	u32 mask = POLLOUT | POLLWRNORM | POLLWRBAND;

	net_lock();
	if (is->dq)
		mask |= POLLIN | POLLRDNORM;
	if (is->err)
		mask |= POLLERR;
	if (is->shut & INET_SHUT_RCV)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (is->shut == INET_SHUT_ALL)
		mask |= POLLHUP;
	net_unlock();
	return mask;
}

static int dgram_shutdown(struct socket *sk, int how)
{
	struct inet_sock *is = inet_of(sk);
	int r = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	net_lock();
	/* Linux sets the bits even when it says ENOTCONN. */
	is->shut |= (u32)how + 1;
	if (!is->rport)
		r = -ENOTCONN;
	inet_wake(is, 0);
	net_unlock();
	return r;
}

/* DIVERGENCE: UDP_CORK is kept and reported, but each send is still
 * its own datagram. */
static int dgram_setsockopt(struct socket *sk, int level, int name,
			    const void *val, u32 len)
{
	struct inet_sock *is = inet_of(sk);
	int r, v;

	net_lock();
	if (level == SOL_UDP && name == UDP_CORK) {
		r = inet_opt_int(val, len, &v);
		if (!r)
			is->cork = v != 0;
	} else {
		r = inet_setsockopt_ip(is, level, name, val, len);
	}
	net_unlock();
	return r;
}

static int dgram_getsockopt(struct socket *sk, int level, int name,
			    void *val, u32 *len)
{
	struct inet_sock *is = inet_of(sk);
	int r;

	net_lock();
	if (level == SOL_UDP && name == UDP_CORK)
		r = inet_opt_put_int(val, len, is->cork);
	else
		r = inet_getsockopt_ip(is, level, name, val, len);
	net_unlock();
	return r;
}

static long dgram_ioctl(struct socket *sk, unsigned long req,
			unsigned long arg)
{
	struct inet_sock *is = inet_of(sk);
	int v = 0;

	if (req != SIOCINQ && req != SIOCOUTQ)
		return -ENOTTY;
	net_lock();
	if (req == SIOCINQ && is->dq)
		v = is->dq->p->tot_len;
	net_unlock();
	return inet_ioctl_put(arg, v);
}

static void dgram_release(struct socket *sk)
{
	struct inet_sock *is = inet_of(sk);

	if (!is)
		return;
	net_lock();
	is->sk = NULL;
	udp_remove(is->udp);
	is->udp = NULL;
	while (is->dq) {
		struct inet_dgram *d = is->dq;

		is->dq = d->next;
		pbuf_free(d->p);
		kfree(d);
	}
	net_unlock();
	kfree(is);
	sk->priv = NULL;
}

const struct sock_ops inet_udp_ops = {
	.bind = dgram_bind,
	.connect = dgram_connect,
	.getname = inet_getname,
	.sendmsg = dgram_sendmsg,
	.recvmsg = dgram_recvmsg,
	.shutdown = dgram_shutdown,
	.setsockopt = dgram_setsockopt,
	.getsockopt = dgram_getsockopt,
	.poll = dgram_poll,
	.ioctl = dgram_ioctl,
	.release = dgram_release,
};

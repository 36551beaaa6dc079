/*
 * net/tcp.c: TCP sockets (SOCK_STREAM of AF_INET and AF_INET6) over
 * lwIP's raw TCP API. Layer: net. The struct sock_ops inet_tcp_ops and a
 * connection's life; the data path (recvmsg, sendmsg, poll) is in
 * net/tcp_io.c, options, ioctls and TCP_INFO in net/tcp_opt.c. Locking
 * and the callback rules: net/inet.h.
 *
 * A socket's life, as Linux shows it:
 *   create     a pcb in lwIP's CLOSED state (tcp_new_ip_type: V4, or V6
 *              / dual-stack ANY on AF_INET6 by IPV6_V6ONLY)
 *   bind       tcp_bind (port 0: ephemeral); EADDRNOTAVAIL for an address
 *              not on this host; EADDRINUSE also against a listener when
 *              both sides set SO_REUSEADDR (lwIP would allow that)
 *   listen     tcp_listen (implicit bind) -> a listen pcb; each connection
 *              the handshake completes gets an inet_sock at once (accept
 *              callback), counted in lwIP's backlog (tcp_backlog_delayed)
 *              until accept takes it (tcp_backlog_accepted)
 *   connect    tcp_connect: SYN_SENT; the connected callback makes it
 *              ESTABLISHED, the err callback ECONNREFUSED / ETIMEDOUT
 *   data       received pbufs are queued one per link (rxq); recvmsg
 *              copies them out and calls tcp_recved for what it consumed,
 *              so the window is the room the reader leaves. sendmsg copies
 *              into a bounce buffer and tcp_write(COPY)s up to tcp_sndbuf,
 *              then tcp_output unless MSG_MORE / TCP_CORK
 *   FIN        recv callback with no pbuf: rx_fin, RCV shutdown (EOF)
 *   RST/abort  err callback: lwIP freed the pcb; the error is pending
 *   release    detach (callbacks cleared), then tcp_close (RST when
 *              unread data is left, as Linux) or tcp_abort (SO_LINGER 0)
 * A pcb that reaches TIME_WAIT while the socket is open is given up at
 * once (Linux's socket is CLOSE there too): lwIP frees TIME_WAIT pcbs
 * without a callback.
 * DIVERGENCE: SO_RCVBUF and SO_SNDBUF do not size the window or the send
 * buffer (lwipopts.h's TCP_WND and TCP_SND_BUF, 1 MiB, for every
 * connection); two listeners on one port are EADDRINUSE even with
 * SO_REUSEPORT on both; urgent data (MSG_OOB) is not supported.
 */
#include <skiff/alloc.h>
#include <skiff/errno.h>

#include "inet.h"
#include "lwip/priv/tcp_priv.h"

#define MAX_BACKLOG 4096	/* Linux's somaxconn */

#if LWIP_TCP_PCB_NUM_EXT_ARGS
static u8 ext_id;
static bool ext_ready;

/* lwIP frees a pcb that still has our inet_sock: silently from
 * TIME_WAIT, or before the err callback of an abort. */
static void ext_destroyed(u8_t id, void *data)
{
	struct inet_sock *is = data;

	(void)id;
	if (!is)
		return;
	/* An err callback may follow (an abort frees first): it sets the
	 * error and the state. */
	is->tcp = NULL;
	is->done = true;
	inet_wake(is, 0);
}

static const struct tcp_ext_arg_callbacks ext_callbacks = {
	.destroy = ext_destroyed,
};
#endif

static void ext_set(struct tcp_pcb *pcb, struct inet_sock *is)
{
#if LWIP_TCP_PCB_NUM_EXT_ARGS
	if (!ext_ready) {
		ext_id = tcp_ext_arg_alloc_id();
		ext_ready = true;
	}
	tcp_ext_arg_set_callbacks(pcb, ext_id, &ext_callbacks);
	tcp_ext_arg_set(pcb, ext_id, is);
#else
	(void)pcb;
	(void)is;
#endif
}

static err_t cb_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
		     err_t err);
static err_t cb_sent(void *arg, struct tcp_pcb *pcb, u16_t len);
static void cb_err(void *arg, err_t err);

static void attach(struct inet_sock *is, struct tcp_pcb *pcb)
{
	is->tcp = pcb;
	tcp_arg(pcb, is);
	tcp_recv(pcb, cb_recv);
	tcp_sent(pcb, cb_sent);
	tcp_err(pcb, cb_err);
	ext_set(pcb, is);
}

/* Gives up the pcb: lwIP calls nothing of ours on it from now on. */
static struct tcp_pcb *detach(struct inet_sock *is)
{
	struct tcp_pcb *pcb = is->tcp;

	if (!pcb)
		return NULL;
	tcp_arg(pcb, NULL);
	if (pcb->state == LISTEN) {
		tcp_accept(pcb, NULL);
	} else {
		tcp_recv(pcb, NULL);
		tcp_sent(pcb, NULL);
		tcp_err(pcb, NULL);
	}
	ext_set(pcb, NULL);
	is->tcp = NULL;
	return pcb;
}

/* Closes what detach gave up; abort sends RST. */
static void pcb_close(struct tcp_pcb *pcb, bool abort)
{
	if (!pcb)
		return;
	if (abort || tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);
}

static struct tcp_pcb *new_pcb(struct inet_sock *is)
{
	u8 t = IPADDR_TYPE_V4;
	struct tcp_pcb *pcb;

	if (is->family == AF_INET6)
		t = is->v6only ? IPADDR_TYPE_V6 : IPADDR_TYPE_ANY;
	pcb = tcp_new_ip_type(t);
	if (!pcb)
		return NULL;
	attach(is, pcb);
	inet_apply_ip(is, (struct ip_pcb *)pcb);
	inet_tcp_apply(is);
	return pcb;
}

int inet_tcp_create(struct inet_sock *is)
{
	is->tstate = ITCP_CLOSE;
	return new_pcb(is) ? 0 : -ENOMEM;
}

static void rxq_free(struct inet_sock *is)
{
	while (is->rxq) {
		struct pbuf *p = is->rxq;

		is->rxq = p->next;
		p->next = NULL;
		pbuf_free(p);
	}
	is->rxq_tail = NULL;
	is->rx_off = is->rx_bytes = 0;
}

/* The connection is over: Linux's tcp_done. */
static void conn_done(struct inet_sock *is)
{
	is->done = true;
	is->shut = INET_SHUT_ALL;
	is->tstate = ITCP_CLOSE;
	inet_wake(is, 0);
}

/* A pcb in TIME_WAIT is lwIP's alone from now on (module comment). */
static void check_time_wait(struct inet_sock *is)
{
	if (is->tcp && is->tcp->state == TIME_WAIT) {
		pcb_close(detach(is), false);
		conn_done(is);
	}
}

/* ---- callbacks (network lock held; net/inet.h) ---- */

static err_t cb_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
		     err_t err)
{
	struct inet_sock *is = arg;

	(void)err;
	if (!is)
		return tcp_recv_null(NULL, pcb, p, ERR_OK);
	if (!p) {
		is->rx_fin = true;
		is->shut |= INET_SHUT_RCV;
		check_time_wait(is);
		inet_wake(is, POLL_IN_BITS);
		return ERR_OK;
	}
	is->bytes_in += p->tot_len;
	while (p) {
		struct pbuf *next = p->next;

		p->next = NULL;
		if (!p->len) {
			pbuf_free(p);
		} else {
			if (is->rxq_tail)
				is->rxq_tail->next = p;
			else
				is->rxq = p;
			is->rxq_tail = p;
			is->rx_bytes += p->len;
		}
		p = next;
	}
	inet_wake(is, POLLIN | POLLRDNORM);
	return ERR_OK;
}

static err_t cb_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct inet_sock *is = arg;

	(void)pcb;
	if (!is)
		return ERR_OK;
	is->bytes_acked += len;
	check_time_wait(is);
	inet_wake(is, POLL_OUT_BITS);
	return ERR_OK;
}

/* lwIP freed the pcb (or is about to, without touching it again). */
static void cb_err(void *arg, err_t err)
{
	struct inet_sock *is = arg;

	if (!is)
		return;
	is->tcp = NULL;
	if (err == ERR_RST)
		is->err = is->tstate == ITCP_SYN_SENT ? ECONNREFUSED :
			  is->rx_fin ? EPIPE : ECONNRESET;
	else if (err != ERR_CLSD)
		is->err = ETIMEDOUT;
	conn_done(is);
}

static err_t cb_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct inet_sock *is = arg;

	(void)err;
	if (!is)
		return ERR_OK;
	is->tstate = ITCP_ESTABLISHED;
	ip_addr_copy(is->laddr, pcb->local_ip);
	is->lport = pcb->local_port;
	inet_tcp_apply(is);
	inet_wake(is, POLL_OUT_BITS);
	return ERR_OK;
}

static err_t cb_accept(void *arg, struct tcp_pcb *npcb, err_t err)
{
	struct inet_sock *ls = arg, *c;

	if (!ls || err != ERR_OK || !npcb || ls->tstate != ITCP_LISTEN)
		return ERR_VAL;
	c = inet_sock_new(ls->family, SOCK_STREAM);
	if (!c)
		return ERR_MEM;
	c->v6only = ls->v6only;
	c->tos = ls->tos;
	c->tclass = ls->tclass;
	c->ttl = ls->ttl;
	c->nodelay = ls->nodelay;
	c->keepidle = ls->keepidle;
	c->keepintvl = ls->keepintvl;
	c->keepcnt = ls->keepcnt;
	c->maxseg = ls->maxseg;
	c->user_timeout = ls->user_timeout;
	attach(c, npcb);
	c->sstate = SS_CONNECTED;
	c->tstate = ITCP_ESTABLISHED;
	c->bound = true;
	ip_addr_copy(c->laddr, npcb->local_ip);
	ip_addr_copy(c->raddr, npcb->remote_ip);
	c->lport = npcb->local_port;
	c->rport = npcb->remote_port;
	inet_tcp_apply(c);
	tcp_backlog_delayed(npcb);
	if (ls->aq_tail)
		ls->aq_tail->aq_next = c;
	else
		ls->aq = c;
	ls->aq_tail = c;
	ls->aq_len++;
	inet_wake(ls, POLLIN | POLLRDNORM);
	return ERR_OK;
}

/* ---- bind, listen, accept, connect ---- */

static bool types_overlap(u8 a, u8 b)
{
	return a == b || a == IPADDR_TYPE_ANY || b == IPADDR_TYPE_ANY;
}

/*
 * Linux's bind conflicts, checked before lwIP's (which misses two: a
 * listener when both sides set SO_REUSEADDR, and a dual-stack [::]
 * against an IPv6 address, as it compares the address types): the same
 * port on overlapping addresses conflicts unless both sides set
 * SO_REUSEADDR and the other does not listen; with SO_REUSEADDR a
 * TIME_WAIT connection never conflicts.
 */
static bool bind_conflict(struct inet_sock *is, const ip_addr_t *ip, u16 port)
{
	bool reuse = is->tcp->so_options & SOF_REUSEADDR;

	for (int i = 0; i < NUM_TCP_PCB_LISTS; i++) {
		if (reuse && tcp_pcb_lists[i] == &tcp_tw_pcbs)
			continue;
		for (struct tcp_pcb *c = *tcp_pcb_lists[i]; c; c = c->next) {
			if (c == is->tcp || c->local_port != port ||
			    !types_overlap(IP_GET_TYPE(&c->local_ip),
					   IP_GET_TYPE(ip)))
				continue;
			if (!ip_addr_isany(&c->local_ip) && !ip_addr_isany(ip) &&
			    !ip_addr_cmp(&c->local_ip, ip))
				continue;
			if (c->state != LISTEN && reuse &&
			    (c->so_options & SOF_REUSEADDR))
				continue;
			return true;
		}
	}
	return false;
}

/* The pcb of a socket that may connect or listen again (a failed
 * connect's was freed by lwIP). */
static int ensure_pcb(struct inet_sock *is)
{
	if (is->tcp)
		return 0;
	is->bound = false;
	return new_pcb(is) ? 0 : -ENOMEM;
}

static int do_bind(struct inet_sock *is, const ip_addr_t *ip, u16 port)
{
	err_t e;

	inet_apply_ip(is, (struct ip_pcb *)is->tcp);
	if (port && bind_conflict(is, ip, port))
		return -EADDRINUSE;
	e = tcp_bind(is->tcp, ip, port);
	if (e != ERR_OK)
		return e == ERR_USE || e == ERR_BUF ? -EADDRINUSE :
						       inet_errno(e);
	is->bound = true;
	ip_addr_copy(is->laddr, is->tcp->local_ip);
	is->lport = is->tcp->local_port;
	return 0;
}

static int stream_bind(struct socket *sk, const void *addr, u32 len)
{
	struct inet_sock *is = inet_of(sk);
	ip_addr_t ip;
	u16 port;
	int r;

	net_lock();
	r = inet_addr_in(is, addr, len, INET_ADDR_BIND, &ip, &port);
	if (!r && !inet_addr_local(&ip))
		r = -EADDRNOTAVAIL;
	if (!r && (is->bound || is->sstate != SS_UNCONNECTED ||
		   is->tstate != ITCP_CLOSE))
		r = -EINVAL;
	if (!r)
		r = ensure_pcb(is);
	if (!r)
		r = do_bind(is, &ip, port);
	net_unlock();
	return r;
}

static int stream_listen(struct socket *sk, int backlog)
{
	struct inet_sock *is = inet_of(sk);
	struct tcp_pcb *lp;
	ip_addr_t any;
	err_t e = ERR_OK;
	int r = 0;

	if (backlog < 0 || backlog > MAX_BACKLOG)
		backlog = MAX_BACKLOG;
	net_lock();
	if (is->tstate == ITCP_LISTEN) {
		u8 bl = (u8)MIN(backlog + 1, 255);

		is->backlog = backlog;
		((struct tcp_pcb_listen *)is->tcp)->backlog = bl;
		goto out;
	}
	if (is->sstate != SS_UNCONNECTED || is->tstate != ITCP_CLOSE) {
		r = -EINVAL;
		goto out;
	}
	r = ensure_pcb(is);
	if (!r && !is->bound) {
		inet_addr_any(is, &any);
		r = do_bind(is, &any, 0);
	}
	if (r)
		goto out;
	inet_apply_ip(is, (struct ip_pcb *)is->tcp);
	ext_set(is->tcp, NULL);	/* tcp_listen frees the old pcb */
	lp = tcp_listen_with_backlog_and_err(is->tcp, (u8)MIN(backlog + 1, 255),
					     &e);
	if (!lp) {
		ext_set(is->tcp, is);
		r = e == ERR_USE ? -EADDRINUSE : -ENOMEM;
		goto out;
	}
	is->tcp = lp;
	is->backlog = backlog;
	is->tstate = ITCP_LISTEN;
	tcp_arg(lp, is);
	tcp_accept(lp, cb_accept);
	ext_set(lp, is);
out:
	net_unlock();
	return r;
}

/* What an accepted socket takes from its listener, as on Linux. */
static void inherit(struct socket *ns, struct socket *sk)
{
	ns->opts = sk->opts;
	ns->rcvtimeo_ns = sk->rcvtimeo_ns;
	ns->sndtimeo_ns = sk->sndtimeo_ns;
	ns->rcvbuf = sk->rcvbuf;
	ns->sndbuf = sk->sndbuf;
	ns->linger_onoff = sk->linger_onoff;
	ns->linger_sec = sk->linger_sec;
	ns->priority = sk->priority;
	ns->rcvlowat = sk->rcvlowat;
	ns->mark = sk->mark;
}

static int stream_accept(struct socket *sk, struct socket **out, void *addr,
			 u32 *len, bool nonblock)
{
	struct inet_sock *is = inet_of(sk), *c;
	u64 deadline = inet_deadline(sk->rcvtimeo_ns);
	struct socket *ns;
	int r = 0;

	net_lock();
	while (!r && !is->aq) {
		if (is->tstate != ITCP_LISTEN)
			r = -EINVAL;
		else if (nonblock)
			r = -EAGAIN;
		else
			r = inet_wait(is, deadline);
	}
	if (r)
		goto out;
	ns = sock_alloc_child(sk);
	if (!ns) {
		r = -ENOMEM;
		goto out;
	}
	c = is->aq;
	is->aq = c->aq_next;
	if (!is->aq)
		is->aq_tail = NULL;
	is->aq_len--;
	c->aq_next = NULL;
	if (c->tcp)
		tcp_backlog_accepted(c->tcp);
	c->sk = ns;
	ns->priv = c;
	inherit(ns, sk);
	if (addr)
		inet_addr_out(c, &c->raddr, c->rport, addr, len);
	*out = ns;
out:
	net_unlock();
	return r;
}

static int start_connect(struct inet_sock *is, const ip_addr_t *ip, u16 port)
{
	err_t e;
	int r = ensure_pcb(is);

	if (r)
		return r;
	inet_apply_ip(is, (struct ip_pcb *)is->tcp);
	e = tcp_connect(is->tcp, ip, port, cb_connected);
	if (e != ERR_OK)
		return e == ERR_USE || e == ERR_BUF ? -EADDRNOTAVAIL :
						       inet_errno(e);
	is->tstate = ITCP_SYN_SENT;
	is->bound = true;
	is->done = is->rx_fin = false;
	is->shut = 0;
	is->err = 0;
	ip_addr_copy(is->laddr, is->tcp->local_ip);
	is->lport = is->tcp->local_port;
	ip_addr_copy(is->raddr, *ip);
	is->rport = port;
	return 0;
}

/* connect(AF_UNSPEC): Linux's tcp_disconnect (RST to a peer). */
static int disconnect(struct inet_sock *is)
{
	if (is->tstate == ITCP_LISTEN)
		return 0;
	pcb_close(detach(is), true);
	rxq_free(is);
	is->sstate = SS_UNCONNECTED;
	is->tstate = ITCP_CLOSE;
	is->shut = 0;
	is->done = is->rx_fin = false;
	is->rport = 0;
	return 0;
}

static int stream_connect(struct socket *sk, const void *addr, u32 len,
			  bool nonblock)
{
	struct inet_sock *is = inet_of(sk);
	ip_addr_t ip;
	u16 port;
	int r;

	net_lock();
	if (len >= 2 && *(const u16 *)addr == AF_UNSPEC) {
		r = disconnect(is);
		goto out;
	}
	if (is->sstate == SS_CONNECTED) {
		r = -EISCONN;
		goto out;
	}
	if (is->sstate == SS_CONNECTING) {
		r = -EALREADY;
	} else {
		if (is->tstate != ITCP_CLOSE) {
			r = -EISCONN;
			goto out;
		}
		r = inet_addr_in(is, addr, len, INET_ADDR_CONNECT, &ip, &port);
		if (!r)
			r = start_connect(is, &ip, port);
		if (r)
			goto out;
		is->sstate = SS_CONNECTING;
		r = -EINPROGRESS;
	}
	if (is->tstate == ITCP_SYN_SENT) {
		u64 deadline = inet_deadline(sk->sndtimeo_ns);

		if (nonblock)
			goto out;
		while (is->tstate == ITCP_SYN_SENT) {
			int w = inet_wait(is, deadline);

			if (w) {
				r = w == -EAGAIN ? -EINPROGRESS : w;
				goto out;
			}
		}
	}
	if (is->tstate == ITCP_CLOSE) {
		r = is->err ? -is->err : -ECONNABORTED;
		is->err = 0;
		is->sstate = SS_UNCONNECTED;
		is->shut = 0;
		goto out;
	}
	is->sstate = SS_CONNECTED;
	r = 0;
out:
	net_unlock();
	return r;
}

/* ---- readiness, shutdown, release ---- */

int inet_tcp_state(struct inet_sock *is)
{
	if (is->tstate == ITCP_LISTEN)
		return ITCP_LISTEN;
	if (!is->tcp)
		return ITCP_CLOSE;
	switch (is->tcp->state) {
	case SYN_SENT: return ITCP_SYN_SENT;
	case SYN_RCVD: return ITCP_SYN_RECV;
	case ESTABLISHED: return ITCP_ESTABLISHED;
	case FIN_WAIT_1: return ITCP_FIN_WAIT1;
	case FIN_WAIT_2: return ITCP_FIN_WAIT2;
	case CLOSE_WAIT: return ITCP_CLOSE_WAIT;
	case CLOSING: return ITCP_CLOSING;
	case LAST_ACK: return ITCP_LAST_ACK;
	case TIME_WAIT: return ITCP_TIME_WAIT;
	default: return ITCP_CLOSE;
	}
}

/* Stops listening: the connections not yet accepted get a RST. */
static void listen_stop(struct inet_sock *is)
{
	pcb_close(detach(is), false);
	while (is->aq) {
		struct inet_sock *c = is->aq;

		is->aq = c->aq_next;
		pcb_close(detach(c), true);
		rxq_free(c);
		kfree(c->bounce);
		kfree(c);
	}
	is->aq_tail = NULL;
	is->aq_len = 0;
	is->tstate = ITCP_CLOSE;
	is->bound = false;
}

static int stream_shutdown(struct socket *sk, int how)
{
	struct inet_sock *is = inet_of(sk);
	u32 mask;
	int r = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	mask = (u32)how + 1;
	net_lock();
	switch (is->tstate) {
	case ITCP_CLOSE:
		is->shut |= mask;
		r = -ENOTCONN;
		break;
	case ITCP_LISTEN:
		if (mask & INET_SHUT_RCV)
			listen_stop(is);
		break;
	case ITCP_SYN_SENT:
		disconnect(is);
		break;
	default:
		if ((mask & INET_SHUT_SEND) && !(is->shut & INET_SHUT_SEND) &&
		    is->tcp) {
			tcp_shutdown(is->tcp, 0, 1);
			tcp_output(is->tcp);
		}
		is->shut |= mask;
		if (is->sstate == SS_CONNECTING)
			is->sstate = SS_CONNECTED;
		break;
	}
	inet_wake(is, 0);
	net_unlock();
	return r;
}

static void stream_release(struct socket *sk)
{
	struct inet_sock *is = inet_of(sk);

	if (!is)
		return;
	net_lock();
	is->sk = NULL;
	if (is->tstate == ITCP_LISTEN) {
		listen_stop(is);
	} else {
		bool linger0 = sk->linger_onoff && !sk->linger_sec;

		/* Unread bytes not tcp_recved make tcp_close send a RST. */
		rxq_free(is);
		pcb_close(detach(is), linger0);
	}
	net_unlock();
	kfree(is->bounce);
	kfree(is);
	sk->priv = NULL;
}

const struct sock_ops inet_tcp_ops = {
	.bind = stream_bind,
	.connect = stream_connect,
	.listen = stream_listen,
	.accept = stream_accept,
	.getname = inet_getname,
	.sendmsg = inet_tcp_sendmsg,
	.recvmsg = inet_tcp_recvmsg,
	.shutdown = stream_shutdown,
	.setsockopt = inet_tcp_setsockopt,
	.getsockopt = inet_tcp_getsockopt,
	.poll = inet_tcp_poll,
	.ioctl = inet_tcp_ioctl,
	.release = stream_release,
};

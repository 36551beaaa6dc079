/*
 * net/tcp_opt.c: the options and ioctls of TCP sockets (net/tcp.c).
 * Layer: net. SOL_TCP options as Linux takes and reports them, mapped to
 * lwIP's pcb where lwIP has the knob: TCP_NODELAY (Nagle), TCP_KEEP*
 * (keep_idle/intvl/cnt), SO_KEEPALIVE (SOF_KEEPALIVE); TCP_CORK holds
 * tcp_output back; TCP_DEFER_ACCEPT, TCP_QUICKACK, TCP_MAXSEG and
 * TCP_USER_TIMEOUT are kept and reported only. TCP_INFO is filled from
 * the pcb as far as lwIP knows. ioctl: SIOCINQ, SIOCOUTQ, SIOCOUTQNSD.
 * DIVERGENCE: TCP_DEFER_ACCEPT does not delay accept, TCP_MAXSEG does not
 * lower the MSS, TCP_USER_TIMEOUT does not shorten retransmission, and
 * TCP_CORK holds data back until uncorked (no 200 ms limit); TCP_INFO's
 * counters beyond state, rto, mss, rtt, cwnd, windows and bytes are 0.
 * The network lock guards everything (net/inet.h).
 */
#include <skiff/errno.h>

#include "inet.h"
#include "lwip/priv/tcp_priv.h"

#define TCP_NODELAY 1
#define TCP_MAXSEG 2
#define TCP_CORK 3
#define TCP_KEEPIDLE 4
#define TCP_KEEPINTVL 5
#define TCP_KEEPCNT 6
#define TCP_DEFER_ACCEPT 9
#define TCP_INFO 11
#define TCP_QUICKACK 12
#define TCP_USER_TIMEOUT 18

#define SIOCINQ 0x541B
#define SIOCOUTQ 0x5411
#define SIOCOUTQNSD 0x894B

#define TCPI_OPT_TIMESTAMPS 1
#define TCPI_OPT_WSCALE 4

/* struct tcp_info of Linux 6.x (include/uapi/linux/tcp.h). */
struct l_tcp_info {
	u8 state, ca_state, retransmits, probes, backoff, options;
	u8 wscale;		/* snd_wscale:4, rcv_wscale:4 */
	u8 app_limited;
	u32 rto, ato, snd_mss, rcv_mss;
	u32 unacked, sacked, lost, retrans, fackets;
	u32 last_data_sent, last_ack_sent, last_data_recv, last_ack_recv;
	u32 pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd, advmss;
	u32 reordering, rcv_rtt, rcv_space, total_retrans;
	u64 pacing_rate, max_pacing_rate, bytes_acked, bytes_received;
	u32 segs_out, segs_in, notsent_bytes, min_rtt;
	u32 data_segs_in, data_segs_out;
	u64 delivery_rate, busy_time, rwnd_limited, sndbuf_limited;
	u32 delivered, delivered_ce;
	u64 bytes_sent, bytes_retrans;
	u32 dsack_dups, reord_seen, rcv_ooopack, snd_wnd, rcv_wnd, rehash;
	u16 total_rto, total_rto_recoveries;
	u32 total_rto_time;
};
_Static_assert(sizeof(struct l_tcp_info) == 248, "tcp_info");
_Static_assert(__builtin_offsetof(struct l_tcp_info, total_retrans) == 100,
	       "tcp_info v1");

void inet_tcp_apply(struct inet_sock *is)
{
	struct tcp_pcb *pcb = is->tcp;

	if (!pcb || pcb->state == LISTEN)
		return;
	if (is->nodelay)
		tcp_nagle_disable(pcb);
	else
		tcp_nagle_enable(pcb);
#if LWIP_TCP_KEEPALIVE
	pcb->keep_idle = (u32)is->keepidle * 1000;
	pcb->keep_intvl = (u32)is->keepintvl * 1000;
	pcb->keep_cnt = (u32)is->keepcnt;
#endif
}

/* Linux's conversions of TCP_DEFER_ACCEPT seconds to SYN-ACK
 * retransmits and back (initial timeout 1 s, doubling up to 120 s). */
static int secs_to_retrans(int secs)
{
	int res = 0, timeout = 1, period = 1;

	if (secs <= 0)
		return 0;
	res = 1;
	while (secs > period && res < 255) {
		res++;
		timeout = MIN(timeout * 2, 120);
		period += timeout;
	}
	return res;
}

static int retrans_to_secs(int retrans)
{
	int timeout = 1, period;

	if (retrans <= 0)
		return 0;
	period = 1;
	while (--retrans) {
		timeout = MIN(timeout * 2, 120);
		period += timeout;
	}
	return period;
}

static int tcp_set(struct inet_sock *is, int name, int v)
{
	switch (name) {
	case TCP_NODELAY:
		is->nodelay = v != 0;
		break;
	case TCP_CORK:
		is->cork = v != 0;
		break;
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
		if (v < 1 || v > 32767)
			return -EINVAL;
		*(name == TCP_KEEPIDLE ? &is->keepidle : &is->keepintvl) = v;
		break;
	case TCP_KEEPCNT:
		if (v < 1 || v > 127)
			return -EINVAL;
		is->keepcnt = v;
		break;
	case TCP_DEFER_ACCEPT:
		is->defer_accept = secs_to_retrans(v);
		break;
	case TCP_MAXSEG:
		if (v && (v < 88 || v > 32767))
			return -EINVAL;
		is->maxseg = v;
		break;
	case TCP_QUICKACK:
		break;
	case TCP_USER_TIMEOUT:
		if (v < 0)
			return -EINVAL;
		is->user_timeout = v;
		break;
	default:
		return -ENOPROTOOPT;
	}
	inet_tcp_apply(is);
	/* Turning Nagle off or uncorking sends what was held back. */
	if ((name == TCP_NODELAY || name == TCP_CORK) && is->tcp &&
	    is->tstate == ITCP_ESTABLISHED && !is->cork)
		tcp_output(is->tcp);
	return 0;
}

int inet_tcp_setsockopt(struct socket *sk, int level, int name,
			const void *val, u32 len)
{
	struct inet_sock *is = inet_of(sk);
	int r, v;

	net_lock();
	if (level == SOL_TCP) {
		r = inet_opt_int(val, len, &v);
		if (!r)
			r = tcp_set(is, name, v);
	} else {
		r = inet_setsockopt_ip(is, level, name, val, len);
	}
	net_unlock();
	return r;
}

static u32 count_segs(struct tcp_seg *s)
{
	u32 n = 0;

	for (; s; s = s->next)
		n++;
	return n;
}

static u32 unsent_bytes(struct tcp_pcb *pcb)
{
	u32 n = 0;

	for (struct tcp_seg *s = pcb->unsent; s; s = s->next)
		n += s->len;
	return n;
}

/* 500 ms lwIP slow-timer ticks in microseconds. */
#define TICK_US (TCP_SLOW_INTERVAL * 1000u)

static void fill_info(struct inet_sock *is, struct l_tcp_info *ti)
{
	struct tcp_pcb *pcb = is->tcp;

	memset(ti, 0, sizeof(*ti));
	ti->state = (u8)inet_tcp_state(is);
	ti->ato = TCP_TMR_INTERVAL * 1000u;
	ti->reordering = 3;
	ti->advmss = TCP_MSS;
	ti->bytes_acked = is->bytes_acked;
	ti->bytes_received = is->bytes_in;
	if (is->tstate == ITCP_LISTEN)
		return;
	ti->snd_mss = ti->rcv_mss = is->maxseg ? (u32)is->maxseg : 536;
	ti->rto = 1000000;	/* Linux's TCP_TIMEOUT_INIT */
	if (!pcb)
		return;
	ti->retransmits = pcb->nrtx;
#if LWIP_WND_SCALE
	if (pcb->flags & TF_WND_SCALE) {
		ti->options |= TCPI_OPT_WSCALE;
		ti->wscale = (u8)((pcb->snd_scale & 15) |
				  (pcb->rcv_scale & 15) << 4);
	}
#endif
#if LWIP_TCP_TIMESTAMPS
	if (pcb->flags & TF_TIMESTAMP)
		ti->options |= TCPI_OPT_TIMESTAMPS;
#endif
	ti->rto = (u32)pcb->rto * TICK_US;
	ti->snd_mss = ti->rcv_mss = pcb->mss;
	ti->unacked = count_segs(pcb->unacked);
	ti->pmtu = pcb->mss + 40u;
	ti->rcv_ssthresh = pcb->rcv_wnd;
	ti->rtt = (u32)(pcb->sa >> 3) * TICK_US;
	ti->rttvar = (u32)(pcb->sv >> 2) * TICK_US;
	ti->snd_ssthresh = pcb->mss ? pcb->ssthresh / pcb->mss : 0;
	ti->snd_cwnd = pcb->mss ? pcb->cwnd / pcb->mss : 0;
	ti->rcv_space = pcb->rcv_wnd;
	ti->notsent_bytes = unsent_bytes(pcb);
	ti->snd_wnd = pcb->snd_wnd;
	ti->rcv_wnd = pcb->rcv_wnd;
}

static int tcp_get(struct inet_sock *is, int name, void *val, u32 *len)
{
	struct l_tcp_info ti;
	int v;

	switch (name) {
	case TCP_NODELAY: v = is->nodelay; break;
	case TCP_CORK: v = is->cork; break;
	case TCP_KEEPIDLE: v = is->keepidle; break;
	case TCP_KEEPINTVL: v = is->keepintvl; break;
	case TCP_KEEPCNT: v = is->keepcnt; break;
	case TCP_DEFER_ACCEPT: v = retrans_to_secs(is->defer_accept); break;
	case TCP_QUICKACK: v = 1; break;
	case TCP_USER_TIMEOUT: v = is->user_timeout; break;
	case TCP_MAXSEG:
		v = is->maxseg ? is->maxseg : 536;
		if (is->tcp && is->tstate == ITCP_ESTABLISHED)
			v = is->tcp->mss;
		break;
	case TCP_INFO:
		fill_info(is, &ti);
		*len = MIN(*len, (u32)sizeof(ti));
		memcpy(val, &ti, *len);
		return 0;
	default:
		return -ENOPROTOOPT;
	}
	return inet_opt_put_int(val, len, v);
}

int inet_tcp_getsockopt(struct socket *sk, int level, int name, void *val,
			u32 *len)
{
	struct inet_sock *is = inet_of(sk);
	int r;

	net_lock();
	if (level == SOL_TCP)
		r = tcp_get(is, name, val, len);
	else
		r = inet_getsockopt_ip(is, level, name, val, len);
	net_unlock();
	return r;
}

long inet_tcp_ioctl(struct socket *sk, unsigned long req, unsigned long arg)
{
	struct inet_sock *is = inet_of(sk);
	int v = 0;

	if (req != SIOCINQ && req != SIOCOUTQ && req != SIOCOUTQNSD)
		return -ENOTTY;
	net_lock();
	if (is->tstate == ITCP_LISTEN) {
		net_unlock();
		return -EINVAL;
	}
	if (req == SIOCINQ)
		v = (int)is->rx_bytes;
	else if (is->tcp && req == SIOCOUTQ)
		v = (int)(TCP_SND_BUF - is->tcp->snd_buf);
	else if (is->tcp)
		v = (int)unsent_bytes(is->tcp);
	net_unlock();
	return inet_ioctl_put(arg, v);
}

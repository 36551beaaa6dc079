/*
 * net/tcp_io.c: the data path of TCP sockets (net/tcp.c): recvmsg over
 * the queue of received pbufs (MSG_PEEK, MSG_WAITALL, MSG_TRUNC,
 * MSG_DONTWAIT as Linux's tcp_recvmsg), sendmsg through tcp_write /
 * tcp_output, and poll as Linux's tcp_poll. Layer: net. Locking and the
 * callback rules: net/inet.h.
 */
#include <skiff/alloc.h>
#include <skiff/errno.h>

#include "inet.h"
#include "lwip/priv/tcp_priv.h"

#define BOUNCE_SIZE 16384	/* bytes copied in per tcp_write */

/* ---- data ---- */

/* Frees the first n unread bytes and opens the window by as much. */
static void rx_consume(struct inet_sock *is, u32 n)
{
	u32 left = n;

	while (left && is->rxq) {
		struct pbuf *p = is->rxq;
		u32 take = MIN(left, p->len - is->rx_off);

		is->rx_off += take;
		left -= take;
		if (is->rx_off == p->len) {
			is->rxq = p->next;
			if (!is->rxq)
				is->rxq_tail = NULL;
			p->next = NULL;
			pbuf_free(p);
			is->rx_off = 0;
		}
	}
	is->rx_bytes -= n;
	while (is->tcp && n) {
		u16 k = (u16)MIN(n, 0xffffu);

		tcp_recved(is->tcp, k);
		n -= k;
	}
}

/* Copies up to n unread bytes from skip on into m (none with discard,
 * MSG_TRUNC); consumes them unless peek. The count or -EFAULT. */
static long rx_copy(struct inet_sock *is, struct sock_msg *m, size_t n,
		    u32 skip, bool peek, bool discard)
{
	struct pbuf *p = is->rxq;
	u32 off = is->rx_off + skip;
	size_t done = 0;

	while (p && off >= p->len) {
		off -= p->len;
		p = p->next;
	}
	while (p && done < n) {
		size_t take = MIN(p->len - off, n - done);

		if (!discard) {
			long got = msg_copy_to(m, (char *)p->payload + off,
					       take);

			if (got < 0 && !done)
				return got;
			if (got < (long)take) {
				done += got > 0 ? (size_t)got : 0;
				break;
			}
		}
		done += take;
		off += take;
		if (off == p->len) {
			p = p->next;
			off = 0;
		}
	}
	if (!peek)
		rx_consume(is, (u32)done);
	return (long)done;
}

/* recvmsg with nothing (more) to copy: 0 to stop and return what was
 * copied (EOF), 1 to wait, or -Exxx (Linux's tcp_recvmsg order). */
static int recv_stop(struct inet_sock *is, size_t copied)
{
	if (copied)
		return is->err || is->done || is->rx_fin ||
		       (is->shut & INET_SHUT_RCV) ? 0 : 1;
	if (is->rx_fin)
		return 0;
	if (is->err) {
		int e = is->err;

		is->err = 0;
		return -e;
	}
	if (is->shut & INET_SHUT_RCV)
		return 0;
	if (is->tstate == ITCP_CLOSE)
		return -ENOTCONN;
	return 1;
}

/* SO_RCVLOWAT: the bytes a read waits for (at most what it asks). */
static size_t lowat(struct socket *sk, size_t want)
{
	size_t l = sk->rcvlowat > 1 ? (size_t)sk->rcvlowat : 1;

	return MIN(l, want ? want : 1);
}

long inet_tcp_recvmsg(struct socket *sk, struct sock_msg *m,
			   bool nonblock)
{
	struct inet_sock *is = inet_of(sk);
	int flags = m->flags;
	bool peek = flags & MSG_PEEK;
	size_t want = m->len, copied = 0;
	size_t target = flags & MSG_WAITALL ? want : lowat(sk, want);
	u64 deadline = inet_deadline(sk->rcvtimeo_ns);
	long r = 0;

	m->flags = 0;
	m->namelen = 0;
	m->controllen = 0;
	if (flags & MSG_OOB)
		return -EINVAL;
	net_lock();
	if (is->tstate == ITCP_LISTEN) {
		r = -ENOTCONN;
		goto out;
	}
	for (;;) {
		u32 skip = peek ? (u32)copied : 0;

		/* Linux: a read of 0 bytes waits for data too, then gives 0. */
		if (copied >= want && (want || is->rx_bytes))
			break;
		if (is->rx_bytes > skip) {
			long n = rx_copy(is, m, want - copied, skip, peek,
					 flags & MSG_TRUNC);

			if (n < 0) {
				r = n;
				break;
			}
			copied += (size_t)n;
			if (!n)
				break;
			continue;
		}
		if (copied >= target)
			break;
		r = recv_stop(is, copied);
		if (r <= 0)
			break;
		r = nonblock ? -EAGAIN : inet_wait(is, deadline);
		if (r)
			break;
	}
out:
	net_unlock();
	return copied ? (long)copied : r;
}

/* Room for tcp_write now. */
static u32 send_room(struct inet_sock *is)
{
	if (tcp_sndqueuelen(is->tcp) + 4 >= TCP_SND_QUEUELEN)
		return 0;
	return is->tcp->snd_buf;
}

/* sendmsg can go on (0), must wait (1), or fails (-Exxx). */
static int send_state(struct inet_sock *is)
{
	if (is->err) {
		int e = is->err;

		is->err = 0;
		return -e;
	}
	if ((is->shut & INET_SHUT_SEND) || is->done)
		return -EPIPE;
	if (is->tstate == ITCP_SYN_SENT)
		return 1;
	if (!is->tcp || (is->tstate != ITCP_ESTABLISHED))
		return -EPIPE;
	return 0;
}

long inet_tcp_sendmsg(struct socket *sk, struct sock_msg *m,
			   bool nonblock)
{
	struct inet_sock *is = inet_of(sk);
	u64 deadline = inet_deadline(sk->sndtimeo_ns);
	bool more = (m->flags & MSG_MORE) || is->cork;
	size_t copied = 0, pend = 0, pend_off = 0;
	long r = 0;

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	net_lock();
	if (!is->bounce)
		is->bounce = kmalloc(BOUNCE_SIZE);
	if (!is->bounce) {
		r = -ENOMEM;
		goto out;
	}
	/* pend: bytes taken from m into the bounce buffer, not yet written
	 * (only what tcp_write took counts as sent). */
	for (;;) {
		int st = send_state(is);
		u32 room = 0;

		if (st < 0) {
			r = st;
			break;
		}
		if (!st) {
			if (!pend && !msg_left(m))
				break;
			room = send_room(is);
		}
		if (room && !pend) {
			size_t n = MIN(MIN(room, msg_left(m)), BOUNCE_SIZE);
			long got = msg_copy_from(m, is->bounce, n);

			if (got <= 0) {
				r = -EFAULT;
				break;
			}
			pend = (size_t)got;
			pend_off = 0;
		}
		if (room) {
			u16 n = (u16)MIN(pend, room);
			u8 wf = TCP_WRITE_FLAG_COPY;

			if (n < pend || msg_left(m) || more)
				wf |= TCP_WRITE_FLAG_MORE;
			if (tcp_write(is->tcp, is->bounce + pend_off, n, wf) ==
			    ERR_OK) {
				pend -= n;
				pend_off += n;
				copied += n;
				continue;
			}
		}
		if (is->tcp && is->tstate == ITCP_ESTABLISHED)
			tcp_output(is->tcp);
		r = nonblock ? -EAGAIN : inet_wait(is, deadline);
		if (r)
			break;
	}
	if (is->tcp && is->tstate == ITCP_ESTABLISHED && !more)
		tcp_output(is->tcp);
out:
	net_unlock();
	return copied ? (long)copied : r;
}

/* Linux's sk_stream_is_writeable: a third of the buffer free. */
static bool writable(struct inet_sock *is)
{
	if (!is->tcp || is->tstate != ITCP_ESTABLISHED)
		return true;
	return send_room(is) >= TCP_SND_BUF / 3;
}

/* Linux's tcp_poll. */
u32 inet_tcp_poll(struct socket *sk)
{
	struct inet_sock *is = inet_of(sk);
	u32 mask = 0;

	net_lock();
	if (is->tstate == ITCP_LISTEN) {
		if (is->aq)
			mask = POLLIN | POLLRDNORM;
		goto out;
	}
	if (is->shut == INET_SHUT_ALL || is->tstate == ITCP_CLOSE)
		mask |= POLLHUP;
	if (is->shut & INET_SHUT_RCV)
		mask |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (is->tstate != ITCP_SYN_SENT) {
		if (is->rx_bytes && is->rx_bytes >= lowat(sk, ~(size_t)0))
			mask |= POLLIN | POLLRDNORM;
		if ((is->shut & INET_SHUT_SEND) || writable(is))
			mask |= POLLOUT | POLLWRNORM;
	}
	if (is->err)
		mask |= POLLERR;
out:
	net_unlock();
	return mask;
}


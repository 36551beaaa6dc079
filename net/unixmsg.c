/*
 * net/unixmsg.c: AF_UNIX messages: sendmsg and recvmsg of streams,
 * datagrams and sequenced packets, and their ancillary data (SCM_RIGHTS,
 * SCM_CREDENTIALS). Layer: net. See net/unix.h for the lock rules.
 *
 * A send copies its bytes into unix_skbs and queues them on the peer's
 * queue; each skb's size (plus UNIX_SKB_OVERHEAD) is counted in the
 * sender's wmem until read, and a sender waits while wmem reaches its
 * SO_SNDBUF (208 KiB by default, as Linux). A datagram receiver holds at
 * most UNIX_MAX_DGRAM_QLEN + 1 datagrams from senders it is not connected
 * to. Files passed with SCM_RIGHTS ride in the skb (a reference each)
 * and are installed as fds by the recvmsg that reads the skb; files never
 * received are closed when the skb is freed. A stream read stops after a
 * piece that carried files.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include "unix.h"

#define SCM_RIGHTS 1
#define SCM_CREDENTIALS 2
#define SCM_MAX_FD 253
#define CMSG_HDR 16			/* sizeof(struct cmsghdr) */
#define CMSG_ALIGN(n) (((n) + 7) & ~(size_t)7)

struct cmsghdr {
	u64 len;
	int level, type;
};

/* The ancillary data of one send. */
struct scm {
	struct file **fds;		/* SCM_MAX_FD of them, or NULL */
	u32 nfds;
	bool has_cred;
	struct unix_cred cred;
};

static void scm_drop(struct scm *s)
{
	for (u32 i = 0; i < s->nfds; i++)
		file_put(s->fds[i]);
	s->nfds = 0;
	kfree(s->fds);
	s->fds = NULL;
}

static int scm_rights(struct scm *s, const char *data, u32 n)
{
	if (s->nfds + n > SCM_MAX_FD)
		return -EINVAL;
	if (!s->fds && !(s->fds = kmalloc(SCM_MAX_FD * sizeof(*s->fds))))
		return -ENOMEM;
	for (u32 i = 0; i < n; i++) {
		int fd;

		memcpy(&fd, data + 4 * i, 4);
		s->fds[s->nfds] = fd_get(fd);
		if (!s->fds[s->nfds])
			return -EBADF;
		s->nfds++;
	}
	return 0;
}

/* Linux's __scm_send over the kernel copy of the control buffer. */
static int scm_parse(struct sock_msg *m, struct scm *s)
{
	const char *c = m->control;
	size_t off = 0;
	int r = 0;

	while (r == 0 && m->controllen >= CMSG_HDR &&
	       off <= m->controllen - CMSG_HDR) {
		struct cmsghdr h;

		memcpy(&h, c + off, sizeof(h));
		if (h.len < CMSG_HDR || h.len > m->controllen - off)
			r = -EINVAL;
		else if (h.level != SOL_SOCKET)
			;
		else if (h.type == SCM_RIGHTS)
			r = scm_rights(s, c + off + CMSG_HDR,
				       (h.len - CMSG_HDR) / 4);
		else if (h.type == SCM_CREDENTIALS &&
			 h.len == CMSG_HDR + sizeof(s->cred)) {
			memcpy(&s->cred, c + off + CMSG_HDR, sizeof(s->cred));
			s->has_cred = true;
		} else
			r = -EINVAL;
		off += CMSG_ALIGN(h.len);
	}
	if (r < 0)
		scm_drop(s);
	return r;
}

static struct unix_skb *skb_new(struct unix_sock *u, size_t len)
{
	struct unix_skb *skb = kmalloc(sizeof(*skb) + len);

	if (!skb)
		return NULL;
	memset(skb, 0, sizeof(*skb));
	list_init(&skb->link);
	skb->len = len;
	skb->truesize = len + UNIX_SKB_OVERHEAD;
	return skb;
}

/* Moves the files of s (if first) into skb, with the sender's name and
 * credentials. */
static int skb_fill(struct unix_skb *skb, struct unix_sock *u,
		    struct scm *s, bool first)
{
	if (u->addr)
		skb->addr = *u->addr;
	if (s->has_cred)
		skb->cred = s->cred;
	else
		unix_cred_now(&skb->cred);
	if (!first || !s->nfds)
		return 0;
	skb->fds = kmalloc(s->nfds * sizeof(*skb->fds));
	if (!skb->fds)
		return -ENOMEM;
	memcpy(skb->fds, s->fds, s->nfds * sizeof(*skb->fds));
	skb->nfds = s->nfds;
	s->nfds = 0;
	return 0;
}

void unix_skb_free(struct unix_skb *skb)
{
	struct unix_sock *from = skb->from;
	bool room = false;

	for (u32 i = 0; i < skb->nfds; i++)
		file_put(skb->fds[i]);
	kfree(skb->fds);
	if (from) {
		spin_lock(&unix_lock);
		from->wmem -= skb->truesize;
		room = from->sk && (u64)from->wmem * 4 <= from->sk->sndbuf;
		spin_unlock(&unix_lock);
		if (room)
			unix_notify(from, POLL_OUT_BITS);
		else
			waitq_wake_all(&from->wwait);
		unix_put(from);
	}
	kfree(skb);
}

void unix_queue_take(struct unix_sock *u, struct list *out)
{
	list_init(out);
	if (!list_empty(&u->queue)) {
		out->next = u->queue.next;
		out->prev = u->queue.prev;
		out->next->prev = out;
		out->prev->next = out;
		list_init(&u->queue);
	}
	u->qlen = 0;
}

int unix_inq(struct unix_sock *u)
{
	int n = 0;

	list_for_each(it, &u->queue) {
		struct unix_skb *skb = list_entry(it, struct unix_skb, link);

		n += skb->len - skb->off;
		if (u->type == SOCK_DGRAM)
			break;
	}
	return n;
}

/* Queues skb from u on other; unix_lock held. */
static void enqueue(struct unix_sock *u, struct unix_sock *other,
		    struct unix_skb *skb)
{
	skb->from = unix_get(u);
	u->wmem += skb->truesize;
	list_push_back(&other->queue, &skb->link);
	other->qlen++;
}

/* Sleeps on wq (unix_lock held): 0, -EAGAIN at the deadline, -EINTR. */
static int sleep_on(struct waitq *wq, u64 deadline)
{
	int r = waitq_sleep(wq, &unix_lock, deadline);

	return r == -ETIMEDOUT ? -EAGAIN : r;
}

/* Waits for room in u's send budget: 0, -EPIPE, -EAGAIN, -EINTR. */
static int wait_wmem(struct unix_sock *u, bool nonblock, u64 deadline)
{
	int r = 0;

	spin_lock(&unix_lock);
	while (r == 0) {
		if (u->shutdown & UNIX_SEND_SHUT)
			r = -EPIPE;
		else if (u->wmem < u->sk->sndbuf)
			break;
		else if (nonblock)
			r = -EAGAIN;
		else
			r = sleep_on(&u->wwait, deadline);
	}
	spin_unlock(&unix_lock);
	return r;
}

/* One piece of a stream send; its size or -Exxx. */
static long stream_piece(struct unix_sock *u, struct sock_msg *m,
			 struct scm *s, bool first, bool nonblock,
			 u64 deadline)
{
	size_t n = MIN(msg_left(m), (size_t)u->sk->sndbuf / 2 - 64);
	struct unix_skb *skb;
	struct unix_sock *peer;
	long r = wait_wmem(u, nonblock, deadline);

	if (r < 0)
		return r;
	n = MIN(n, (size_t)65536);
	skb = skb_new(u, n);
	if (!skb)
		return -ENOMEM;
	r = msg_copy_from(m, skb->data, n);
	if (r >= 0 && (size_t)r < n)
		r = -EFAULT;
	if (r >= 0)
		r = skb_fill(skb, u, s, first);
	if (r < 0) {
		unix_skb_free(skb);
		return r;
	}
	spin_lock(&unix_lock);
	peer = u->peer;
	if ((u->shutdown & UNIX_SEND_SHUT) || !peer || peer->dead ||
	    (peer->shutdown & UNIX_RCV_SHUT)) {
		r = -EPIPE;
	} else {
		enqueue(u, peer, skb);
		unix_get(peer);
	}
	spin_unlock(&unix_lock);
	if (r < 0) {
		unix_skb_free(skb);
		return r;
	}
	unix_notify(peer, POLL_IN_BITS);
	unix_put(peer);
	return n;
}

static long stream_send(struct unix_sock *u, struct sock_msg *m,
			struct scm *s, bool nonblock)
{
	u64 deadline = unix_deadline(u->sk->sndtimeo_ns);
	size_t sent = 0, len = m->len;
	long r = 0;

	if (m->name)
		return u->state == U_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	if (!u->peer)
		return -ENOTCONN;
	while (sent < len) {
		r = stream_piece(u, m, s, sent == 0, nonblock, deadline);
		if (r < 0)
			break;
		sent += r;
	}
	return sent ? (long)sent : r;
}

/* Queues the datagram skb on other (a reference), waiting for room. */
static int dgram_queue(struct unix_sock *u, struct unix_sock *other,
		       struct unix_skb *skb, bool nonblock, u64 deadline)
{
	struct unix_sock *gone = NULL;
	int r = 0;

	spin_lock(&unix_lock);
	while (r == 0) {
		if (other->dead) {
			if (u->peer == other) {
				gone = other;
				u->peer = NULL;
				u->state = U_UNCONN;
			}
			r = -ECONNREFUSED;
		} else if (other->peer && other->peer != u) {
			r = -EPERM;
		} else if (other->shutdown & UNIX_RCV_SHUT) {
			r = -EPIPE;
		} else if (other->peer != u &&
			   other->qlen > UNIX_MAX_DGRAM_QLEN) {
			r = nonblock ? -EAGAIN : sleep_on(&other->wwait, deadline);
		} else {
			enqueue(u, other, skb);
			break;
		}
	}
	spin_unlock(&unix_lock);
	unix_put(gone);
	if (r == 0)
		unix_notify(other, POLL_IN_BITS);
	return r;
}

static long dgram_send(struct unix_sock *u, struct sock_msg *m,
		       struct scm *s, bool nonblock)
{
	u64 deadline = unix_deadline(u->sk->sndtimeo_ns);
	struct unix_sock *other = NULL;
	struct unix_skb *skb;
	bool seq = u->type == SOCK_SEQPACKET;
	long r = 0;

	if (seq && u->state != U_CONNECTED)
		return -ENOTCONN;
	if (u->shutdown & UNIX_SEND_SHUT)
		return -EPIPE;
	if (m->name && !seq)
		r = unix_validate(m->name, m->namelen);
	else if (!u->peer)
		r = -ENOTCONN;
	if (r == 0 && (u->sk->opts & SOCK_OPT_PASSCRED))
		r = unix_autobind(u);
	if (r == 0 && m->len > u->sk->sndbuf - 32)
		r = -EMSGSIZE;
	if (r == 0)
		r = wait_wmem(u, nonblock, deadline);
	if (r < 0)
		return r;
	skb = skb_new(u, m->len);
	if (!skb)
		return -ENOMEM;
	r = msg_copy_from(m, skb->data, m->len);
	if (r >= 0 && (size_t)r < m->len)
		r = -EFAULT;
	if (r >= 0)
		r = skb_fill(skb, u, s, true);
	if (r >= 0 && m->name && !seq)
		r = unix_find(m->name, m->namelen, u->type, &other);
	if (r >= 0 && !other) {
		spin_lock(&unix_lock);
		other = u->peer ? unix_get(u->peer) : NULL;
		spin_unlock(&unix_lock);
		r = other ? 0 : -ENOTCONN;
	}
	if (r >= 0)
		r = dgram_queue(u, other, skb, nonblock, deadline);
	unix_put(other);
	if (r < 0) {
		unix_skb_free(skb);
		return r;
	}
	return skb->len;
}

long unix_sendmsg(struct socket *sk, struct sock_msg *m, bool nonblock)
{
	struct unix_sock *u = unix_of(sk);
	struct scm s = { 0 };
	long r;

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	r = scm_parse(m, &s);
	if (r == 0)
		r = u->type == SOCK_STREAM ? stream_send(u, m, &s, nonblock) :
					     dgram_send(u, m, &s, nonblock);
	scm_drop(&s);
	return r;
}

/* ---- Receiving ---- */

/* Linux's put_cmsg: appends a cmsg at *used, cut (MSG_CTRUNC) if short. */
static void put_cmsg(struct sock_msg *m, u32 *used, int type,
		     const void *data, u32 len)
{
	u32 avail = m->controllen - *used;
	struct cmsghdr h = { CMSG_HDR + len, SOL_SOCKET, type };
	char *p = (char *)m->control + *used;

	if (avail < CMSG_HDR) {
		m->flags |= MSG_CTRUNC;
		return;
	}
	if (avail < h.len) {
		m->flags |= MSG_CTRUNC;
		h.len = avail;
	}
	memcpy(p, &h, CMSG_HDR);
	memcpy(p + CMSG_HDR, data, h.len - CMSG_HDR);
	*used += MIN((u32)CMSG_ALIGN(CMSG_HDR + len), avail);
}

/* Installs the skb's files (copies when peek) as fds in an SCM_RIGHTS
 * cmsg; those that do not fit are closed (MSG_CTRUNC). */
static void put_fds(struct sock_msg *m, u32 *used, struct unix_skb *skb,
		    bool peek, bool cloexec)
{
	u32 avail = m->controllen - *used, max, n = 0;
	int fds[SCM_MAX_FD];

	max = avail > CMSG_HDR ? (avail - CMSG_HDR) / 4 : 0;
	for (u32 i = 0; i < skb->nfds; i++) {
		struct file *f = peek ? file_get(skb->fds[i]) : skb->fds[i];
		int fd = n < max ? fd_install(f, 0, cloexec) : -EMFILE;

		if (fd < 0) {
			file_put(f);
			m->flags |= MSG_CTRUNC;
			continue;
		}
		fds[n++] = fd;
	}
	if (!peek)
		skb->nfds = 0;
	if (n)
		put_cmsg(m, used, SCM_RIGHTS, fds, n * 4);
}

/* The source address, credentials and files of skb into m. */
static void deliver(struct unix_sock *u, struct sock_msg *m, int flags,
		    struct unix_skb *skb, u32 *used, bool first, u32 namecap)
{
	if (first && m->name && skb->addr.len) {
		memcpy(m->name, skb->addr.sa, MIN(skb->addr.len, namecap));
		m->namelen = skb->addr.len;
	}
	if (first && (u->sk->opts & SOCK_OPT_PASSCRED))
		put_cmsg(m, used, SCM_CREDENTIALS, &skb->cred,
			 sizeof(skb->cred));
	if (skb->nfds)
		put_fds(m, used, skb, flags & MSG_PEEK,
			flags & MSG_CMSG_CLOEXEC);
}

/*
 * Waits, with rmutex dropped, until u's queue is not empty or ends: 0
 * (look again), 1 (end of data), or -Exxx. unix_lock held on entry and
 * on return.
 */
static int wait_data(struct unix_sock *u, bool nonblock, u64 deadline,
		     bool seq)
{
	int r = 0;

	if (u->err) {
		r = -u->err;
		u->err = 0;
		return r;
	}
	if (u->shutdown & UNIX_RCV_SHUT)
		return 1;
	if (seq && u->state != U_CONNECTED)
		return -ENOTCONN;
	if (nonblock)
		return -EAGAIN;
	spin_unlock(&unix_lock);
	mutex_unlock(&u->rmutex);
	spin_lock(&unix_lock);
	if (list_empty(&u->queue) && !u->err && !(u->shutdown & UNIX_RCV_SHUT))
		r = sleep_on(&u->rwait, deadline);
	spin_unlock(&unix_lock);
	mutex_lock(&u->rmutex);
	spin_lock(&unix_lock);
	return r;
}

static long dgram_recv(struct unix_sock *u, struct sock_msg *m, bool nonblock)
{
	u64 deadline = unix_deadline(u->sk->rcvtimeo_ns);
	int flags = m->flags;
	struct unix_skb *skb = NULL;
	u32 used = 0, namecap;
	long r = 0;

	if (u->type == SOCK_SEQPACKET && u->state != U_CONNECTED)
		return -ENOTCONN;
	mutex_lock(&u->rmutex);
	spin_lock(&unix_lock);
	while (r == 0 && !skb) {
		if (!list_empty(&u->queue))
			skb = list_entry(u->queue.next, struct unix_skb, link);
		else
			r = wait_data(u, nonblock, deadline,
				      u->type == SOCK_SEQPACKET);
	}
	if (skb && !(flags & MSG_PEEK)) {
		list_remove(&skb->link);
		u->qlen--;
	}
	spin_unlock(&unix_lock);
	if (r == 1) /* end of data */
		r = 0;
	namecap = m->namelen;
	m->flags = 0;
	m->namelen = 0;
	if (skb) {
		size_t n = MIN((size_t)skb->len, m->len);

		r = msg_copy_to(m, skb->data, n);
		if (r >= 0) {
			if (skb->len > m->len)
				m->flags |= MSG_TRUNC;
			deliver(u, m, flags, skb, &used, true, namecap);
			r = flags & MSG_TRUNC ? (long)skb->len : (long)n;
		}
		if (!(flags & MSG_PEEK))
			unix_skb_free(skb);
		waitq_wake_all(&u->wwait); /* senders waiting for room */
	}
	mutex_unlock(&u->rmutex);
	m->controllen = used;
	return r;
}

/* The next skb to read after prev (NULL: the head); unix_lock held. */
static struct unix_skb *next_skb(struct unix_sock *u, struct unix_skb *prev)
{
	struct list *l = prev ? prev->link.next : u->queue.next;

	return l == &u->queue ? NULL : list_entry(l, struct unix_skb, link);
}

/* Reads from one skb into m: the bytes or -EFAULT; consumes them unless
 * peeking (skip: bytes of it already peeked). */
static long stream_take(struct unix_sock *u, struct sock_msg *m,
			struct unix_skb *skb, size_t skip, bool peek)
{
	size_t n = MIN(skb->len - skb->off - skip, msg_left(m));
	long r = msg_copy_to(m, skb->data + skb->off + skip, n);
	bool done;

	if (r <= 0 || peek)
		return r;
	spin_lock(&unix_lock);
	skb->off += r;
	done = skb->off == skb->len;
	if (done) {
		list_remove(&skb->link);
		u->qlen--;
	}
	spin_unlock(&unix_lock);
	if (done)
		unix_skb_free(skb);
	return r;
}

static long stream_recv(struct unix_sock *u, struct sock_msg *m, bool nonblock)
{
	u64 deadline = unix_deadline(u->sk->rcvtimeo_ns);
	int flags = m->flags;
	size_t target = flags & MSG_WAITALL ? m->len :
			MIN((size_t)u->sk->rcvlowat, m->len), copied = 0;
	struct unix_skb *skb = NULL, *prev = NULL;
	u32 used = 0, namecap;
	long r = 0;

	if (u->state != U_CONNECTED)
		return -EINVAL;
	namecap = m->namelen;
	m->flags = 0;
	m->namelen = 0;
	mutex_lock(&u->rmutex);
	while (copied < m->len) {
		bool fds, peek = flags & MSG_PEEK;

		spin_lock(&unix_lock);
		skb = next_skb(u, peek ? prev : NULL);
		while (!skb && copied < target && r == 0) {
			r = wait_data(u, nonblock, deadline, false);
			skb = r == 0 ? next_skb(u, peek ? prev : NULL) : NULL;
		}
		spin_unlock(&unix_lock);
		if (!skb)
			break;
		fds = skb->nfds;
		if (!copied || fds)
			deliver(u, m, flags, skb, &used, !copied, namecap);
		r = stream_take(u, m, skb, 0, peek);
		if (r < 0)
			break;
		copied += r;
		prev = skb;
		r = 0;
		if (fds)
			break;
	}
	mutex_unlock(&u->rmutex);
	m->controllen = used;
	if (copied)
		return copied;
	return r == 1 ? 0 : r;
}

long unix_recvmsg(struct socket *sk, struct sock_msg *m, bool nonblock)
{
	struct unix_sock *u = unix_of(sk);

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (u->type == SOCK_STREAM)
		return stream_recv(u, m, nonblock);
	return dgram_recv(u, m, nonblock);
}

/*
 * net/netlink.c: AF_NETLINK sockets, NETLINK_ROUTE only, enough for
 * glibc's getifaddrs and getaddrinfo(AI_ADDRCONFIG), if_nameindex and
 * "ip addr/link/route show". Layer: net, over the interface list
 * (net_iface_*).
 *
 * A request sent to the kernel (nl_pid 0) is answered at once: the
 * answer's messages are queued on the sender as one datagram, which
 * recvmsg reads as Linux's (MSG_PEEK, MSG_TRUNC, the source address
 * {AF_NETLINK, pid 0}). Handled: RTM_GETLINK (a dump, or one link by
 * index or name), RTM_GETADDR and RTM_GETROUTE dumps; every dump ends
 * with NLMSG_DONE. Other requests get NLMSG_ERROR -EOPNOTSUPP, control
 * messages an ack if NLM_F_ACK asks for one, as Linux's netlink_rcv_skb.
 * An unbound socket is bound on its first send to the program's pid
 * (then to -4096, -4097, ...), as Linux's autobind.
 *
 * DIVERGENCE: no multicast groups are ever sent to (no notifications);
 * no other protocol (NETLINK_GENERIC, ...) and no messages between
 * sockets; a dump is not paced by the reader.
 *
 * Locks: nl_lock (a spinlock) guards every socket's queue and the bound
 * list; the answers are built without it.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/process.h>
#include <skiff/time.h>
#include "family.h"

#define NETLINK_ROUTE 0
#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define NLMSG_MIN_TYPE 16
#define NLM_F_REQUEST 1
#define NLM_F_MULTI 2
#define NLM_F_ACK 4
#define NLM_F_CAPPED 0x100
#define NLM_F_DUMP 0x300
#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_NEWADDR 20
#define RTM_GETADDR 22
#define RTM_NEWROUTE 24
#define RTM_GETROUTE 26
#define NETLINK_CAP_ACK 10
#define NL_QUEUE_MAX 64		/* datagrams queued at most */

struct nlmsghdr {
	u32 len;
	u16 type, flags;
	u32 seq, pid;
};
struct sockaddr_nl {
	u16 family, pad;
	u32 pid, groups;
};

struct nl_msg {
	struct list link;
	u32 len;
	char data[];
};

struct nl_sock {
	u32 portid;		/* 0: unbound */
	u32 groups;
	u32 dst_pid, dst_groups; /* connect */
	bool cap_ack;		/* NETLINK_CAP_ACK */
	u32 opts;		/* other SOL_NETLINK flags, by bit */
	struct list queue;	/* struct nl_msg */
	u32 qlen;
	struct list link;	/* nl_bound */
	struct waitq rwait;
	struct mutex rmutex;
};

static struct spinlock nl_lock = SPINLOCK_INIT;
static struct list nl_bound = { &nl_bound, &nl_bound };
static u32 nl_rover = -4096;
static const struct sock_ops nl_ops;

/* ---- Building answers (net/nlbuild.c) ---- */
#include "nlbuild.h"

static bool portid_used(u32 id)
{
	list_for_each(it, &nl_bound)
		if (list_entry(it, struct nl_sock, link)->portid == id)
			return true;
	return false;
}

/* Binds n to id (0: a free one); nl_lock held. */
static int nl_bind_id(struct nl_sock *n, u32 id)
{
	struct process *p = process_current();

	if (n->portid)
		return n->portid == id || !id ? 0 : -EINVAL;
	if (!id) {
		id = p ? (u32)p->pid : 1;
		while (portid_used(id))
			id = nl_rover--;
	} else if (portid_used(id)) {
		return -EADDRINUSE;
	}
	n->portid = id;
	list_push_back(&nl_bound, &n->link);
	return 0;
}

static int nl_create(struct socket *sk, int type, int protocol)
{
	struct nl_sock *n;

	if (type != SOCK_RAW && type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != NETLINK_ROUTE)
		return -EPROTONOSUPPORT;
	n = kzalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	list_init(&n->queue);
	list_init(&n->link);
	waitq_init(&n->rwait);
	mutex_init(&n->rmutex);
	sk->ops = &nl_ops;
	sk->priv = n;
	return 0;
}

static int nl_bind(struct socket *sk, const void *addr, u32 len)
{
	const struct sockaddr_nl *a = addr;
	struct nl_sock *n = sk->priv;
	int r;

	if (len < sizeof(*a) || a->family != AF_NETLINK)
		return -EINVAL;
	spin_lock(&nl_lock);
	r = nl_bind_id(n, a->pid);
	if (r == 0)
		n->groups = a->groups;
	spin_unlock(&nl_lock);
	return r;
}

static int nl_connect(struct socket *sk, const void *addr, u32 len,
		      bool nonblock)
{
	const struct sockaddr_nl *a = addr;
	struct nl_sock *n = sk->priv;
	int r = 0;

	if (len < sizeof(a->family))
		return -EINVAL;
	if (a->family == AF_UNSPEC) {
		n->dst_pid = n->dst_groups = 0;
		return 0;
	}
	if (len < sizeof(*a) || a->family != AF_NETLINK)
		return -EINVAL;
	spin_lock(&nl_lock);
	r = nl_bind_id(n, 0);
	spin_unlock(&nl_lock);
	n->dst_pid = a->pid;
	n->dst_groups = a->groups;
	return r;
}

static int nl_getname(struct socket *sk, void *addr, u32 *len, bool peer)
{
	struct nl_sock *n = sk->priv;
	struct sockaddr_nl a = { AF_NETLINK, 0, peer ? n->dst_pid : n->portid,
				 peer ? n->dst_groups : n->groups };

	memcpy(addr, &a, sizeof(a));
	*len = sizeof(a);
	return 0;
}

/* Queues the built answer b on n as one datagram (b is emptied). */
static void nl_deliver(struct socket *sk, struct nlbuf *b)
{
	struct nl_sock *n = sk->priv;
	struct nl_msg *m;

	if (!b->len || b->err)
		return;
	m = kmalloc(sizeof(*m) + b->len);
	if (!m)
		return;
	m->len = b->len;
	memcpy(m->data, b->buf, b->len);
	spin_lock(&nl_lock);
	if (n->qlen < NL_QUEUE_MAX) {
		list_push_back(&n->queue, &m->link);
		n->qlen++;
		m = NULL;
	}
	spin_unlock(&nl_lock);
	kfree(m);
	waitq_wake_all(&n->rwait);
	vfs_poll_notify(sk->inode, POLL_IN_BITS);
}

/* Linux's netlink_ack: NLMSG_ERROR with err and the request (its header
 * only for an ack, or with NETLINK_CAP_ACK). */
static void nl_ack(struct nl_sock *n, struct nlbuf *b,
		   const struct nlmsghdr *h, int err)
{
	bool whole = err && !n->cap_ack;
	u32 at = nlb_begin(b, NLMSG_ERROR, whole ? 0 : NLM_F_CAPPED,
			   h->seq, n->portid);

	nlb_put(b, &err, sizeof(err));
	nlb_put(b, h, whole ? h->len : sizeof(*h));
	nlb_end(b, at);
}

/* One request: a dump or get into b; 0 or -Exxx (acked by the caller). */
static int nl_request(struct nl_sock *n, struct nlbuf *b,
		      const struct nlmsghdr *h)
{
	const char *payload = (const char *)(h + 1);
	u32 plen = h->len - sizeof(*h);
	int family = plen ? (u8)payload[0] : AF_UNSPEC;
	bool dump = (h->flags & NLM_F_DUMP) == NLM_F_DUMP;

	switch (h->type) {
	case RTM_GETLINK:
		return dump ? nlb_dump_links(b, h->seq, n->portid) :
			      nlb_get_link(b, h, n->portid);
	case RTM_GETADDR:
		return dump ? nlb_dump_addrs(b, h->seq, n->portid, family) :
			      -EOPNOTSUPP;
	case RTM_GETROUTE:
		return dump ? nlb_dump_routes(b, h->seq, n->portid, family) :
			      -EOPNOTSUPP;
	}
	return -EOPNOTSUPP;
}

/* Linux's netlink_rcv_skb over the bytes of one send. */
static void nl_process(struct socket *sk, const char *buf, u32 len)
{
	struct nl_sock *n = sk->priv;
	struct nlbuf b = { 0 };

	while (len >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;
		int err = 0;

		memcpy(&h, buf, sizeof(h));
		if (h.len < sizeof(h) || h.len > len)
			break;
		if ((h.flags & NLM_F_REQUEST) && h.type >= NLMSG_MIN_TYPE)
			err = nl_request(n, &b, (const struct nlmsghdr *)buf);
		if (err == 1)	/* a dump: no ack */
			;
		else if ((h.flags & NLM_F_ACK) || err)
			nl_ack(n, &b, (const struct nlmsghdr *)buf, err);
		h.len = NLMSG_ALIGN(h.len);
		if (h.len >= len)
			break;
		buf += h.len;
		len -= h.len;
	}
	nl_deliver(sk, &b);
	kfree(b.buf);
}

static long nl_sendmsg(struct socket *sk, struct sock_msg *m, bool nonblock)
{
	struct nl_sock *n = sk->priv;
	const struct sockaddr_nl *a = m->name;
	u32 dst = n->dst_pid;
	char *buf;
	long r;

	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (a) {
		if (m->namelen < sizeof(*a) || a->family != AF_NETLINK)
			return -EINVAL;
		dst = a->pid;
	}
	spin_lock(&nl_lock);
	r = nl_bind_id(n, 0);
	spin_unlock(&nl_lock);
	if (r < 0)
		return r;
	if (m->len > sk->sndbuf - 32)
		return -EMSGSIZE;
	if (dst != 0)
		return -ECONNREFUSED;
	buf = kmalloc(m->len + 1);
	if (!buf)
		return -ENOBUFS;
	r = msg_copy_from(m, buf, m->len);
	if (r >= 0 && (size_t)r < m->len)
		r = -EFAULT;
	if (r >= 0)
		nl_process(sk, buf, m->len);
	kfree(buf);
	return r;
}

/* Waits for a datagram on n (nl_lock held): 0 or -EAGAIN / -EINTR. */
static int nl_wait(struct socket *sk, bool nonblock, u64 deadline)
{
	struct nl_sock *n = sk->priv;
	int r;

	if (nonblock)
		return -EAGAIN;
	r = waitq_sleep(&n->rwait, &nl_lock, deadline);
	return r == -ETIMEDOUT ? -EAGAIN : r;
}

static long nl_recvmsg(struct socket *sk, struct sock_msg *m, bool nonblock)
{
	struct nl_sock *n = sk->priv;
	u64 deadline = sk->rcvtimeo_ns ? time_monotonic_ns() + sk->rcvtimeo_ns : 0;
	struct sockaddr_nl src = { AF_NETLINK, 0, 0, 0 };
	int flags = m->flags;
	struct nl_msg *msg = NULL;
	long r = 0;

	mutex_lock(&n->rmutex);
	spin_lock(&nl_lock);
	while (r == 0 && list_empty(&n->queue))
		r = nl_wait(sk, nonblock, deadline);
	if (r == 0) {
		msg = list_entry(n->queue.next, struct nl_msg, link);
		if (!(flags & MSG_PEEK)) {
			list_remove(&msg->link);
			n->qlen--;
		}
	}
	spin_unlock(&nl_lock);
	m->flags = 0;
	m->namelen = 0;
	m->controllen = 0;
	if (msg) {
		size_t k = MIN((size_t)msg->len, m->len);

		r = msg_copy_to(m, msg->data, k);
		if (r >= 0) {
			if (msg->len > m->len)
				m->flags |= MSG_TRUNC;
			r = flags & MSG_TRUNC ? (long)msg->len : (long)k;
		}
		if (m->name) {
			memcpy(m->name, &src, sizeof(src));
			m->namelen = sizeof(src);
		}
		if (!(flags & MSG_PEEK))
			kfree(msg);
	}
	mutex_unlock(&n->rmutex);
	return r;
}

static u32 nl_poll(struct socket *sk)
{
	struct nl_sock *n = sk->priv;
	u32 ev = POLLOUT | POLLWRNORM | POLLWRBAND;

	spin_lock(&nl_lock);
	if (!list_empty(&n->queue))
		ev |= POLLIN | POLLRDNORM;
	spin_unlock(&nl_lock);
	return ev;
}

static int nl_setsockopt(struct socket *sk, int level, int name,
			 const void *val, u32 len)
{
	struct nl_sock *n = sk->priv;
	int v;

	if (level == SOL_SOCKET)
		return 0;
	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	if (len < sizeof(int))
		return -EINVAL;
	memcpy(&v, val, sizeof(v));
	switch (name) {
	case 1: case 2: /* NETLINK_ADD/DROP_MEMBERSHIP: no groups here */
		return 0;
	case NETLINK_CAP_ACK:
		n->cap_ack = v != 0;
		return 0;
	case 3: case 4: case 5: case 8: case 11: case 12:
		if (v)
			n->opts |= 1u << name;
		else
			n->opts &= ~(1u << name);
		return 0;
	}
	return -ENOPROTOOPT;
}

static int nl_getsockopt(struct socket *sk, int level, int name, void *val,
			 u32 *len)
{
	struct nl_sock *n = sk->priv;
	int v;

	if (level == SOL_SOCKET)
		return -ENOPROTOOPT;
	if (level != SOL_NETLINK)
		return -ENOPROTOOPT;
	if (*len < sizeof(int))
		return -EINVAL;
	switch (name) {
	case NETLINK_CAP_ACK:
		v = n->cap_ack;
		break;
	case 3: case 4: case 5: case 8: case 11: case 12:
		v = !!(n->opts & (1u << name));
		break;
	default:
		return -ENOPROTOOPT;
	}
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

static long nl_ioctl(struct socket *sk, unsigned long req, unsigned long arg)
{
	return -ENOTTY;
}

static void nl_release(struct socket *sk)
{
	struct nl_sock *n = sk->priv;
	struct list q;

	if (!n)
		return;
	spin_lock(&nl_lock);
	list_remove(&n->link);
	list_init(&q);
	list_for_each_safe(it, tmp, &n->queue) {
		list_remove(it);
		list_push_back(&q, it);
	}
	spin_unlock(&nl_lock);
	list_for_each_safe(it, tmp, &q)
		kfree(list_entry(it, struct nl_msg, link));
	kfree(n);
	sk->priv = NULL;
}

static const struct sock_ops nl_ops = {
	.bind = nl_bind,
	.connect = nl_connect,
	.getname = nl_getname,
	.sendmsg = nl_sendmsg,
	.recvmsg = nl_recvmsg,
	.setsockopt = nl_setsockopt,
	.getsockopt = nl_getsockopt,
	.poll = nl_poll,
	.ioctl = nl_ioctl,
	.release = nl_release,
};

const struct net_family netlink_family = {
	.family = AF_NETLINK,
	.create = nl_create,
};

/* net_init's call: the table has the family from the start (socket.c). */
void netlink_init(void)
{
	net_family_register(&netlink_family);
}

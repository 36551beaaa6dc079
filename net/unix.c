/*
 * net/unix.c: AF_UNIX sockets: SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET
 * (SOCK_RAW is a datagram socket, as on Linux). Layer: net. This file:
 * creation, socketpair, names (bind, autobind, lookup), connect, listen,
 * accept, shutdown, poll, ioctl, options and release; the messages are in
 * net/unixmsg.c. See net/unix.h for the state and its lock.
 *
 * Names: a path name is a S_IFSOCK file made by bind (mknod; EADDRINUSE
 * if the name exists) and found again by connect through its inode; an
 * abstract name (sun_path[0] == 0) lives only in the bound list, one
 * space per socket type as on Linux; an empty bind or a SO_PASSCRED send
 * of an unbound socket autobinds to "\0XXXXX". Lengths are Linux's: a
 * path name's address is offsetof(sun_path) + strlen + 1 bytes.
 *
 * Connections follow Linux: connect makes the server's socket at once
 * (an "embryo" on the listener's queue, so the client may write before
 * the accept) and fails with EAGAIN, or waits, while more than backlog
 * embryos are queued. Closing a socket shuts its peer down both ways
 * (ECONNRESET first if it left data unread); closing a listener resets
 * its embryos' clients.
 *
 * DIVERGENCE: sockets that pass themselves in SCM_RIGHTS are never
 * collected (Linux's unix_gc); no MSG_OOB on streams.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/process.h>
#include <skiff/time.h>
#include "family.h"
#include "unix.h"

#define FIONREAD 0x541b
#define SIOCOUTQ 0x5411
#define SO_ERROR 4
#define SO_PEERCRED 17
#define SO_ACCEPTCONN 30

struct spinlock unix_lock = SPINLOCK_INIT;
static struct list unix_bound = { &unix_bound, &unix_bound };
static u32 autobind_next;
static const struct sock_ops unix_ops;

struct unix_sock *unix_get(struct unix_sock *u)
{
	__atomic_add_fetch(&u->refs, 1, __ATOMIC_RELAXED);
	return u;
}

void unix_put(struct unix_sock *u)
{
	if (!u || __atomic_sub_fetch(&u->refs, 1, __ATOMIC_ACQ_REL))
		return;
	kfree(u->addr);
	kfree(u);
}

void unix_notify(struct unix_sock *u, u32 events)
{
	struct inode *ino = NULL;

	if (!u)
		return;
	spin_lock(&unix_lock);
	if (u->sk && u->sk->inode)
		ino = inode_get(u->sk->inode);
	spin_unlock(&unix_lock);
	waitq_wake_all(&u->rwait);
	waitq_wake_all(&u->wwait);
	if (ino) {
		vfs_poll_notify(ino, events);
		inode_put(ino);
	}
}

void unix_cred_now(struct unix_cred *c)
{
	struct process *p = process_current();

	/* One program, run as root (linux/thread.c getuid). */
	*c = (struct unix_cred){ p ? p->pid : 0, 0, 0 };
}

u64 unix_deadline(u64 timeo_ns)
{
	return timeo_ns ? time_monotonic_ns() + timeo_ns : 0;
}

static struct unix_sock *unix_new(int type)
{
	struct unix_sock *u = kzalloc(sizeof(*u));

	if (!u)
		return NULL;
	u->refs = 1;
	u->type = type;
	list_init(&u->bound_link);
	list_init(&u->queue);
	list_init(&u->embryo_link);
	waitq_init(&u->rwait);
	waitq_init(&u->wwait);
	mutex_init(&u->rmutex);
	unix_cred_now(&u->cred);
	u->peercred = (struct unix_cred){ 0, -1, -1 };
	return u;
}

static int unix_create(struct socket *sk, int type, int protocol)
{
	struct unix_sock *u;

	if (protocol && protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	if (type == SOCK_RAW)
		type = SOCK_DGRAM;
	if (type != SOCK_STREAM && type != SOCK_DGRAM &&
	    type != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	u = unix_new(type);
	if (!u)
		return -ENOMEM;
	u->sk = sk;
	sk->type = type;
	sk->ops = &unix_ops;
	sk->priv = u;
	return 0;
}

/* Joins a and b (both unix_lock held or both private); state connected. */
static void join(struct unix_sock *a, struct unix_sock *b)
{
	a->peer = unix_get(b);
	b->peer = unix_get(a);
	a->state = b->state = U_CONNECTED;
	a->peercred = b->cred;
	b->peercred = a->cred;
}

static int unix_pair(struct socket *a, struct socket *b)
{
	join(unix_of(a), unix_of(b));
	return 0;
}

/* ---- Names ---- */

int unix_validate(const void *addr, u32 len)
{
	if (len < 2 || len > UNIX_ADDR_MAX || *(const u16 *)addr != AF_UNIX)
		return -EINVAL;
	return 0;
}

static bool abstract(const struct unix_addr *a)
{
	return a->len > 2 && a->sa[2] == 0;
}

/* A bound socket of type with abstract name a; unix_lock held. */
static struct unix_sock *find_abstract(const struct unix_addr *a, int type)
{
	list_for_each(it, &unix_bound) {
		struct unix_sock *u = list_entry(it, struct unix_sock,
						 bound_link);

		if (u->type == type && abstract(u->addr) &&
		    u->addr->len == a->len && !memcmp(u->addr->sa, a->sa, a->len))
			return u;
	}
	return NULL;
}

/* The bound socket whose path name is the file ino; unix_lock held. */
static struct unix_sock *find_inode(struct inode *ino)
{
	list_for_each(it, &unix_bound) {
		struct unix_sock *u = list_entry(it, struct unix_sock,
						 bound_link);

		if (u->path && u->path->inode == ino)
			return u;
	}
	return NULL;
}

/* The kernel address as a unix_addr: a path is cut at its NUL. */
static void make_addr(struct unix_addr *a, const void *addr, u32 len)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->sa, addr, len);
	a->len = len;
	if (len > 2 && a->sa[2])
		a->len = 2 + strnlen(a->sa + 2, len - 2) + 1;
}

static int find_path(const char *path, int type, struct unix_sock **out)
{
	struct unix_sock *u;
	struct dentry *d;
	int r = vfs_lookup(NULL, path, WALK_FOLLOW, &d);

	if (r < 0)
		return r;
	r = -ECONNREFUSED;
	if (S_ISSOCK(d->inode->mode)) {
		spin_lock(&unix_lock);
		u = find_inode(d->inode);
		if (u && u->type != type)
			r = -EPROTOTYPE;
		else if (u)
			r = 0, *out = unix_get(u);
		spin_unlock(&unix_lock);
	}
	dentry_put(d);
	return r;
}

int unix_find(const void *addr, u32 len, int type, struct unix_sock **out)
{
	struct unix_addr a;
	struct unix_sock *u;
	int r = unix_validate(addr, len);

	if (r < 0)
		return r;
	make_addr(&a, addr, len);
	if (!abstract(&a))
		return a.len > 3 ? find_path(a.sa + 2, type, out) : -ENOENT;
	spin_lock(&unix_lock);
	u = find_abstract(&a, type);
	if (u)
		*out = unix_get(u);
	spin_unlock(&unix_lock);
	return u ? 0 : -ECONNREFUSED;
}

/* Gives u the name a (taken over); unix_lock held. -EINVAL if bound. */
static int set_addr(struct unix_sock *u, struct unix_addr *a,
		    struct dentry *path)
{
	if (u->addr)
		return -EINVAL;
	if (abstract(a) && find_abstract(a, u->type))
		return -EADDRINUSE;
	u->addr = a;
	u->path = path;
	list_push_back(&unix_bound, &u->bound_link);
	return 0;
}

int unix_autobind(struct unix_sock *u)
{
	struct unix_addr *a = kzalloc(sizeof(*a));
	int r = -EADDRINUSE;

	if (!a)
		return -ENOMEM;
	a->len = 8;
	a->sa[0] = AF_UNIX;
	spin_lock(&unix_lock);
	if (u->addr) {
		spin_unlock(&unix_lock);
		kfree(a);
		return 0;
	}
	for (u32 tries = 0; tries < 0x100000 && r == -EADDRINUSE; tries++) {
		fmt_snprintf(a->sa + 3, 6, "%05x", autobind_next++ & 0xfffff);
		r = set_addr(u, a, NULL);
	}
	spin_unlock(&unix_lock);
	if (r < 0)
		kfree(a);
	return r;
}

/* bind to a path: the file first, then the name. */
static int bind_path(struct unix_sock *u, struct unix_addr *a)
{
	const char *path = a->sa + 2;
	struct dentry *d;
	int r;

	r = vfs_mknod(NULL, path, S_IFSOCK | 0777, 0);
	if (r == -EEXIST)
		r = -EADDRINUSE;
	if (r == 0)
		r = vfs_lookup(NULL, path, 0, &d);
	if (r < 0)
		return r;
	spin_lock(&unix_lock);
	r = set_addr(u, a, d);
	spin_unlock(&unix_lock);
	if (r < 0) {
		dentry_put(d);
		vfs_unlink(NULL, path);
	}
	return r;
}

static int unix_bind(struct socket *sk, const void *addr, u32 len)
{
	struct unix_sock *u = unix_of(sk);
	struct unix_addr *a;
	int r;

	if (len == 2 && *(const u16 *)addr == AF_UNIX)
		return unix_autobind(u);
	r = unix_validate(addr, len);
	if (r < 0)
		return r;
	a = kmalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	make_addr(a, addr, len);
	if (abstract(a)) {
		spin_lock(&unix_lock);
		r = set_addr(u, a, NULL);
		spin_unlock(&unix_lock);
	} else {
		r = a->len > 3 ? bind_path(u, a) : -ENOENT;
	}
	if (r < 0)
		kfree(a);
	return r;
}

/* Copies u's name (none: just the family) to addr; its length. */
static u32 put_name(struct unix_sock *u, void *addr)
{
	if (!u || !u->addr) {
		*(u16 *)addr = AF_UNIX;
		return 2;
	}
	memcpy(addr, u->addr->sa, u->addr->len);
	return u->addr->len;
}

static int unix_getname(struct socket *sk, void *addr, u32 *len, bool peer)
{
	struct unix_sock *u = unix_of(sk);
	int r = 0;

	spin_lock(&unix_lock);
	if (peer && !u->peer)
		r = -ENOTCONN;
	else
		*len = put_name(peer ? u->peer : u, addr);
	spin_unlock(&unix_lock);
	return r;
}

/* ---- Connections ---- */

/* Waits (unix_lock held) for other's accept queue to have room. */
static int wait_backlog(struct unix_sock *other, u64 deadline)
{
	int r = waitq_sleep(&other->wwait, &unix_lock, deadline);

	return r == -ETIMEDOUT ? -EAGAIN : r;
}

/* Latches a connection of u to the listener other; unix_lock held.
 * 1: wait for room in the backlog and retry. */
static int stream_link(struct unix_sock *u, struct unix_sock *other,
		       struct unix_sock *child)
{
	if (other->dead || other->state != U_LISTEN ||
	    (other->shutdown & UNIX_RCV_SHUT))
		return -ECONNREFUSED;
	if (other->qlen > (u32)other->backlog)
		return 1;
	if (u->state == U_CONNECTED)
		return -EISCONN;
	if (u->state != U_UNCONN)
		return -EINVAL;
	join(u, child);
	u->peercred = other->cred;
	if (other->addr) {
		child->addr = kmalloc(sizeof(*child->addr));
		if (child->addr)
			*child->addr = *other->addr;
	}
	list_push_back(&other->queue, &unix_get(child)->embryo_link);
	other->qlen++;
	return 0;
}

static int stream_connect(struct unix_sock *u, const void *addr, u32 len,
			  bool nonblock)
{
	u64 deadline = unix_deadline(u->sk->sndtimeo_ns);
	struct unix_sock *other, *child;
	int r = unix_validate(addr, len);

	if (r == 0 && (u->sk->opts & SOCK_OPT_PASSCRED))
		r = unix_autobind(u);
	if (r < 0)
		return r;
	child = unix_new(u->type);
	if (!child)
		return -ENOMEM;
	for (;;) {
		r = unix_find(addr, len, u->type, &other);
		if (r < 0)
			break;
		spin_lock(&unix_lock);
		r = stream_link(u, other, child);
		if (r == 1)
			r = nonblock ? -EAGAIN : wait_backlog(other, deadline);
		else if (r == 0)
			r = 2;
		spin_unlock(&unix_lock);
		if (r == 2)
			unix_notify(other, POLL_IN_BITS);
		unix_put(other);
		if (r != 0)
			break;
	}
	unix_put(child);
	return r == 2 ? 0 : r;
}

static int dgram_connect(struct unix_sock *u, const void *addr, u32 len)
{
	struct unix_sock *other = NULL, *old;
	int r = 0;

	if (len < 2)
		return -EINVAL;
	if (*(const u16 *)addr != AF_UNSPEC) {
		r = unix_validate(addr, len);
		if (r == 0 && (u->sk->opts & SOCK_OPT_PASSCRED))
			r = unix_autobind(u);
		if (r == 0)
			r = unix_find(addr, len, u->type, &other);
		if (r < 0)
			return r;
	}
	spin_lock(&unix_lock);
	if (other && other->peer && other->peer != u && other != u) {
		spin_unlock(&unix_lock);
		unix_put(other);
		return -EPERM;
	}
	old = u->peer;
	u->peer = other;
	u->state = other ? U_CONNECTED : U_UNCONN;
	if (other)
		u->peercred = other->cred;
	spin_unlock(&unix_lock);
	unix_notify(old, 0);
	unix_put(old);
	return 0;
}

static int unix_connect(struct socket *sk, const void *addr, u32 len,
			bool nonblock)
{
	if (sk->type == SOCK_DGRAM)
		return dgram_connect(unix_of(sk), addr, len);
	return stream_connect(unix_of(sk), addr, len, nonblock);
}

static int unix_listen(struct socket *sk, int backlog)
{
	struct unix_sock *u = unix_of(sk);
	int r = 0;

	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	spin_lock(&unix_lock);
	if (!u->addr || (u->state != U_UNCONN && u->state != U_LISTEN))
		r = -EINVAL;
	else {
		u->backlog = backlog;
		u->state = U_LISTEN;
		unix_cred_now(&u->cred);
		u->peercred = u->cred;
	}
	spin_unlock(&unix_lock);
	unix_notify(u, POLL_OUT_BITS);
	return r;
}

static int unix_accept(struct socket *sk, struct socket **out, void *addr,
		       u32 *len, bool nonblock)
{
	struct unix_sock *u = unix_of(sk), *child = NULL;
	u64 deadline = unix_deadline(sk->rcvtimeo_ns);
	struct socket *nsk;
	int r = 0;

	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	nsk = sock_alloc_child(sk);
	if (!nsk)
		return -ENOMEM;
	spin_lock(&unix_lock);
	while (r == 0 && !child) {
		if (u->state != U_LISTEN)
			r = -EINVAL;
		else if (!list_empty(&u->queue)) {
			child = list_entry(u->queue.next, struct unix_sock,
					   embryo_link);
			list_remove(&child->embryo_link);
			u->qlen--;
			child->sk = nsk;
			nsk->priv = child;
			if (addr)
				*len = put_name(child->peer, addr);
		} else if (nonblock) {
			r = -EAGAIN;
		} else {
			r = waitq_sleep(&u->rwait, &unix_lock, deadline);
			r = r == -ETIMEDOUT ? -EAGAIN : r;
		}
	}
	spin_unlock(&unix_lock);
	if (r < 0) {
		nsk->ops = NULL;
		sock_free(nsk);
		return r;
	}
	unix_notify(u, POLL_OUT_BITS); /* connects waiting for the backlog */
	*out = nsk;
	return 0;
}

static int unix_shutdown(struct socket *sk, int how)
{
	struct unix_sock *u = unix_of(sk), *peer = NULL;
	int mode = how + 1, pmode = 0;

	spin_lock(&unix_lock);
	u->shutdown |= mode;
	if (u->peer && u->type != SOCK_DGRAM) {
		peer = unix_get(u->peer);
		pmode = (mode & UNIX_RCV_SHUT ? UNIX_SEND_SHUT : 0) |
			(mode & UNIX_SEND_SHUT ? UNIX_RCV_SHUT : 0);
		peer->shutdown |= pmode;
	}
	spin_unlock(&unix_lock);
	unix_notify(u, 0);
	unix_notify(peer, 0);
	unix_put(peer);
	return 0;
}

/* ---- Readiness, ioctl, options ---- */

static bool writable(struct unix_sock *u)
{
	return u->state != U_LISTEN && (u64)u->wmem * 4 <= u->sk->sndbuf;
}

/* Linux's unix_poll and unix_dgram_poll. */
static u32 unix_poll(struct socket *sk)
{
	struct unix_sock *u = unix_of(sk), *p;
	u32 ev = 0;

	spin_lock(&unix_lock);
	if (u->err)
		ev |= POLLERR;
	if (u->shutdown == UNIX_SHUT_ALL)
		ev |= POLLHUP;
	if (u->shutdown & UNIX_RCV_SHUT)
		ev |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (!list_empty(&u->queue))
		ev |= POLLIN | POLLRDNORM;
	if (u->type != SOCK_DGRAM && u->state == U_UNCONN)
		ev |= POLLHUP;
	p = u->peer;
	if (writable(u) && !(u->type != SOCK_STREAM && p && p->peer != u &&
			     p->qlen > UNIX_MAX_DGRAM_QLEN))
		ev |= POLLOUT | POLLWRNORM | POLLWRBAND;
	spin_unlock(&unix_lock);
	return ev;
}

static long unix_ioctl(struct socket *sk, unsigned long req,
		       unsigned long arg)
{
	struct unix_sock *u = unix_of(sk);
	int v;

	if (req != FIONREAD && req != SIOCOUTQ)
		return -ENOTTY;
	spin_lock(&unix_lock);
	if (req == SIOCOUTQ)
		v = u->wmem;
	else
		v = u->state == U_LISTEN ? -EINVAL : unix_inq(u);
	spin_unlock(&unix_lock);
	if (v < 0)
		return v;
	return copy_to_user((void *)arg, &v, sizeof(v));
}

static int unix_getsockopt(struct socket *sk, int level, int name, void *val,
			   u32 *len)
{
	struct unix_sock *u = unix_of(sk);
	int v;

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	spin_lock(&unix_lock);
	switch (name) {
	case SO_PEERCRED:
		*len = MIN(*len, sizeof(u->peercred));
		memcpy(val, &u->peercred, *len);
		break;
	case SO_ERROR:
		v = -u->err;
		u->err = 0;
		memcpy(val, &v, sizeof(v));
		break;
	case SO_ACCEPTCONN:
		v = u->state == U_LISTEN;
		memcpy(val, &v, sizeof(v));
		break;
	default:
		spin_unlock(&unix_lock);
		return -ENOPROTOOPT;
	}
	spin_unlock(&unix_lock);
	return 0;
}

static int unix_setsockopt(struct socket *sk, int level, int name,
			   const void *val, u32 len)
{
	/* SOL_SOCKET ones need nothing more; Linux has no other level. */
	return level == SOL_SOCKET ? 0 : -EOPNOTSUPP;
}

/* ---- Release ---- */

/*
 * u goes away (its socket closed, or an embryo never accepted): the peer
 * is shut down, the queue emptied, the name dropped. unix_lock not held.
 */
static void unix_release_sock(struct unix_sock *u)
{
	struct unix_sock *peer;
	struct list q;

	spin_lock(&unix_lock);
	u->dead = true;
	u->sk = NULL;
	u->shutdown = UNIX_SHUT_ALL;
	list_remove(&u->bound_link);
	peer = u->peer;
	u->peer = NULL;
	if (peer && u->type != SOCK_DGRAM && peer->peer == u) {
		if (!list_empty(&u->queue) || u->state == U_LISTEN)
			peer->err = ECONNRESET;
		peer->shutdown = UNIX_SHUT_ALL;
	}
	unix_queue_take(u, &q);
	spin_unlock(&unix_lock);
	/* Senders waiting for room in u's queue, connects for its backlog. */
	waitq_wake_all(&u->wwait);
	unix_notify(peer, 0);
	list_for_each_safe(it, tmp, &q) {
		list_remove(it);
		if (u->state == U_LISTEN) {
			struct unix_sock *e = list_entry(it, struct unix_sock,
							 embryo_link);

			spin_lock(&unix_lock);
			if (e->peer)
				e->peer->err = ECONNRESET;
			spin_unlock(&unix_lock);
			unix_release_sock(e);
			unix_put(e);
		} else {
			unix_skb_free(list_entry(it, struct unix_skb, link));
		}
	}
	if (u->path)
		dentry_put(u->path);
	u->path = NULL;
	unix_put(peer);
}

static void unix_release(struct socket *sk)
{
	struct unix_sock *u = unix_of(sk);

	if (!u)
		return;
	unix_release_sock(u);
	unix_put(u);
	sk->priv = NULL;
}

static const struct sock_ops unix_ops = {
	.bind = unix_bind,
	.connect = unix_connect,
	.listen = unix_listen,
	.accept = unix_accept,
	.getname = unix_getname,
	.sendmsg = unix_sendmsg,
	.recvmsg = unix_recvmsg,
	.shutdown = unix_shutdown,
	.setsockopt = unix_setsockopt,
	.getsockopt = unix_getsockopt,
	.poll = unix_poll,
	.ioctl = unix_ioctl,
	.release = unix_release,
};

const struct net_family unix_family = {
	.family = AF_UNIX,
	.create = unix_create,
	.pair = unix_pair,
};

/* net_init's call: the table has the family from the start (socket.c). */
void unix_init(void)
{
	net_family_register(&unix_family);
}

/* ---- /proc/net/unix ---- */

/* One line of /proc/net/unix for u; unix_lock held. */
static int proc_line(struct unix_sock *u, char *buf, size_t size)
{
	int st = u->state == U_CONNECTED ? 3 : 1;
	u64 ino = u->sk && u->sk->inode ? u->sk->inode->ino : 0;
	int n = fmt_snprintf(buf, size, "0000000000000000: %08X %08X %08X %04X "
			     "%02X %5lu", 2 + (u->peer != NULL), 0,
			     u->state == U_LISTEN ? 0x10000 : 0, u->type, st,
			     (unsigned long)ino);

	if (u->addr && (size_t)n < size) {
		n += fmt_snprintf(buf + n, size - n, " %s", abstract(u->addr) ?
				  "@" : "");
		for (u32 i = abstract(u->addr) ? 3 : 2; i < u->addr->len &&
		     (abstract(u->addr) || u->addr->sa[i]); i++)
			if ((size_t)n + 1 < size)
				buf[n++] = u->addr->sa[i] ? u->addr->sa[i] : '@';
	}
	if ((size_t)n + 1 < size)
		buf[n++] = '\n';
	return n;
}

/* The sockets listed: the bound ones (unbound ones are not tracked).
 * DIVERGENCE: Linux lists unbound sockets too. */
long unix_proc_text(char **buf)
{
	size_t size = 128, n;
	char *b = NULL;

	for (;;) {
		kfree(b);
		b = kmalloc(size);
		if (!b)
			return -ENOMEM;
		n = fmt_snprintf(b, size, "Num       RefCount Protocol Flags"
				 "    Type St Inode Path\n");
		spin_lock(&unix_lock);
		list_for_each(it, &unix_bound)
			n += proc_line(list_entry(it, struct unix_sock,
						  bound_link), b + n,
				       n < size ? size - n : 0);
		spin_unlock(&unix_lock);
		if (n + 1 < size)
			break;
		size = n * 2 + 256;
	}
	*buf = b;
	return n;
}

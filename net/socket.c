/*
 * net/socket.c: sockets as files, the family registry and the calls
 * common to every family (skiff/net.h). Layer: net, beside fs/.
 *
 * A socket is a struct socket behind an open file whose inode is an
 * anonymous S_IFSOCK inode (mode 0777, as Linux's sockfs): fstat shows a
 * socket and /proc/self/fd/N reads "socket:[INO]". The file owns the
 * socket: its last file_put runs sock_release, which calls the family's
 * release. read/write/readv/writev are recvmsg/sendmsg without flags, so
 * sendfile into a socket works; poll is the family's; the readiness
 * changes are the family's to announce (vfs_poll_notify(sk->inode)).
 *
 * The families are a table by number: AF_UNIX and AF_NETLINK are built
 * in; the inet families register at boot (net_family_register). The
 * SOL_SOCKET options live in net/sockopt.c, the interface ioctls in
 * net/sockioctl.c.
 *
 * Locks: none of its own. A socket's fields that the core keeps (options,
 * timeouts) are single words written by setsockopt and read by the
 * family's calls: a racing reader sees the old or the new value.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/net.h>
#include "family.h"

#define AF_MAX 46		/* Linux's NPROTO */
#define SOCK_TYPE_MAX 11	/* Linux's SOCK_MAX */
#define SOMAXCONN 4096		/* net.core.somaxconn */
#define SOCK_DEFAULT_BUF 212992	/* net.core.[rw]mem_default */

static const struct net_family *families[AF_MAX] = {
	[AF_UNIX] = &unix_family,
	[AF_NETLINK] = &netlink_family,
};

void net_family_register(const struct net_family *f)
{
	if (f->family > 0 && f->family < AF_MAX)
		__atomic_store_n(&families[f->family], f, __ATOMIC_RELEASE);
}

static const struct file_ops sock_fops;

struct socket *sock_of_file(struct file *f)
{
	return f && f->ops == &sock_fops ? f->priv : NULL;
}

bool sock_nonblock(struct socket *sk)
{
	return sk->file && (__atomic_load_n(&sk->file->flags,
					    __ATOMIC_RELAXED) & O_NONBLOCK);
}

static struct socket *sock_alloc(int family, int type, int protocol)
{
	struct socket *sk = kzalloc(sizeof(*sk));

	if (!sk)
		return NULL;
	sk->family = family;
	sk->type = type;
	sk->protocol = protocol;
	sk->rcvbuf = sk->sndbuf = SOCK_DEFAULT_BUF;
	sk->rcvlowat = 1;
	return sk;
}

/*
 * The checks of Linux's __sys_socket and __sock_create, then the family's
 * create. May sleep.
 */
int sock_create(int family, int type, int protocol, struct socket **out)
{
	const struct net_family *f;
	struct socket *sk;
	int r;

	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	type &= SOCK_TYPE_MASK;
	if (family < 0 || family >= AF_MAX)
		return -EAFNOSUPPORT;
	if (type < 0 || type >= SOCK_TYPE_MAX)
		return -EINVAL;
	f = __atomic_load_n(&families[family], __ATOMIC_ACQUIRE);
	if (!f)
		return -EAFNOSUPPORT;
	sk = sock_alloc(family, type, protocol);
	if (!sk)
		return -ENOMEM;
	r = f->create(sk, type, protocol);
	if (r < 0) {
		kfree(sk);
		return r;
	}
	*out = sk;
	return 0;
}

struct socket *sock_alloc_child(struct socket *parent)
{
	struct socket *sk = sock_alloc(parent->family, parent->type,
				       parent->protocol);

	if (sk)
		sk->ops = parent->ops;
	return sk;
}

void sock_free(struct socket *sk)
{
	if (!sk)
		return;
	if (sk->ops && sk->ops->release)
		sk->ops->release(sk);
	kfree(sk);
}

int sock_open(struct socket *sk, int flags, struct file **out)
{
	struct inode *ino = inode_new(vfs_anon_super(), S_IFSOCK | 0777);
	int r;

	if (!ino) {
		sock_free(sk);
		return -ENFILE;
	}
	ino->fops = &sock_fops;
	r = file_open_inode(ino, NULL, O_RDWR | (flags & O_NONBLOCK), out);
	if (r < 0) {
		inode_put(ino);
		sock_free(sk);
		return r;
	}
	(*out)->priv = sk;
	(*out)->fmode |= FMODE_STREAM;
	sk->inode = ino;
	sk->file = *out;
	inode_put(ino);
	return 0;
}

/* ---- File ops ---- */

static long sock_read(struct file *f, struct iobuf *io, u64 *pos)
{
	struct sock_msg m;

	if (!io->len)
		return 0; /* Linux: "match SYS5 behaviour" */
	msg_init(&m, io, 1, 0);
	return net_recvmsg(f->priv, &m);
}

static long sock_write(struct file *f, struct iobuf *io, u64 *pos)
{
	struct sock_msg m;

	msg_init(&m, io, 1, 0);
	return net_sendmsg(f->priv, &m);
}

static u32 sock_poll(struct file *f)
{
	struct socket *sk = f->priv;

	return sk->ops->poll ? sk->ops->poll(sk) : 0;
}

static void sock_release(struct file *f)
{
	struct socket *sk = f->priv;

	sk->file = NULL;
	sock_free(sk);
}

static const struct file_ops sock_fops = {
	.read = sock_read,
	.write = sock_write,
	.poll = sock_poll,
	.ioctl = sock_ioctl,
	.release = sock_release,
};

/* ---- The calls ---- */

int net_socket(int family, int type, int protocol, struct file **out)
{
	struct socket *sk;
	int r = sock_create(family, type, protocol, &sk);

	if (r < 0)
		return r;
	return sock_open(sk, type & SOCK_NONBLOCK ? O_NONBLOCK : 0, out);
}

int net_socketpair(int family, int type, int protocol, struct file *out[2])
{
	const struct net_family *f;
	struct socket *a, *b;
	int flags = type & SOCK_NONBLOCK ? O_NONBLOCK : 0;
	int r = sock_create(family, type, protocol, &a);

	if (r < 0)
		return r;
	r = sock_create(family, type, protocol, &b);
	if (r < 0) {
		sock_free(a);
		return r;
	}
	f = families[family];
	r = f->pair ? f->pair(a, b) : -EOPNOTSUPP;
	if (r < 0) {
		sock_free(a);
		sock_free(b);
		return r;
	}
	r = sock_open(a, flags, &out[0]);
	if (r < 0) {
		sock_free(b);
		return r;
	}
	r = sock_open(b, flags, &out[1]);
	if (r < 0)
		file_put(out[0]);
	return r;
}

int net_bind(struct socket *sk, const void *addr, u32 len)
{
	return sk->ops->bind ? sk->ops->bind(sk, addr, len) : -EOPNOTSUPP;
}

int net_connect(struct socket *sk, const void *addr, u32 len)
{
	if (!sk->ops->connect)
		return -EOPNOTSUPP;
	return sk->ops->connect(sk, addr, len, sock_nonblock(sk));
}

int net_listen(struct socket *sk, int backlog)
{
	if ((unsigned)backlog > SOMAXCONN)
		backlog = SOMAXCONN;
	return sk->ops->listen ? sk->ops->listen(sk, backlog) : -EOPNOTSUPP;
}

int net_accept(struct socket *sk, void *addr, u32 *len, int flags,
	       struct file **out)
{
	struct socket *child = NULL;
	int r;

	if (!sk->ops->accept)
		return -EOPNOTSUPP;
	r = sk->ops->accept(sk, &child, addr, len, sock_nonblock(sk));
	if (r < 0)
		return r;
	return sock_open(child, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0, out);
}

int net_getname(struct socket *sk, void *addr, u32 *len, bool peer)
{
	if (!sk->ops->getname)
		return -EOPNOTSUPP;
	return sk->ops->getname(sk, addr, len, peer);
}

long net_sendmsg(struct socket *sk, struct sock_msg *m)
{
	bool nb = sock_nonblock(sk) || (m->flags & MSG_DONTWAIT);

	if (!sk->ops->sendmsg)
		return -EOPNOTSUPP;
	return sk->ops->sendmsg(sk, m, nb);
}

long net_recvmsg(struct socket *sk, struct sock_msg *m)
{
	bool nb = sock_nonblock(sk) || (m->flags & MSG_DONTWAIT);

	if (!sk->ops->recvmsg)
		return -EOPNOTSUPP;
	return sk->ops->recvmsg(sk, m, nb);
}

int net_shutdown(struct socket *sk, int how)
{
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	return sk->ops->shutdown ? sk->ops->shutdown(sk, how) : -EOPNOTSUPP;
}

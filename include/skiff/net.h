/*
 * The network: sockets as files, their address families, and the network
 * interfaces. net/. Layer: beside fs/ (sockets are files), below linux/.
 *
 *   net/socket.c   struct socket, its file ops, family registry, the calls
 *                  common to every family (SOL_SOCKET options, timeouts)
 *   net/msg.c      struct sock_msg: copying a message's bytes in and out
 *   net/unix.c     AF_UNIX: stream, datagram, seqpacket, SCM_RIGHTS
 *   net/inet*.c    AF_INET and AF_INET6 over lwIP's raw API
 *   net/netif.c    lwIP's interfaces over struct netdev, loopback, address
 *   net/netlink.c  AF_NETLINK, NETLINK_ROUTE dumps of links and addresses
 *   net/lwip/      lwIP's port: options, arch headers, sys_now, the lock
 *
 * The Linux ABI (linux/socket.c) copies every argument in (sockaddr,
 * msghdr, options) and calls the functions below with kernel copies; only
 * the data bytes stay in program memory, behind struct iobuf.
 *
 * Locks: lwIP is called only with the network lock held (net_lock, a
 * mutex; never held across a sleep: a sleeping socket call releases it in
 * waitq_sleep's hand-over, through the spinlock net_wait_lock). AF_UNIX
 * and netlink do not use lwIP and have locks of their own.
 */
#ifndef SKIFF_NET_H
#define SKIFF_NET_H

#include <skiff/vfs.h>

/* Linux x86_64 values. */
#ifndef AF_UNSPEC
#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define AF_PACKET 17
#endif
#ifndef SOCK_STREAM
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_SEQPACKET 5
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define SOCK_TYPE_MASK 0xf
#endif
#ifndef MSG_OOB
#define MSG_OOB 0x1
#define MSG_PEEK 0x2
#define MSG_DONTROUTE 0x4
#define MSG_CTRUNC 0x8
#define MSG_TRUNC 0x20
#define MSG_DONTWAIT 0x40
#define MSG_EOR 0x80
#define MSG_WAITALL 0x100
#define MSG_NOSIGNAL 0x4000
#define MSG_MORE 0x8000
#define MSG_WAITFORONE 0x10000
#define MSG_CMSG_CLOEXEC 0x40000000
#endif
#ifndef SHUT_RD
#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2
#endif
#ifndef SOL_SOCKET
#define SOL_SOCKET 1
#define SOL_IP 0
#define SOL_TCP 6
#define SOL_UDP 17
#define SOL_IPV6 41
#define SOL_NETLINK 270
#endif

struct socket;

/*
 * A message of sendmsg/recvmsg, in the kernel. The data is a list of
 * program (or kernel) buffers consumed front to back by msg_copy_*; the
 * name and control buffers are kernel copies.
 *   send: name/namelen the destination (NULL: none); control/controllen
 *         the ancillary data as the program wrote it.
 *   recv: name is a buffer of namelen bytes for the source address; the
 *         family sets namelen to the full address length (linux/ copies
 *         min of both out). control is a buffer of controllen bytes; the
 *         family writes cmsgs and sets controllen to the bytes used, and
 *         MSG_CTRUNC in flags if some did not fit. flags out: MSG_TRUNC,
 *         MSG_CTRUNC, MSG_EOR as Linux reports them in msg_flags.
 */
struct sock_msg {
	struct iobuf *iov;	/* the data pieces */
	u32 iovcnt;
	u32 iov_at;		/* msg_copy_*: the piece being consumed */
	size_t iov_off;		/*   and the offset in it */
	size_t len;		/* total bytes of all pieces */
	void *name;
	u32 namelen;
	void *control;
	u32 controllen;
	int flags;		/* in: MSG_* of the call; out: msg_flags */
};
/* Sets up m over iov[0..iovcnt) (len is computed); name/control empty. */
void msg_init(struct sock_msg *m, struct iobuf *iov, u32 iovcnt, int flags);
/*
 * Copies the next n bytes of the message out to dst (send side), or src
 * into the message (receive side), advancing the position. Return the
 * bytes moved (less than n only at the end of the pieces) or -EFAULT when
 * nothing could be moved because a program buffer is bad.
 */
long msg_copy_from(struct sock_msg *m, void *dst, size_t n);
long msg_copy_to(struct sock_msg *m, const void *src, size_t n);
/* Bytes not yet consumed. */
size_t msg_left(const struct sock_msg *m);

/*
 * A family's ops. Each returns 0, a count, or -Exxx as Linux does for the
 * call of the same name; nonblock is the file's O_NONBLOCK or the call's
 * MSG_DONTWAIT. A call that would block sleeps until the socket's timeout
 * (sk->rcvtimeo_ns / sndtimeo_ns, 0: none; then -EAGAIN) or a signal
 * (-EINTR, or -ERESTARTSYS-free: the count so far if some bytes moved).
 * NULL ops give the errno Linux gives for that family (EOPNOTSUPP).
 */
struct sock_ops {
	int (*bind)(struct socket *sk, const void *addr, u32 len);
	int (*connect)(struct socket *sk, const void *addr, u32 len,
		       bool nonblock);
	int (*listen)(struct socket *sk, int backlog);
	/* A new socket (sock_alloc'd by the family, its file not yet made)
	 * in *out, with the peer's address in addr, *len if addr. */
	int (*accept)(struct socket *sk, struct socket **out, void *addr,
		      u32 *len, bool nonblock);
	/* The local (peer false) or peer address; *len is set to its
	 * length (the buffer is at least sizeof(struct sockaddr_storage),
	 * 128 bytes). */
	int (*getname)(struct socket *sk, void *addr, u32 *len, bool peer);
	long (*sendmsg)(struct socket *sk, struct sock_msg *m, bool nonblock);
	long (*recvmsg)(struct socket *sk, struct sock_msg *m, bool nonblock);
	int (*shutdown)(struct socket *sk, int how);
	/* Options of the family's levels, and SOL_SOCKET ones the socket core
	 * passes on (SO_KEEPALIVE, SO_LINGER, SO_RCVBUF, ...: see socket.c).
	 * -ENOPROTOOPT for an unknown one. val is a kernel copy of len bytes;
	 * get: *len is the buffer's size in, the value's length out. */
	int (*setsockopt)(struct socket *sk, int level, int name,
			  const void *val, u32 len);
	int (*getsockopt)(struct socket *sk, int level, int name, void *val,
			  u32 *len);
	/* POLL* readiness (POLLIN, POLLOUT, POLLHUP, POLLRDHUP, POLLERR). */
	u32 (*poll)(struct socket *sk);
	/* ioctl requests other than FIONBIO (done by the core); -ENOTTY. */
	long (*ioctl)(struct socket *sk, unsigned long req, unsigned long arg);
	/* The last file reference is gone: free the family's state. */
	void (*release)(struct socket *sk);
};

/* POLLRDHUP (Linux: 0x2000): the peer shut down its sending side. */
#ifndef POLLRDHUP
#define POLLRDHUP 0x2000
#endif

struct socket {
	int family;
	int type;		/* SOCK_STREAM ... without the flags */
	int protocol;
	const struct sock_ops *ops;
	struct inode *inode;	/* its S_IFSOCK inode: vfs_poll_notify(it) */
	struct file *file;	/* the file holding it (no reference) */
	u64 rcvtimeo_ns;	/* SO_RCVTIMEO, 0: none */
	u64 sndtimeo_ns;	/* SO_SNDTIMEO */
	u32 rcvbuf, sndbuf;	/* SO_RCVBUF, SO_SNDBUF as getsockopt shows */
	u32 opts;		/* SOCK_OPT_*: SOL_SOCKET flags the core keeps */
	int linger_onoff, linger_sec; /* SO_LINGER */
	int priority;		/* SO_PRIORITY */
	int rcvlowat;		/* SO_RCVLOWAT (1 by default) */
	int mark;		/* SO_MARK */
	void *priv;		/* the family's */
};
#define SOCK_OPT_REUSEADDR 1
#define SOCK_OPT_REUSEPORT 2
#define SOCK_OPT_KEEPALIVE 4
#define SOCK_OPT_BROADCAST 8
#define SOCK_OPT_OOBINLINE 16
#define SOCK_OPT_PASSCRED 32
#define SOCK_OPT_DEBUG 64
#define SOCK_OPT_DONTROUTE 128
#define SOCK_OPT_NO_CHECK 256
#define SOCK_OPT_TIMESTAMP 512	/* accepted; no timestamps are delivered */
#define SOCK_OPT_TIMESTAMPNS 1024

/*
 * A family: makes the family's state for a new socket (type and protocol
 * checked by it: -EPROTONOSUPPORT, -ESOCKTNOSUPPORT, -EINVAL), setting
 * sk->ops and sk->priv. pair (NULL: -EOPNOTSUPP) joins two new sockets
 * for socketpair.
 */
struct net_family {
	int family;
	int (*create)(struct socket *sk, int type, int protocol);
	int (*pair)(struct socket *a, struct socket *b);
};
/* Registers a family at boot (net_init calls each family's init). */
void net_family_register(const struct net_family *f);

/*
 * A new socket of family/type/protocol without a file; sock_open gives it
 * one (the file owns the socket from then on: closing it calls release).
 * flags: SOCK_NONBLOCK, SOCK_CLOEXEC bits of the type argument.
 */
int sock_create(int family, int type, int protocol, struct socket **out);
/* A bare socket for a family's accept (same family, type, protocol and
 * ops as parent; priv NULL). NULL without memory. */
struct socket *sock_alloc_child(struct socket *parent);
/* Frees a socket that has no file yet (after a failed create/accept). */
void sock_free(struct socket *sk);
/* Makes the file of sk; flags O_NONBLOCK, O_RDWR. On error sk is freed. */
int sock_open(struct socket *sk, int flags, struct file **out);
/* The socket behind f, or NULL if f is not a socket (-ENOTSOCK). */
struct socket *sock_of_file(struct file *f);
/* Whether the file's calls are non-blocking. */
bool sock_nonblock(struct socket *sk);

/* The calls, with kernel copies of addresses and options (linux/socket.c). */
int net_socket(int family, int type, int protocol, struct file **out);
int net_socketpair(int family, int type, int protocol, struct file *out[2]);
int net_bind(struct socket *sk, const void *addr, u32 len);
int net_connect(struct socket *sk, const void *addr, u32 len);
int net_listen(struct socket *sk, int backlog);
/* flags: SOCK_NONBLOCK, SOCK_CLOEXEC (accept4) for the new file. */
int net_accept(struct socket *sk, void *addr, u32 *len, int flags,
	       struct file **out);
int net_getname(struct socket *sk, void *addr, u32 *len, bool peer);
long net_sendmsg(struct socket *sk, struct sock_msg *m);
long net_recvmsg(struct socket *sk, struct sock_msg *m);
int net_shutdown(struct socket *sk, int how);
int net_setsockopt(struct socket *sk, int level, int name, const void *val,
		   u32 len);
int net_getsockopt(struct socket *sk, int level, int name, void *val,
		   u32 *len);

/*
 * A stream write to a socket whose reader is gone gives -EPIPE; the
 * caller (linux/) raises SIGPIPE unless MSG_NOSIGNAL. Families just return
 * -EPIPE.
 */

/* ---- The network lock (net/lwip/sys_arch.c) ---- */

void net_lock(void);
void net_unlock(void);
/*
 * Sleeps on wq with the network lock released, until woken, the deadline
 * (monotonic ns, 0: none) or a signal; takes the lock again before
 * returning. 0, -ETIMEDOUT or -EINTR. 0 may come without a wake-up (the
 * stack delivered packets it had sent to itself first, which may have
 * changed the caller's condition): callers check their condition again,
 * in a loop.
 */
int net_sleep(struct waitq *wq, u64 deadline_ns);
/*
 * Wakes every thread in net_sleep on wq. The only way to wake a net_sleep
 * sleeper (it takes net_wait_lock, so a wake-up after the sleeper checked
 * its condition is never lost); called from lwIP callbacks (with the lock
 * held) or from anywhere else but an interrupt handler. Never sleeps.
 */
void net_wake(struct waitq *wq);

/* ---- Interfaces (net/netif.c) ---- */

#define NET_IFNAMSIZ 16
/* Linux's IFF_* flags as SIOCGIFFLAGS and RTM_NEWLINK show them. */
#define NET_IFF_UP 0x1
#define NET_IFF_BROADCAST 0x2
#define NET_IFF_LOOPBACK 0x8
#define NET_IFF_RUNNING 0x40
#define NET_IFF_MULTICAST 0x1000
#define NET_IFF_LOWER_UP 0x10000

struct net_iface {
	int index;		/* 1: lo, 2: eth0, ... */
	char name[NET_IFNAMSIZ];
	u32 flags;		/* NET_IFF_* */
	u32 mtu;
	u8 mac[6];		/* zero for lo */
	bool has_ipv4;
	u8 ipv4[4], ipv4_mask[4], ipv4_bcast[4];
	u32 ipv4_prefix;
	u32 nipv6;		/* valid IPv6 addresses below */
	u8 ipv6[3][16];
	u8 ipv6_prefix[3];
	u8 ipv6_scope[3];	/* RT_SCOPE_*: 254 host, 253 link, 0 global */
	u64 rx_packets, rx_bytes, tx_packets, tx_bytes, rx_dropped, tx_dropped;
};
/* The interface at position i (0: lo), filled in *out; -ENODEV past the
 * last. Takes the network lock. */
int net_iface_get(unsigned i, struct net_iface *out);
/* The same by index or by name. */
int net_iface_by_index(int index, struct net_iface *out);
int net_iface_by_name(const char *name, struct net_iface *out);

/*
 * Boot: registers the families, brings up lo and every netdev, and
 * configures eth0 from the kernel command line ("ip=ADDR/PREFIX,gw=GW"
 * or "ip=dhcp"). Runs after the devices and filesystems; may sleep.
 */
void net_init(const char *ip_opt);

/*
 * The program has exited (net/flush.c): waits at most timeout_ns for what
 * TCP connections still hold to be delivered, then closes the ones left
 * open (FIN) and waits for those in the same time. May sleep; a thread
 * context with interrupts on.
 */
void net_flush(u64 timeout_ns);

/* ---- /proc/net (net/procnet.c) ---- */

/* Writes the text of /proc/net/NAME (tcp, tcp6, udp, udp6, unix, dev)
 * into buf; the length, or -ENOENT for an unknown NAME, -ENOMEM. The
 * buffer is kmalloc'd; the caller frees it. */
long net_proc_text(const char *name, char **buf);

#endif

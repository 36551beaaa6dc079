/*
 * net/unix.h: AF_UNIX's state, shared by net/unix.c (sockets, names,
 * connections, poll) and net/unixmsg.c (messages, SCM_RIGHTS and
 * SCM_CREDENTIALS). Private to net/; net/procnet.c calls unix_proc_text.
 *
 * Locks: unix_lock, one spinlock, guards every field of every unix_sock
 * below that is not marked otherwise, the bound list and the queues. It
 * is the lock waitq_sleep releases while a call sleeps. Program memory is
 * never touched with it held: a sender copies its bytes into a new
 * unix_skb first; a reader copies out of the skb at the head of its queue
 * with only its rmutex held (readers are the only ones that take skbs off
 * a queue). Notifications (vfs_poll_notify) go out after unix_lock is
 * dropped, through unix_notify. file_put (closing passed files) too.
 */
#ifndef NET_UNIX_H
#define NET_UNIX_H

#include <skiff/net.h>

#define UNIX_PATH_MAX 108
#define UNIX_ADDR_MAX (2 + UNIX_PATH_MAX)	/* sizeof(struct sockaddr_un) */
#define UNIX_RCV_SHUT 1
#define UNIX_SEND_SHUT 2
#define UNIX_SHUT_ALL 3
#define UNIX_MAX_DGRAM_QLEN 10	/* net.unix.max_dgram_qlen */
#define UNIX_SKB_OVERHEAD 576	/* an skb's bookkeeping, counted in wmem */

enum unix_state { U_UNCONN, U_LISTEN, U_CONNECTED };

struct unix_addr {
	u32 len;			/* of the sockaddr_un below */
	char sa[UNIX_ADDR_MAX + 1];	/* family, then the name */
};

struct unix_cred {
	int pid, uid, gid;
};

/* A message (datagram) or a piece of a stream, on a receiver's queue. */
struct unix_skb {
	struct list link;		/* the receiver's queue */
	struct unix_sock *from;		/* the sender (a reference): wmem */
	u32 len, off;			/* data bytes, bytes already read */
	u32 truesize;			/* counted in from->wmem */
	struct unix_addr addr;		/* the sender's address (len 0: none) */
	struct unix_cred cred;		/* SCM_CREDENTIALS */
	u32 nfds;			/* SCM_RIGHTS: files in flight */
	struct file **fds;
	char data[];
};

struct unix_sock {
	u32 refs;			/* atomic: socket, peers, skbs */
	struct socket *sk;		/* NULL once released */
	int type;
	enum unix_state state;
	int shutdown;			/* UNIX_RCV_SHUT | UNIX_SEND_SHUT */
	int err;			/* pending error (SO_ERROR), positive */
	bool dead;			/* released */
	struct unix_sock *peer;		/* a reference */
	struct unix_addr *addr;		/* bound name, NULL: unbound */
	struct dentry *path;		/* a path name's file (a reference) */
	struct list bound_link;		/* unix_bound, when addr */
	struct list queue;		/* unix_skb.link, or listener: embryos */
	struct list embryo_link;	/* a listener's queue */
	u32 qlen;			/* skbs or embryos queued */
	u32 wmem;			/* truesize of this one's skbs in flight */
	int backlog;
	struct unix_cred cred;		/* the creator's (SO_PEERCRED) */
	struct unix_cred peercred;	/* the peer's at connect */
	struct waitq rwait;		/* readers, accept */
	struct waitq wwait;		/* writers (room), connect (backlog) */
	struct mutex rmutex;		/* one reader at a time */
};

extern struct spinlock unix_lock;

static inline struct unix_sock *unix_of(struct socket *sk)
{
	return sk->priv;
}

struct unix_sock *unix_get(struct unix_sock *u);
/* Drops a reference; the last frees u. unix_lock not held. */
void unix_put(struct unix_sock *u);
/* Wakes u's sleepers and its poll/epoll watchers (events: POLL*, 0 any).
 * unix_lock not held. */
void unix_notify(struct unix_sock *u, u32 events);
/* The socket a name is bound to (a reference), by kernel address of len
 * bytes, for a socket of type: -ECONNREFUSED, -ENOENT, -EPROTOTYPE, ... */
int unix_find(const void *addr, u32 len, int type, struct unix_sock **out);
/* Checks a sockaddr_un as Linux's unix_validate_addr. */
int unix_validate(const void *addr, u32 len);
/* Binds u to an autobind name if it has none (SO_PASSCRED sends). */
int unix_autobind(struct unix_sock *u);
/* The credentials of the calling process. */
void unix_cred_now(struct unix_cred *c);
/* A deadline from now for a timeout in ns (0: none). */
u64 unix_deadline(u64 timeo_ns);

/* net/unixmsg.c */
long unix_sendmsg(struct socket *sk, struct sock_msg *m, bool nonblock);
long unix_recvmsg(struct socket *sk, struct sock_msg *m, bool nonblock);
/* Frees an skb: closes its files, returns its wmem to the sender. */
void unix_skb_free(struct unix_skb *skb);
/* Takes every skb off u's queue into *out; unix_lock held. */
void unix_queue_take(struct unix_sock *u, struct list *out);
/* FIONREAD: bytes queued (stream), the next datagram's size (dgram). */
int unix_inq(struct unix_sock *u);

/* The text of /proc/net/unix, kmalloc'd in *buf; its length or -ENOMEM. */
long unix_proc_text(char **buf);

#endif

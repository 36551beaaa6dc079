/*
 * linux/socket.c: socket, socketpair, bind, listen, accept, accept4,
 * connect, getsockname, getpeername, sendto, recvfrom, sendmsg, recvmsg,
 * sendmmsg, recvmmsg, shutdown, setsockopt, getsockopt. Layer: Linux ABI
 * over net/ (skiff/net.h).
 *
 * Each entry checks its arguments in Linux's order, copies the addresses
 * (up to 128 bytes, sockaddr_storage), the msghdr, its iovec (up to
 * UIO_MAXIOV entries, checked as readv checks them) and its control
 * buffer (up to 128 KiB, net.core.optmem_max; more is ENOBUFS) into the
 * kernel, calls net_*, and copies the results out. Data bytes stay in
 * program memory behind struct iobuf. EPIPE on a stream socket raises
 * SIGPIPE unless MSG_NOSIGNAL, as Linux's stream families do.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/net.h>
#include <skiff/time.h>
#include "fsabi.h"
#include "signal.h"
#include "sys.h"

#define ADDR_MAX 128		/* sizeof(struct sockaddr_storage) */
#define CONTROL_MAX 131072	/* net.core.optmem_max */
#define RECV_CONTROL_MAX 4096	/* what a family writes at most */
#define OPT_MAX 512		/* option values (TCP_INFO is ~250) */
#define FAST_IOV 8
#define MSG_CMSG_COMPAT 0x80000000

struct linux_msghdr {
	void *name;
	int namelen;
	struct iovec *iov;
	u64 iovlen;
	void *control;
	u64 controllen;
	int flags;
};
_Static_assert(sizeof(struct linux_msghdr) == 56, "struct msghdr");

struct linux_mmsghdr {
	struct linux_msghdr hdr;
	u32 len;
};
_Static_assert(sizeof(struct linux_mmsghdr) == 64, "struct mmsghdr");

/* The socket of fd with a file reference in *fp: -EBADF, -ENOTSOCK. */
static int sock_get(int fd, struct file **fp, struct socket **out)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	*out = sock_of_file(f);
	if (!*out) {
		file_put(f);
		return -ENOTSOCK;
	}
	*fp = f;
	return 0;
}

/* Linux's move_addr_to_kernel. */
static int addr_in(const void *uaddr, int len, void *kaddr)
{
	if (len < 0 || len > ADDR_MAX)
		return -EINVAL;
	if (len && copy_from_user(kaddr, uaddr, len) < 0)
		return -EFAULT;
	return 0;
}

/* Linux's move_addr_to_user: the address cut to *ulen, *ulen = klen. */
static int addr_out(const void *kaddr, u32 klen, void *uaddr, int *ulen)
{
	int len;

	if (copy_from_user(&len, ulen, sizeof(len)) < 0)
		return -EFAULT;
	if (len > (int)klen)
		len = klen;
	if (len < 0)
		return -EINVAL;
	if (len && copy_to_user(uaddr, kaddr, len) < 0)
		return -EFAULT;
	return copy_to_user(ulen, &klen, sizeof(klen));
}

static void sigpipe(struct socket *sk, long r, int flags)
{
	if (r == -EPIPE && !(flags & MSG_NOSIGNAL) && sk->type == SOCK_STREAM)
		signal_send_thread(thread_current(), SIGPIPE, NULL);
}

/* Installs a new socket file: the fd, or -EMFILE (the file closed). */
static long install(struct file *f, int flags)
{
	long r = fd_install(f, 0, flags & SOCK_CLOEXEC);

	if (r < 0)
		file_put(f);
	return r;
}

long sys_socket(int family, int type, int protocol)
{
	struct file *f;
	int r = net_socket(family, type, protocol, &f);

	return r < 0 ? r : install(f, type);
}

long sys_socketpair(int family, int type, int protocol, int *usv)
{
	struct file *f[2];
	int sv[2], r = net_socketpair(family, type, protocol, f);

	if (r < 0)
		return r;
	sv[0] = install(f[0], type);
	if (sv[0] < 0) {
		file_put(f[1]);
		return sv[0];
	}
	sv[1] = install(f[1], type);
	if (sv[1] < 0) {
		fd_close(sv[0]);
		return sv[1];
	}
	if (copy_to_user(usv, sv, sizeof(sv)) < 0) {
		fd_close(sv[0]);
		fd_close(sv[1]);
		return -EFAULT;
	}
	return 0;
}

long sys_bind(int fd, const void *uaddr, int len)
{
	char addr[ADDR_MAX];
	struct socket *sk;
	struct file *f;
	long r = sock_get(fd, &f, &sk);

	if (r < 0)
		return r;
	r = addr_in(uaddr, len, addr);
	if (r == 0)
		r = net_bind(sk, addr, len);
	file_put(f);
	return r;
}

long sys_connect(int fd, const void *uaddr, int len)
{
	char addr[ADDR_MAX];
	struct socket *sk;
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = addr_in(uaddr, len, addr);
	sk = sock_of_file(f);
	if (r == 0 && !sk)
		r = -ENOTSOCK;
	if (r == 0)
		r = net_connect(sk, addr, len);
	file_put(f);
	return r;
}

long sys_listen(int fd, int backlog)
{
	struct socket *sk;
	struct file *f;
	long r = sock_get(fd, &f, &sk);

	if (r < 0)
		return r;
	r = net_listen(sk, backlog);
	file_put(f);
	return r;
}

long sys_accept4(int fd, void *uaddr, int *ulen, int flags)
{
	char addr[ADDR_MAX];
	u32 alen = 0;
	struct socket *sk;
	struct file *f, *nf;
	long r;

	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	r = sock_get(fd, &f, &sk);
	if (r < 0)
		return r;
	r = net_accept(sk, uaddr ? addr : NULL, &alen, flags, &nf);
	file_put(f);
	if (r < 0)
		return r;
	if (uaddr) {
		r = addr_out(addr, alen, uaddr, ulen);
		if (r < 0) {
			file_put(nf);
			return r;
		}
	}
	return install(nf, flags);
}

long sys_accept(int fd, void *uaddr, int *ulen)
{
	return sys_accept4(fd, uaddr, ulen, 0);
}

static long getname(int fd, void *uaddr, int *ulen, bool peer)
{
	char addr[ADDR_MAX];
	u32 alen = sizeof(addr);
	struct socket *sk;
	struct file *f;
	long r = sock_get(fd, &f, &sk);

	if (r < 0)
		return r;
	r = net_getname(sk, addr, &alen, peer);
	if (r == 0)
		r = addr_out(addr, alen, uaddr, ulen);
	file_put(f);
	return r;
}

long sys_getsockname(int fd, void *uaddr, int *ulen)
{
	return getname(fd, uaddr, ulen, false);
}

long sys_getpeername(int fd, void *uaddr, int *ulen)
{
	return getname(fd, uaddr, ulen, true);
}

long sys_shutdown(int fd, int how)
{
	struct socket *sk;
	struct file *f;
	long r = sock_get(fd, &f, &sk);

	if (r < 0)
		return r;
	r = net_shutdown(sk, how);
	file_put(f);
	return r;
}

long sys_sendto(int fd, const void *buf, size_t len, int flags,
		const void *uaddr, int alen)
{
	struct iobuf io = { (char *)buf, MIN(len, (size_t)0x7fffffff), true };
	char addr[ADDR_MAX];
	struct sock_msg m;
	struct socket *sk;
	struct file *f;
	long r;

	if (!iobuf_range_ok(&io))
		return -EFAULT;
	r = sock_get(fd, &f, &sk);
	if (r < 0)
		return r;
	msg_init(&m, &io, 1, flags);
	if (uaddr) {
		r = addr_in(uaddr, alen, addr);
		m.name = alen ? addr : NULL;
		m.namelen = alen;
	}
	if (r == 0)
		r = net_sendmsg(sk, &m);
	sigpipe(sk, r, flags);
	file_put(f);
	return r;
}

long sys_recvfrom(int fd, void *buf, size_t len, int flags, void *uaddr,
		  int *ulen)
{
	struct iobuf io = { buf, MIN(len, (size_t)0x7fffffff), true };
	char addr[ADDR_MAX];
	struct sock_msg m;
	struct socket *sk;
	struct file *f;
	long r;

	if (!iobuf_range_ok(&io))
		return -EFAULT;
	r = sock_get(fd, &f, &sk);
	if (r < 0)
		return r;
	msg_init(&m, &io, 1, flags & ~MSG_CMSG_CLOEXEC);
	m.name = uaddr ? addr : NULL;
	m.namelen = uaddr ? sizeof(addr) : 0;
	r = net_recvmsg(sk, &m);
	if (r >= 0 && uaddr) {
		long e = addr_out(addr, m.namelen, uaddr, ulen);

		r = e < 0 ? e : r;
	}
	file_put(f);
	return r;
}

/* The net/ side of one sendmsg/recvmsg: the kernel copies it needs. */
struct kmsg {
	struct linux_msghdr h;	/* the program's, as copied in */
	struct iobuf small[FAST_IOV];
	struct iobuf *iov;
	char addr[ADDR_MAX];
	void *control;		/* kmalloc'd, or NULL */
	struct sock_msg m;
};

/*
 * Imports an iovec as Linux's import_iovec: -EMSGSIZE past UIO_MAXIOV,
 * -EINVAL for a negative length, -EFAULT outside the program's half;
 * the lengths are cut to MAX_RW_COUNT in all.
 */
static int iov_import(struct kmsg *k)
{
	struct iovec v;
	size_t total = 0;

	if (k->h.iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	k->iov = k->small;
	if (k->h.iovlen > FAST_IOV &&
	    !(k->iov = kmalloc(k->h.iovlen * sizeof(*k->iov))))
		return -ENOMEM;
	for (u64 i = 0; i < k->h.iovlen; i++) {
		if (copy_from_user(&v, &k->h.iov[i], sizeof(v)) < 0)
			return -EFAULT;
		if ((s64)v.iov_len < 0)
			return -EINVAL;
		k->iov[i] = (struct iobuf){ v.iov_base, v.iov_len, true };
		if (!iobuf_range_ok(&k->iov[i]))
			return -EFAULT;
		k->iov[i].len = MIN(v.iov_len, MAX_RW_COUNT - total);
		total += k->iov[i].len;
	}
	return 0;
}

static void kmsg_free(struct kmsg *k)
{
	if (k->iov != k->small)
		kfree(k->iov);
	kfree(k->control);
}

/* Copies in the msghdr at umsg and what it points to (send: the name's
 * and control's bytes too), as Linux's copy_msghdr_from_user. */
static int kmsg_in(struct kmsg *k, struct linux_msghdr *umsg, int flags,
		   bool send)
{
	int r;

	k->iov = k->small;
	k->control = NULL;
	if (copy_from_user(&k->h, umsg, sizeof(k->h)) < 0)
		return -EFAULT;
	if (!k->h.name)
		k->h.namelen = 0;
	if (k->h.namelen < 0)
		return -EINVAL;
	k->h.namelen = MIN(k->h.namelen, ADDR_MAX);
	if (send && k->h.namelen &&
	    copy_from_user(k->addr, k->h.name, k->h.namelen) < 0)
		return -EFAULT;
	r = iov_import(k);
	if (r < 0)
		return r;
	msg_init(&k->m, k->iov, k->h.iovlen, flags);
	k->m.name = send ? (k->h.namelen ? k->addr : NULL) :
		    (k->h.name ? k->addr : NULL);
	k->m.namelen = send ? (u32)k->h.namelen : ADDR_MAX;
	if (k->h.controllen > (send ? CONTROL_MAX : 0x7fffffffu))
		return -ENOBUFS;
	k->m.controllen = send ? k->h.controllen :
			  MIN(k->h.controllen, (u64)RECV_CONTROL_MAX);
	if (!k->m.controllen)
		return 0;
	k->control = kmalloc(k->m.controllen);
	if (!k->control)
		return -ENOBUFS;
	k->m.control = k->control;
	if (send && copy_from_user(k->control, k->h.control,
				   k->m.controllen) < 0)
		return -EFAULT;
	return 0;
}

/* One sendmsg on sk: the count or -Exxx. */
static long do_sendmsg(struct socket *sk, struct linux_msghdr *umsg,
		       int flags)
{
	struct kmsg k;
	long r = kmsg_in(&k, umsg, flags, true);

	if (r == 0)
		r = net_sendmsg(sk, &k.m);
	kmsg_free(&k);
	sigpipe(sk, r, flags);
	return r;
}

/* Writes back msg_namelen, msg_control's bytes, msg_controllen and
 * msg_flags of a recvmsg. */
static int kmsg_out(struct kmsg *k, struct linux_msghdr *umsg)
{
	u64 clen = k->m.controllen;
	int fl = k->m.flags;

	if (k->h.name) {
		u32 n = MIN((u32)k->h.namelen, k->m.namelen);

		if ((n && copy_to_user(k->h.name, k->addr, n) < 0) ||
		    copy_to_user(&umsg->namelen, &k->m.namelen, 4) < 0)
			return -EFAULT;
	}
	if (clen && copy_to_user(k->h.control, k->control, clen) < 0)
		return -EFAULT;
	if (copy_to_user(&umsg->flags, &fl, sizeof(fl)) < 0 ||
	    copy_to_user(&umsg->controllen, &clen, sizeof(clen)) < 0)
		return -EFAULT;
	return 0;
}

static long do_recvmsg(struct socket *sk, struct linux_msghdr *umsg,
		       int flags)
{
	struct kmsg k;
	long r = kmsg_in(&k, umsg, flags, false);

	if (r == 0)
		r = net_recvmsg(sk, &k.m);
	k.m.flags |= flags & MSG_CMSG_CLOEXEC; /* as Linux shows it */
	if (r >= 0) {
		long e = kmsg_out(&k, umsg);

		r = e < 0 ? e : r;
	}
	kmsg_free(&k);
	return r;
}

/* sendmsg and recvmsg: one message on the socket behind fd. */
static long msg_call(int fd, struct linux_msghdr *umsg, int flags, bool send)
{
	struct socket *sk;
	struct file *f;
	long r;

	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	r = sock_get(fd, &f, &sk);
	if (r < 0)
		return r;
	r = send ? do_sendmsg(sk, umsg, flags) : do_recvmsg(sk, umsg, flags);
	file_put(f);
	return r;
}

long sys_sendmsg(int fd, struct linux_msghdr *umsg, int flags)
{
	return msg_call(fd, umsg, flags, true);
}

long sys_recvmsg(int fd, struct linux_msghdr *umsg, int flags)
{
	return msg_call(fd, umsg, flags, false);
}

long sys_sendmmsg(int fd, struct linux_mmsghdr *vec, unsigned vlen,
		  int flags)
{
	struct socket *sk;
	struct file *f;
	long r, n = 0;

	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	r = sock_get(fd, &f, &sk);
	if (r < 0)
		return r;
	vlen = MIN(vlen, (unsigned)UIO_MAXIOV);
	for (; (unsigned)n < vlen; n++) {
		u32 len;

		r = do_sendmsg(sk, &vec[n].hdr, flags);
		if (r < 0)
			break;
		len = r;
		if (copy_to_user(&vec[n].len, &len, sizeof(len)) < 0) {
			r = -EFAULT;
			break;
		}
	}
	file_put(f);
	return n ? n : r;
}

/* Linux's do_recvmmsg: the timeout is looked at after each datagram. */
static long mmsg_loop(struct socket *sk, struct linux_mmsghdr *vec,
		      unsigned vlen, int flags, u64 deadline, long *err)
{
	long n = 0, r = 0;

	for (; (unsigned)n < vlen; n++) {
		u32 len;

		r = do_recvmsg(sk, &vec[n].hdr, flags & ~MSG_WAITFORONE);
		if (r < 0)
			break;
		len = r;
		if (copy_to_user(&vec[n].len, &len, sizeof(len)) < 0) {
			r = -EFAULT;
			break;
		}
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		if (deadline && time_monotonic_ns() >= deadline) {
			n++;
			break;
		}
	}
	*err = r;
	return n;
}

long sys_recvmmsg(int fd, struct linux_mmsghdr *vec, unsigned vlen,
		  int flags, struct linux_timespec *uts)
{
	struct linux_timespec left = { 0, 0 };
	struct socket *sk;
	struct file *f;
	u64 deadline, now;
	long r, n, err;

	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	r = sock_get(fd, &f, &sk);
	if (r < 0)
		return r;
	r = timespec_deadline(uts, &deadline);
	if (r < 0) {
		file_put(f);
		return r;
	}
	n = mmsg_loop(sk, vec, MIN(vlen, (unsigned)UIO_MAXIOV), flags,
		      deadline, &err);
	file_put(f);
	if (uts) {
		now = time_monotonic_ns();
		if (deadline > now)
			left = (struct linux_timespec){
				(deadline - now) / NSEC_PER_SEC,
				(deadline - now) % NSEC_PER_SEC };
		if (copy_to_user(uts, &left, sizeof(left)) < 0)
			return -EFAULT;
	}
	return n ? n : err;
}

long sys_setsockopt(int fd, int level, int name, const void *uval, int len)
{
	char val[OPT_MAX];
	u32 klen = MIN((u32)len, (u32)OPT_MAX);
	struct socket *sk;
	struct file *f;
	long r;

	if (len < 0)
		return -EINVAL;
	r = sock_get(fd, &f, &sk);
	if (r < 0)
		return r;
	if (klen && copy_from_user(val, uval, klen) < 0)
		r = -EFAULT;
	else
		r = net_setsockopt(sk, level, name, val, klen);
	file_put(f);
	return r;
}

long sys_getsockopt(int fd, int level, int name, void *uval, int *ulen)
{
	char val[OPT_MAX];
	struct socket *sk;
	struct file *f;
	int len;
	u32 klen;
	long r = sock_get(fd, &f, &sk);

	if (r < 0)
		return r;
	if (copy_from_user(&len, ulen, sizeof(len)) < 0)
		r = -EFAULT;
	else if (len < 0)
		r = -EINVAL;
	if (r == 0) {
		memset(val, 0, sizeof(val));
		klen = MIN((u32)len, (u32)OPT_MAX);
		r = net_getsockopt(sk, level, name, val, &klen);
	}
	if (r == 0 && (copy_to_user(uval, val, klen) < 0 ||
		       copy_to_user(ulen, &klen, sizeof(klen)) < 0))
		r = -EFAULT;
	file_put(f);
	return r;
}

/*
 * readv/writev on a socket (linux/file.c): one recvmsg/sendmsg over all
 * the segments, so a datagram is one message, as on Linux. iov was
 * checked by the caller.
 */
long socket_iov_rw(struct file *f, const struct iovec *iov, int cnt,
		   bool write)
{
	struct socket *sk = sock_of_file(f);
	struct iobuf small[FAST_IOV], *io = small;
	struct sock_msg m;
	long r;

	if (cnt > FAST_IOV && !(io = kmalloc(cnt * sizeof(*io))))
		return -ENOMEM;
	for (int i = 0; i < cnt; i++)
		io[i] = (struct iobuf){ iov[i].iov_base, iov[i].iov_len, true };
	msg_init(&m, io, cnt, 0);
	r = write ? net_sendmsg(sk, &m) :
	    m.len ? net_recvmsg(sk, &m) : 0;
	if (io != small)
		kfree(io);
	return r;
}

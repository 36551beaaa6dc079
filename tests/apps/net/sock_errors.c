/*
 * sock_errors: the socket calls with garbage: bad fds (EBADF), files that
 * are not sockets (ENOTSOCK), bad pointers (EFAULT), bad lengths and
 * flags (EINVAL), unknown families, types and protocols (EAFNOSUPPORT,
 * EINVAL, EPROTONOSUPPORT, ESOCKTNOSUPPORT), socketpair of a family
 * without it (EOPNOTSUPP), calls a family lacks (EOPNOTSUPP), and a
 * msghdr with too many iovecs (EMSGSIZE).
 */
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include "check.h"

static volatile long bad_addr = 16;
#define BAD ((void *)bad_addr)

int main(void)
{
	struct sockaddr_un a = { AF_UNIX, "x" };
	socklen_t len = sizeof(a);
	struct msghdr m = { 0 };
	struct iovec iov = { "x", 1 };
	char buf[8];
	int sv[2], s, v, f = open("/dev/null", O_RDWR);

	setvbuf(stdout, NULL, _IONBF, 0);
	SHOW(socket(12345, SOCK_STREAM, 0));
	SHOW(socket(-1, SOCK_STREAM, 0));
	SHOW(socket(AF_UNIX, 99, 0));
	SHOW(socket(AF_UNIX, SOCK_STREAM | 0x100000, 0));
	SHOW(socket(AF_UNIX, SOCK_STREAM, 7));
	SHOW(socket(AF_UNIX, SOCK_RDM, 0));
	SHOW(socket(AF_NETLINK, SOCK_STREAM, 0));
	SHOW(socket(AF_NETLINK, SOCK_RAW, 31));
	s = socket(AF_UNIX, SOCK_RAW, 0);
	len = sizeof(v);
	getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len);
	say("AF_UNIX SOCK_RAW has SO_TYPE %d", v);
	close(s);
	SHOW(socketpair(AF_NETLINK, SOCK_RAW, 0, sv));
	SHOW(socketpair(AF_UNIX, SOCK_STREAM, 0, BAD));
	SHOW(socketpair(AF_UNIX, 77, 0, sv));

	SHOW(bind(999, (void *)&a, sizeof(a)));
	SHOW(bind(f, (void *)&a, sizeof(a)));
	SHOW(listen(f, 1));
	SHOW(accept(f, NULL, NULL));
	SHOW(connect(999, (void *)&a, sizeof(a)));
	SHOW(connect(f, (void *)&a, sizeof(a)));
	SHOW(connect(f, BAD, sizeof(a)));
	SHOW(getsockname(f, (void *)&a, &len));
	SHOW(send(f, "x", 1, 0));
	SHOW(recv(f, buf, 1, 0));
	SHOW(shutdown(f, SHUT_RD));
	SHOW(setsockopt(f, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)));
	SHOW(getsockopt(999, SOL_SOCKET, SO_TYPE, &v, &len));

	s = socket(AF_UNIX, SOCK_STREAM, 0);
	SHOW(bind(s, BAD, sizeof(a)));
	SHOW(bind(s, (void *)&a, 200));
	SHOW(bind(s, (void *)&a, -1));
	SHOW(connect(s, (void *)&a, 0));
	SHOW(getsockname(s, BAD, &len));
	SHOW(getsockname(s, (void *)&a, BAD));
	len = -1;
	SHOW(getsockname(s, (void *)&a, &len));
	len = 1;
	SHOW(getsockname(s, (void *)&a, &len));
	say("  len %u", len);
	SHOW(shutdown(s, 7));
	SHOW(shutdown(s, -1));
	SHOW(accept4(s, NULL, NULL, 1));
	SHOW(getsockopt(s, SOL_SOCKET, SO_TYPE, BAD, &len));
	SHOW(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, BAD));
	SHOW(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, BAD, 4));
	SHOW(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, -1));
	SHOW(setsockopt(s, 6, 1, &v, 4));
	SHOW(getsockopt(s, 6, 1, &v, &len));
	close(s);

	SHOW(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	SHOW(send(sv[0], BAD, 1, 0));
	SHOW(send(sv[0], (void *)-4096L, 1, 0));
	SHOW(recv(sv[1], (void *)-4096L, 1, 0));
	SHOW(write(sv[0], "ab", 2));
	SHOW(recv(sv[1], BAD, 1, 0));
	SHOW(recv(sv[1], buf, 2, 0));
	SHOW(sendmsg(sv[0], BAD, 0));
	SHOW(recvmsg(sv[1], BAD, 0));
	m.msg_iov = &iov;
	m.msg_iovlen = 1025;
	SHOW(sendmsg(sv[0], &m, 0));
	m.msg_iovlen = 1;
	m.msg_iov = BAD;
	SHOW(sendmsg(sv[0], &m, 0));
	m.msg_iov = &iov;
	iov.iov_len = -1;
	SHOW(sendmsg(sv[0], &m, 0));
	iov.iov_len = 1;
	m.msg_name = &a;
	m.msg_namelen = -1;
	SHOW(sendmsg(sv[0], &m, 0));
	m.msg_namelen = sizeof(a);
	SHOW(sendmsg(sv[0], &m, 0));
	m.msg_name = NULL;
	SHOW(sendmsg(sv[0], &m, 0x80000000));
	SHOW(sendto(sv[0], "x", 1, 0, BAD, 16));
	SHOW(sendmmsg(sv[0], BAD, 1, 0));
	SHOW(recvmmsg(sv[1], (void *)BAD, 1, MSG_DONTWAIT, NULL));
	SHOW(listen(sv[0], 1));
	SHOW(connect(sv[0], (void *)&a, sizeof(a)));
	close(sv[0]);
	close(sv[1]);
	close(f);
	return 0;
}

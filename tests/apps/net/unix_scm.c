/*
 * unix_scm: ancillary data on AF_UNIX sockets. SCM_RIGHTS passing a pipe
 * end and a file (the received fds work, share the offset, MSG_CMSG_CLOEXEC
 * sets FD_CLOEXEC), several fds in one message, a control buffer too
 * short (MSG_CTRUNC, the extra fds closed), fds in flight closed with
 * the socket (not checked: Linux defers it), bad fds (EBADF) and bad cmsgs (EINVAL); SCM_CREDENTIALS
 * with SO_PASSCRED; a stream read stops after a piece carrying fds.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include "check.h"

static int send_fds(int s, const char *data, const int *fds, int n)
{
	char ctl[CMSG_SPACE(sizeof(int) * 8)];
	struct iovec iov = { (void *)data, strlen(data) };
	struct msghdr m = { 0 };
	struct cmsghdr *c;

	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (n) {
		memset(ctl, 0, sizeof(ctl));
		m.msg_control = ctl;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	return sendmsg(s, &m, 0);
}

/* Receives and prints what came: bytes, flags, cmsgs; fds into out. */
static int recv_fds(int s, size_t ctlsize, int flags, int *out)
{
	char buf[64] = { 0 }, ctl[256];
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr m = { 0 };
	struct cmsghdr *c;
	int r, n = 0;

	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctlsize ? ctl : NULL;
	m.msg_controllen = ctlsize;
	r = recvmsg(s, &m, flags);
	if (r < 0) {
		say("  recvmsg = -1 %s", errname(errno));
		return 0;
	}
	say("  recvmsg = %d \"%s\" flags %#x controllen %zu", r, buf,
	    m.msg_flags, (size_t)m.msg_controllen);
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		say("  cmsg level %d type %d len %zu", c->cmsg_level,
		    c->cmsg_type, (size_t)c->cmsg_len);
		if (c->cmsg_type == SCM_RIGHTS)
			for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / 4;
			     i++)
				memcpy(&out[n++], CMSG_DATA(c) + 4 * i, 4);
		if (c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred u;

			memcpy(&u, CMSG_DATA(c), sizeof(u));
			say("  creds: pid is mine %d uid is mine %d",
			    u.pid == getpid(), u.uid == getuid());
		}
	}
	return n;
}

static void rights(void)
{
	int sv[2], p[2], fds[8], got[16], f, n;
	char buf[16] = { 0 };

	say("rights:");
	SHOW(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	SHOW(pipe(p));
	f = open("data", O_CREAT | O_RDWR | O_TRUNC, 0644);
	SHOW(write(f, "0123456789", 10));
	SHOW(lseek(f, 2, SEEK_SET));
	fds[0] = p[1];
	fds[1] = f;
	SHOW(send_fds(sv[0], "two", fds, 2));
	SHOW(close(p[1]));
	n = recv_fds(sv[1], 256, MSG_CMSG_CLOEXEC, got);
	say("  %d fds, cloexec %d %d", n, fcntl(got[0], F_GETFD),
	    fcntl(got[1], F_GETFD));
	SHOW(write(got[0], "via", 3));
	SHOW(read(p[0], buf, 3));
	say("  pipe got %s", buf);
	SHOW(read(got[1], buf, 3));
	say("  file read %.3s, offset shared: %ld", buf,
	    (long)lseek(f, 0, SEEK_CUR));
	close(got[0]);
	close(got[1]);

	/* Too short a buffer: MSG_CTRUNC, only what fits. */
	fds[0] = fds[1] = fds[2] = f;
	SHOW(send_fds(sv[0], "three", fds, 3));
	n = recv_fds(sv[1], CMSG_SPACE(sizeof(int)), 0, got);
	say("  %d fds", n);
	for (int i = 0; i < n; i++)
		close(got[i]);
	SHOW(send_fds(sv[0], "none", fds, 1));
	n = recv_fds(sv[1], 0, 0, got);
	say("  %d fds", n);

	/* A stream read stops after the piece with fds. */
	SHOW(write(sv[0], "abc", 3));
	SHOW(send_fds(sv[0], "def", fds, 1));
	SHOW(write(sv[0], "ghi", 3));
	n = recv_fds(sv[1], 256, 0, got);
	for (int i = 0; i < n; i++)
		close(got[i]);
	n = recv_fds(sv[1], 256, 0, got);

	/* In flight when the receiver closes: closed with it (Linux may
	 * defer that: nothing to print). */
	SHOW(send_fds(sv[0], "lost", fds, 1));
	SHOW(close(sv[1]));

	fds[0] = 999;
	SHOW(send_fds(sv[0], "bad", fds, 1));
	SHOW(close(sv[0]));
	close(f);
}

static void dgram_rights(void)
{
	int sv[2], got[4], n, f = open("data", O_RDONLY);

	say("dgram rights:");
	SHOW(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	SHOW(send_fds(sv[0], "d1", &f, 1));
	n = recv_fds(sv[1], 256, MSG_PEEK, got);
	say("  peeked %d fds, a new fd %d", n, n == 1 && got[0] != f);
	if (n)
		close(got[0]);
	n = recv_fds(sv[1], 256, 0, got);
	if (n)
		close(got[0]);
	close(sv[0]);
	close(sv[1]);
	close(f);
}

static void bad_cmsg(void)
{
	char ctl[64] = { 0 };
	struct iovec iov = { "x", 1 };
	struct msghdr m = { 0 };
	struct cmsghdr *c = (void *)ctl;
	int sv[2];

	say("bad cmsgs:");
	SHOW(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl;
	m.msg_controllen = sizeof(ctl);
	c->cmsg_len = 8;
	SHOW(sendmsg(sv[0], &m, 0));
	c->cmsg_len = 100;
	SHOW(sendmsg(sv[0], &m, 0));
	c->cmsg_len = CMSG_LEN(4);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = 77;
	SHOW(sendmsg(sv[0], &m, 0));
	c->cmsg_level = 6;
	SHOW(sendmsg(sv[0], &m, 0));
	m.msg_controllen = 200000;
	SHOW(sendmsg(sv[0], &m, 0));
	m.msg_controllen = 4;
	SHOW(sendmsg(sv[0], &m, 0));
	close(sv[0]);
	close(sv[1]);
}

static void creds(void)
{
	int sv[2], on = 1, got[4];

	say("credentials:");
	SHOW(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	SHOW(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	SHOW(write(sv[0], "who", 3));
	recv_fds(sv[1], 256, 0, got);
	SHOW(write(sv[0], "short", 5));
	recv_fds(sv[1], CMSG_LEN(4), 0, got);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	scratch_enter("unix_scm");
	rights();
	dgram_rights();
	bad_cmsg();
	creds();
	scratch_leave();
	return 0;
}

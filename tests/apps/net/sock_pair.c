/*
 * sock_pair: socketpair(AF_UNIX) of each type: data in order, message
 * boundaries (dgram, seqpacket; MSG_TRUNC), EOF after close and after
 * shutdown, EPIPE with SIGPIPE (stream) or without (MSG_NOSIGNAL,
 * seqpacket), poll bits before and after shutdown and close, FIONREAD,
 * nonblocking EAGAIN until the buffer fills, readv/writev as one
 * message, fstat and /proc/self/fd of a socket, SOCK_CLOEXEC and
 * SOCK_NONBLOCK; sendfile into a socket, write() and SIGPIPE.
 */
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include "check.h"

static volatile int sigpipes;

static void on_pipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static const char *tname(int t)
{
	return t == SOCK_STREAM ? "stream" : t == SOCK_DGRAM ? "dgram" :
	       "seqpacket";
}

static void show_poll(const char *what, int fd)
{
	struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDHUP | POLLPRI, 0 };

	poll(&p, 1, 0);
	say("  poll %s: %#x", what, p.revents);
}

static void data(int t)
{
	char buf[64] = { 0 };
	int sv[2], n;

	say("%s:", tname(t));
	SHOW(socketpair(AF_UNIX, t, 0, sv));
	show_poll("fresh", sv[0]);
	SHOW(write(sv[0], "hello", 5));
	SHOW(write(sv[0], "world", 5));
	show_poll("with data", sv[1]);
	SHOW(ioctl(sv[1], FIONREAD, &n));
	say("  FIONREAD %d", n);
	SHOW(recv(sv[1], buf, 3, MSG_PEEK));
	SHOW(recv(sv[1], buf, 3, 0));
	say("  got %.3s", buf);
	SHOW(recv(sv[1], buf, sizeof(buf), t == SOCK_STREAM ? 0 : MSG_TRUNC));
	SHOW(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT));
	SHOW(send(sv[1], "back", 4, 0));
	SHOW(recv(sv[0], buf, sizeof(buf), 0));
	SHOW(shutdown(sv[0], SHUT_WR));
	show_poll("reader after peer SHUT_WR", sv[1]);
	show_poll("writer after SHUT_WR", sv[0]);
	SHOW(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT));
	sigpipes = 0;
	SHOW(send(sv[0], "x", 1, 0));
	say("  SIGPIPEs %d", sigpipes);
	SHOW(send(sv[0], "x", 1, MSG_NOSIGNAL));
	say("  SIGPIPEs %d", sigpipes);
	SHOW(close(sv[1]));
	show_poll("after peer close", sv[0]);
	sigpipes = 0;
	SHOW(send(sv[0], "x", 1, 0));
	say("  SIGPIPEs %d", sigpipes);
	SHOW(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT));
	SHOW(close(sv[0]));
}

static void closing(int t)
{
	char buf[8];
	int sv[2];

	say("%s close:", tname(t));
	SHOW(socketpair(AF_UNIX, t, 0, sv));
	SHOW(write(sv[1], "abc", 3));
	SHOW(close(sv[1]));
	show_poll("after close", sv[0]);
	SHOW(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT));
	SHOW(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT));
	sigpipes = 0;
	SHOW(send(sv[0], "x", 1, 0));
	say("  SIGPIPEs %d", sigpipes);
	SHOW(send(sv[0], "x", 1, 0));
	SHOW(close(sv[0]));

	/* Unread data in the closer's queue: ECONNRESET for the peer. */
	SHOW(socketpair(AF_UNIX, t, 0, sv));
	SHOW(write(sv[0], "abc", 3));
	SHOW(close(sv[1]));
	show_poll("peer closed with data unread", sv[0]);
	SHOW(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT));
	SHOW(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT));
	SHOW(close(sv[0]));
}

/* Fills a nonblocking socket until EAGAIN; the count only as "many". */
static void fill(int t)
{
	char buf[1000] = { 0 };
	int sv[2], sent = 0, n = 0;
	long r;

	say("%s fill:", tname(t));
	SHOW(socketpair(AF_UNIX, t | SOCK_NONBLOCK, 0, sv));
	while ((r = send(sv[0], buf, sizeof(buf), 0)) > 0 && n < 100000)
		sent += r, n++;
	say("  stopped with %s, sent over 10 KB %s", errname(errno),
	    sent > 10000 ? "yes" : "no");
	show_poll("full writer", sv[0]);
	while (recv(sv[1], buf, sizeof(buf), 0) > 0)
		;
	show_poll("drained writer", sv[0]);
	SHOW(close(sv[0]));
	SHOW(close(sv[1]));
}

static void vectors(int t)
{
	char a[4], b[8];
	struct iovec w[2] = { { "ab", 2 }, { "cdef", 4 } };
	struct iovec rv[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	int sv[2];

	say("%s vectors:", tname(t));
	SHOW(socketpair(AF_UNIX, t, 0, sv));
	SHOW(writev(sv[0], w, 2));
	SHOW(writev(sv[0], w, 2));
	SHOW(readv(sv[1], rv, 2));
	say("  %.4s", a);
	rv[0].iov_len = 1;
	rv[1].iov_len = 2;
	if (t == SOCK_STREAM)
		SHOW(writev(sv[0], w, 2));
	SHOW(readv(sv[1], rv, 2));
	SHOW(close(sv[0]));
	SHOW(close(sv[1]));
}

static void as_file(void)
{
	char link[64], path[64];
	struct stat st;
	int sv[2];
	long n;

	say("as a file:");
	SHOW(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
			sv));
	SHOW(fcntl(sv[0], F_GETFD));
	say("  F_GETFL %#o", fcntl(sv[0], F_GETFL));
	SHOW(fstat(sv[0], &st));
	say("  mode %#o size %ld", st.st_mode, (long)st.st_size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", sv[0]);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	say("  link starts with socket:[ %s", strncmp(link, "socket:[", 8) ? "no" :
	    "yes");
	SHOW(open(path, O_RDWR));
	SHOW(lseek(sv[0], 0, SEEK_CUR));
	SHOW(pread(sv[0], link, 1, 0));
	SHOW(read(sv[0], link, 0));
	SHOW(read(sv[0], link, 1));
	SHOW(close(sv[0]));
	SHOW(close(sv[1]));
}

/* sendfile from a file into a socket; write() raising SIGPIPE. */
static void into_socket(void)
{
	char buf[32] = { 0 };
	int sv[2], f;
	off_t off = 2;

	say("sendfile:");
	scratch_enter("sock_pair");
	f = open("f", O_CREAT | O_RDWR | O_TRUNC, 0644);
	SHOW(write(f, "0123456789", 10));
	SHOW(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	SHOW(sendfile(sv[0], f, &off, 5));
	say("  offset %ld", (long)off);
	SHOW(lseek(f, 0, SEEK_SET));
	SHOW(sendfile(sv[0], f, NULL, 3));
	SHOW(read(sv[1], buf, sizeof(buf)));
	say("  got %s", buf);
	SHOW(close(sv[1]));
	sigpipes = 0;
	SHOW(write(sv[0], "x", 1));
	say("  SIGPIPEs %d", sigpipes);
	sigpipes = 0;
	SHOW(sendfile(sv[0], f, NULL, 3));
	say("  SIGPIPEs %d", sigpipes);
	close(sv[0]);
	close(f);
	scratch_leave();
}

int main(void)
{
	int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };

	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, on_pipe);
	for (int i = 0; i < 3; i++)
		data(types[i]);
	for (int i = 0; i < 3; i++)
		closing(types[i]);
	for (int i = 0; i < 3; i++)
		fill(types[i]);
	for (int i = 0; i < 3; i++)
		vectors(types[i]);
	as_file();
	into_socket();
	return 0;
}

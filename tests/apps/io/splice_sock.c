/*
 * splice_sock: splice(2) between sockets and pipes, as Go's io.Copy
 * between TCP connections and proxies do it: AF_UNIX socketpair -> pipe
 * -> socket, offsets on a socket, SPLICE_F_NONBLOCK and O_NONBLOCK on an
 * empty socket (EAGAIN), end of file, EPIPE into a closed peer, and a
 * TCP proxy over 127.0.0.1 (socket -> pipe -> socket, several MB, with a
 * checksum) with a sender and a receiver thread.
 */
#include "check.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>

#define SYS(...) syscall(__VA_ARGS__)
#define NB SPLICE_F_NONBLOCK
#define TOTAL (4 * 1024 * 1024 + 77)

static void unix_pair(void)
{
	int s[2], p[2];
	loff_t off = 0;
	char buf[64] = { 0 };

	say("socketpair");
	SHOW(socketpair(AF_UNIX, SOCK_STREAM, 0, s));
	SHOW(pipe(p));
	SHOW(SYS(SYS_splice, s[0], NULL, p[1], NULL, 100, NB));
	SHOW(SYS(SYS_splice, s[0], &off, p[1], NULL, 100, NB));
	SHOW(SYS(SYS_splice, s[0], NULL, p[1], NULL, SIZE_MAX, NB));
	SHOW(SYS(SYS_splice, p[0], NULL, s[0], NULL, SIZE_MAX, NB));
	SHOW(SYS(SYS_write, s[1], "ping", 4));
	SHOW(SYS(SYS_splice, s[0], NULL, p[1], NULL, 100, 0));
	SHOW(SYS(SYS_splice, p[0], NULL, s[0], NULL, 100, 0));
	SHOW(SYS(SYS_splice, p[0], NULL, s[0], &off, 100, 0));
	SHOW(SYS(SYS_read, s[1], buf, sizeof(buf)));
	say("  echoed \"%s\"", buf);
	SHOW(fcntl(s[0], F_SETFL, O_NONBLOCK));
	SHOW(SYS(SYS_splice, s[0], NULL, p[1], NULL, 100, 0));
	SHOW(SYS(SYS_write, s[1], "abc", 3));
	SHOW(SYS(SYS_splice, s[0], NULL, p[1], NULL, 2, 0));
	SHOW(SYS(SYS_splice, s[0], NULL, p[1], NULL, 100, SPLICE_F_MORE));
	SHOW(SYS(SYS_splice, p[0], NULL, s[0], NULL, 100, SPLICE_F_MORE));
	memset(buf, 0, sizeof(buf));
	SHOW(SYS(SYS_read, s[1], buf, sizeof(buf)));
	say("  echoed \"%s\"", buf);
	SHOW(shutdown(s[1], SHUT_WR));
	SHOW(SYS(SYS_splice, s[0], NULL, p[1], NULL, 100, 0));
	SHOW(SYS(SYS_write, p[1], "zz", 2));
	SHOW(close(s[1]));
	SHOW(SYS(SYS_splice, p[0], NULL, s[0], NULL, 100, 0));
	close(s[0]);
	close(p[0]);
	close(p[1]);
}

struct conn {
	int fd;
	uint64_t sum;
	long bytes;
};

static uint64_t step(uint64_t h, unsigned char c)
{
	return (h ^ c) * 1099511628211ull;
}

static void *sender(void *arg)
{
	struct conn *c = arg;
	static char buf[10000];
	long done = 0;

	c->sum = 1469598103934665603ull;
	while (done < TOTAL) {
		long n = TOTAL - done < (long)sizeof(buf) ? TOTAL - done :
							   (long)sizeof(buf);
		ssize_t w;

		for (long i = 0; i < n; i++) {
			buf[i] = (char)((done + i) * 7 + (done + i) / 1000);
			c->sum = step(c->sum, (unsigned char)buf[i]);
		}
		for (long at = 0; at < n; at += w) {
			w = write(c->fd, buf + at, n - at);
			if (w <= 0)
				return NULL;
		}
		done += n;
	}
	c->bytes = done;
	shutdown(c->fd, SHUT_WR);
	return NULL;
}

static void *receiver(void *arg)
{
	struct conn *c = arg;
	static char buf[16384];
	ssize_t n;

	c->sum = 1469598103934665603ull;
	while ((n = read(c->fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			c->sum = step(c->sum, (unsigned char)buf[i]);
		c->bytes += n;
	}
	return NULL;
}

/* A connected pair over 127.0.0.1: *cl the client end, *sv the server's. */
static int tcp_pair(int *cl, int *sv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (void *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (void *)&a, &len) < 0)
		return -1;
	*cl = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(*cl, (void *)&a, sizeof(a)) < 0)
		return -1;
	*sv = accept(l, NULL, NULL);
	close(l);
	return *sv < 0 ? -1 : 0;
}

/* Moves everything from in to out through the pipe p, as a proxy does. */
static long pump(int in, int out, int p[2])
{
	long total = 0;

	for (;;) {
		long n = syscall(SYS_splice, in, NULL, p[1], NULL, 1 << 20, 0);

		if (n <= 0)
			return n < 0 ? -errno : total;
		while (n > 0) {
			long w = syscall(SYS_splice, p[0], NULL, out, NULL, n,
					 SPLICE_F_MORE);
			if (w <= 0)
				return -errno;
			n -= w;
			total += w;
		}
	}
}

static void tcp_proxy(void)
{
	struct conn src = { 0 }, dst = { 0 };
	pthread_t ts, tr;
	int a_cl, a_sv, b_cl, b_sv, p[2];
	long moved;

	say("tcp proxy");
	SHOW(tcp_pair(&a_cl, &a_sv));
	SHOW(tcp_pair(&b_cl, &b_sv));
	SHOW(pipe(p));
	SHOW(fcntl(a_sv, F_SETFL, O_NONBLOCK));
	SHOW(SYS(SYS_splice, a_sv, NULL, p[1], NULL, 100, 0));
	SHOW(fcntl(a_sv, F_SETFL, 0));
	src.fd = a_cl;
	dst.fd = b_sv;
	pthread_create(&ts, NULL, sender, &src);
	pthread_create(&tr, NULL, receiver, &dst);
	moved = pump(a_sv, b_cl, p);
	say("  moved %ld (%s)", moved, moved < 0 ? errname(-moved) : "ok");
	SHOW(shutdown(b_cl, SHUT_WR));
	pthread_join(ts, NULL);
	pthread_join(tr, NULL);
	say("  sent %ld, received %ld, same sum: %s", src.bytes, dst.bytes,
	    src.sum == dst.sum ? "yes" : "no");
	SHOW(SYS(SYS_splice, a_sv, NULL, p[1], NULL, 100, 0));
	close(b_sv);
	close(a_cl);
	close(a_sv);
	close(b_cl);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	unix_pair();
	tcp_proxy();
	return 0;
}

/*
 * connclose: the TCP connect+close rate of the network benchmark of
 * `make bench` (bench/net/net.sh). Host program, not part of Skiff.
 *
 * Usage: connclose HOST PORT COUNT SECONDS
 * Opens COUNT TCP connections to HOST:PORT (an IPv4 address), one after
 * the other, and stops early once SECONDS have passed. Each connection:
 * connect, shutdown(SHUT_WR), read until the server's end-of-file, close.
 * Waiting for the server's close makes a connection count only once the
 * server itself has seen it and answered: through QEMU's user networking
 * the host's connect() completes against QEMU, before the guest is involved.
 * Every blocking call is bounded by a 5 s timeout (SO_SNDTIMEO bounds
 * connect). Prints one line:
 *   connections N seconds S per_second R errors E [first_error TEXT]
 * N counts the connections that got the server's end-of-file; E the others.
 * Exits 0 if N > 0, else 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define OP_TIMEOUT_S 5

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One connection; returns NULL on success, else what failed. */
static const char *one(const struct sockaddr_in *sa)
{
	struct timeval tv = { OP_TIMEOUT_S, 0 };
	const char *err = NULL;
	char buf[256];
	ssize_t n;
	int saved, s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return "socket";
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(s, (const struct sockaddr *)sa, sizeof(*sa)) < 0)
		err = "connect";
	else if (shutdown(s, SHUT_WR) < 0)
		err = "shutdown";
	else {
		while ((n = read(s, buf, sizeof(buf))) > 0)
			;
		if (n < 0)
			err = "read";
	}
	saved = errno;
	close(s);
	errno = saved;
	return err;
}

int main(int argc, char **argv)
{
	static char first[128];
	struct sockaddr_in sa;
	long count, done = 0, errors = 0, i;
	double secs, start, elapsed;
	const char *err;

	if (argc != 5) {
		fprintf(stderr, "usage: connclose HOST PORT COUNT SECONDS\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "connclose: bad address %s\n", argv[1]);
		return 2;
	}
	count = atol(argv[3]);
	secs = atof(argv[4]);
	start = now_s();
	for (i = 0; i < count && now_s() - start < secs; i++) {
		err = one(&sa);
		if (!err) {
			done++;
			continue;
		}
		if (!errors++)
			snprintf(first, sizeof(first), "%s:_%s", err,
				 strerror(errno));
	}
	elapsed = now_s() - start;
	printf("connections %ld seconds %.3f per_second %.1f errors %ld",
	       done, elapsed, elapsed > 0 ? done / elapsed : 0.0, errors);
	if (errors) {
		for (char *p = first; *p; p++)
			if (*p == ' ')
				*p = '_';
		printf(" first_error %s", first);
	}
	printf("\n");
	return done > 0 ? 0 : 1;
}

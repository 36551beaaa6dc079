/*
 * The server example of `make run`: a small HTTP/1.1 server on port 80
 * (or argv[1]) that answers every GET with a greeting naming the path it
 * was asked for, over IPv4 and IPv6, and exits cleanly on SIGTERM (what
 * `docker stop`, and skiff passing on its own SIGTERM, send). One
 * connection at a time: it shows the sockets, not a design for load.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stopping;

static void on_term(int signo)
{
	stopping = signo;
}

/* Reads the request head (up to a blank line) and answers it. */
static void serve(int c, unsigned long n)
{
	char req[2048], path[256] = "/", body[512], head[256];
	size_t len = 0;
	ssize_t r;

	while (len < sizeof(req) - 1 &&
	       (r = read(c, req + len, sizeof(req) - 1 - len)) > 0) {
		len += r;
		req[len] = 0;
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	if (len == 0)
		return;
	sscanf(req, "GET %255s", path);
	int blen = snprintf(body, sizeof(body),
			    "Hello from a Skiff VM! You asked for %s "
			    "(request %lu).\n", path, n);
	int hlen = snprintf(head, sizeof(head),
			    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
			    "Content-Length: %d\r\nConnection: close\r\n\r\n",
			    blen);
	if (write(c, head, hlen) != hlen || write(c, body, blen) != blen)
		perror("write");
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 80, one = 1, zero = 0;
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port),
				  .sin6_addr = IN6ADDR_ANY_INIT };
	struct sigaction sa = { .sa_handler = on_term };
	unsigned long n = 0;
	int s = socket(AF_INET6, SOCK_STREAM, 0);

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 64)) {
		perror("webserver: socket/bind/listen");
		return 1;
	}
	printf("webserver: listening on port %d (IPv4 and IPv6)\n", port);
	fflush(stdout);
	while (!stopping) {
		int c = accept(s, NULL, NULL);

		if (c < 0) {
			if (errno != EINTR)
				perror("accept");
			continue;
		}
		serve(c, ++n);
		close(c);
	}
	printf("webserver: signal %d, served %lu requests, bye\n", stopping, n);
	close(s);
	return 0;
}

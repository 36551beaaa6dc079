/*
 * tests/api/prog.c: the program tests/api/run.sh runs behind the
 * management API. It serves "hello\n" over HTTP on port 8080 (the
 * program's own server, which the API must not starve), and every 50 ms
 * looks for files the test writes through the API:
 *   /tmp/alloc    allocate and touch 32 MiB, then write /tmp/allocated
 *   /tmp/in.txt   print "read back: CONTENTS" and remove it
 * SIGTERM makes it print "got SIGTERM" and exit 42.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t term;

static void on_term(int sig)
{
	(void)sig;
	term = 1;
}

static void check_files(void)
{
	char buf[256];
	int fd;
	ssize_t n;

	if (access("/tmp/alloc", F_OK) == 0) {
		char *p = malloc(32 << 20);
		memset(p, 1, 32 << 20);
		unlink("/tmp/alloc");
		fd = open("/tmp/allocated", O_WRONLY | O_CREAT, 0644);
		close(fd);
		printf("allocated %d\n", p[12345]);
		fflush(stdout);
	}
	fd = open("/tmp/in.txt", O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = 0;
		unlink("/tmp/in.txt");
		printf("read back: %s\n", buf);
		fflush(stdout);
	}
}

static void serve_one(int ls)
{
	static const char reply[] = "HTTP/1.0 200 OK\r\nContent-Length: 6\r\n"
				    "Connection: close\r\n\r\nhello\n";
	char buf[1024];
	int c = accept(ls, NULL, NULL);

	if (c < 0)
		return;
	if (read(c, buf, sizeof(buf)) > 0 &&
	    write(c, reply, sizeof(reply) - 1) < 0)
		perror("write");
	close(c);
}

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(8080) };
	int one = 1, ls = socket(AF_INET, SOCK_STREAM, 0);

	signal(SIGTERM, on_term);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 64)) {
		perror("listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (!term) {
		struct pollfd p = { ls, POLLIN, 0 };
		if (poll(&p, 1, 50) > 0)
			serve_one(ls);
		check_files();
	}
	printf("got SIGTERM\n");
	return 42;
}

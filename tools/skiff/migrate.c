/*
 * Live migration: skiff migrate NAME HOST:PORT on the source host, skiff
 * receive [--port PORT] [--name NAME] on the target.
 *
 * The protocol, over one TCP connection to the receiver's PORT:
 *   source -> target  the header of snapshot.c with "name" and
 *                     "state tcp" (the command line, its directory)
 *   target            starts the same command line detached, QEMU with
 *                     -incoming tcp:0.0.0.0:PORT+1, and once QEMU
 *                     answers on QMP (so it listens):
 *   target -> source  "ready PORT+1\n" (or "error MESSAGE\n")
 *   source            QMP migrate tcp:HOST:PORT+1: QEMU's live migration,
 *                     the VM running while its memory is copied, paused
 *                     for the last round; then its status is "migrated"
 *                     and it is powered off
 *   target            the keeper sees the VM running, sends the guest
 *                     the host's time (as after a restore), and skiff
 *                     receive prints the name.
 * What lives on the host is not carried: -v volumes and images must be at
 * the same paths on the target, the program and kernel too; -p ports are
 * published by the target's QEMU.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>
#include "skiff.h"
#include "instance.h"

#define MIG_REPLY_MS 120000	/* the target's time to be ready */
#define MIG_HEADER_MAX (1 << 20)

/* Reads until the header's "state tcp\n" line; its length or -1. */
static ssize_t read_header(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	while (n < cap - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t k;

		if (poll(&p, 1, MIG_REPLY_MS) <= 0)
			return -1;
		k = read(fd, buf + n, 1);
		if (k <= 0)
			return -1;
		n += k;
		if (n >= 10 && !memcmp(buf + n - 10, "state tcp\n", 10) &&
		    (n == 10 || buf[n - 11] == '\n'))
			return (ssize_t)n;
	}
	return -1;
}

static int tcp_connect(const char *hostport, char **host_out)
{
	char *host = xstrdup(hostport), *colon = strrchr(host, ':');
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai, *a;
	int fd = -1;

	if (!colon || !colon[1]) {
		skiff_err("migrate: %s: expected HOST:PORT", hostport);
		return -1;
	}
	*colon = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &ai)) {
		skiff_err("migrate: %s: unknown host or port", hostport);
		return -1;
	}
	for (a = ai; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	if (fd < 0)
		skiff_err("migrate: cannot connect to %s: %s", hostport,
			  strerror(errno));
	*host_out = host;
	return fd;
}

/* The target's answer line: its QEMU's port, or 0 after a message. */
static int target_reply(int fd)
{
	char line[512];
	size_t n = 0;

	while (n < sizeof(line) - 1) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, MIG_REPLY_MS) <= 0 || read(fd, line + n, 1) != 1)
			break;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	if (!strncmp(line, "ready ", 6) && atoi(line + 6) > 0)
		return atoi(line + 6);
	skiff_err("migrate: the target %s", n ? line : "did not answer");
	return 0;
}

int mig_send(const char *name, const char *hostport)
{
	struct inst_state s;
	char *host = NULL, *sock, *uri, *text;
	int err, fd, qmp, port;
	FILE *f;

	if ((err = inst_find(name, &s)))
		return err;
	if (!s.running) {
		char state[64];

		inst_describe(&s, state, sizeof(state));
		skiff_err("instance '%s' is not running (%s)", name, state);
		return 1;
	}
	fd = tcp_connect(hostport, &host);
	if (fd < 0)
		return SKIFF_EXIT_FAILED;
	f = fdopen(dup(fd), "w");
	if (!f || snap_header(f, name, "tcp") || fclose(f)) {
		skiff_err("migrate: sending to %s: %s", hostport, strerror(errno));
		close(fd);
		return SKIFF_EXIT_FAILED;
	}
	port = target_reply(fd);
	close(fd);
	if (!port)
		return SKIFF_EXIT_FAILED;
	sock = inst_path(name, "qmp.sock");
	qmp = qmp_connect(sock, 5000);
	free(sock);
	if (qmp < 0) {
		skiff_err("migrate of '%s': cannot reach QEMU's QMP socket", name);
		return SKIFF_EXIT_FAILED;
	}
	uri = xasprintf(strchr(host, ':') ? "tcp:[%s]:%d" : "tcp:%s:%d", host,
			port);
	err = snap_migrate(qmp, "migrate", name, uri);
	close(qmp);
	free(uri);
	if (err)
		return err;
	text = xasprintf("migrated %s\n", hostport);
	inst_write(name, "status", text);
	free(text);
	inst_signal_keeper(&s, INST_SIG_POWEROFF, 0);
	inst_wait_keeper(s.keeper, 10000);
	puts(name);
	return 0;
}

static int listen_on(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port),
				  .sin6_addr = IN6ADDR_ANY_INIT };
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 1)) {
		skiff_err("receive: port %d: %s", port, strerror(errno));
		return -1;
	}
	return fd;
}

/* True if a TCP socket listens on port (this network namespace's
 * /proc/net/tcp: "sl local_address rem_address st", st 0A is LISTEN). */
static bool listening(int port)
{
	FILE *f = fopen("/proc/net/tcp", "re");
	char line[256];
	unsigned lport, st;
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, " %*d: %*x:%x %*x:%*x %x", &lport, &st) == 2 &&
			(int)lport == port && st == 0x0a;
	if (f)
		fclose(f);
	return found;
}

/* Waits until the instance's QEMU listens for the stream on port (its
 * keeper holds the QMP socket meanwhile). */
static bool target_ready(int port, pid_t starter)
{
	for (int i = 0; i < MIG_REPLY_MS / 20; i++) {
		if (listening(port))
			return true;
		if (waitpid(starter, NULL, WNOHANG) == starter)
			return false;
		usleep(20000);
	}
	return false;
}

int mig_receive(int port, const char *name)
{
	static char *argv[SNAP_MAX_ARGS + 1];
	char *buf = xmalloc(MIG_HEADER_MAX), *cwd, *sent_name, *uri;
	int lfd = listen_on(port), fd, argc, status = SKIFF_EXIT_FAILED;
	ssize_t len;
	size_t off;
	pid_t starter;

	if (lfd < 0)
		return SKIFF_EXIT_FAILED;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	close(lfd);
	len = fd >= 0 ? read_header(fd, buf, MIG_HEADER_MAX) : -1;
	if (len < 0 || snap_parse(buf, len, &off, &cwd, argv, &argc,
				  &sent_name, "tcp")) {
		skiff_err("receive: no migration header from the source");
		return SKIFF_EXIT_FAILED;
	}
	name = name ? name : sent_name;
	uri = xasprintf("tcp:0.0.0.0:%d", port + 1);
	fflush(NULL);
	starter = fork();
	if (starter == 0) {
		int r = snap_start(cwd, argc, argv, name, uri);

		fflush(NULL); /* the name it printed */
		_exit(r);
	}
	if (starter > 0 && target_ready(port + 1, starter)) {
		dprintf(fd, "ready %d\n", port + 1);
		close(fd);
		waitpid(starter, &status, 0);
		return WIFEXITED(status) ? WEXITSTATUS(status) : SKIFF_EXIT_FAILED;
	}
	dprintf(fd, "error could not start the instance '%s' here\n", name);
	close(fd);
	if (starter > 0) {
		struct inst_state s;

		if (inst_load(name, &s) && s.running)
			inst_signal_keeper(&s, INST_SIG_POWEROFF, 0);
		waitpid(starter, &status, 0);
	}
	return SKIFF_EXIT_FAILED;
}

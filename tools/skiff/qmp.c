/*
 * A minimal QMP client (QEMU Machine Protocol, docs/interop/qmp-spec in
 * QEMU's tree) for detached instances: connect to an instance's qmp.sock,
 * negotiate capabilities, run one command at a time and read its reply,
 * skipping the asynchronous events in between. Replies are returned as
 * text; the callers look for the few words they need ("status":
 * "completed"), as QEMU writes each reply on one line.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "skiff.h"
#include "instance.h"

#define QMP_REPLY_MS 30000 /* the longest a reply may take */

/* One line from fd into buf (without its newline): 0, or -1 on EOF,
 * error or timeout. */
static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		char c;

		if (poll(&p, 1, QMP_REPLY_MS) <= 0 || read(fd, &c, 1) != 1)
			return -1;
		if (c == '\n')
			break;
		if (n < len - 1)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

int qmp_command(int fd, const char *json, char *reply, size_t len)
{
	size_t n = strlen(json);

	if (write(fd, json, n) != (ssize_t)n || write(fd, "\n", 1) != 1)
		return -1;
	for (;;) {
		if (read_line(fd, reply, len))
			return -1;
		if (strstr(reply, "\"return\""))
			return 0;
		if (strstr(reply, "\"error\""))
			return -1;
		/* an event ({"event": ...}): not the reply */
	}
}

int qmp_connect(const char *path, int wait_ms)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char buf[4096];
	int fd = -1;

	if (strlen(path) >= sizeof(a.sun_path))
		return -1;
	strcpy(a.sun_path, path);
	for (int waited = 0;; waited += 20) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			break;
		if (fd >= 0)
			close(fd);
		if (waited >= wait_ms)
			return -1;
		usleep(20000);
	}
	/* The greeting, then capabilities negotiation (command mode). */
	if (read_line(fd, buf, sizeof(buf)) || !strstr(buf, "\"QMP\"") ||
	    qmp_command(fd, "{\"execute\": \"qmp_capabilities\"}", buf,
			sizeof(buf))) {
		close(fd);
		return -1;
	}
	return fd;
}

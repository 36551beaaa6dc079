/*
 * poll_pipe: poll(2) through the raw system call on pipes and other
 * files: revents of empty, written, full, widowed (no writer) and
 * orphaned (no reader) pipes, /dev/null and a regular file, POLLNVAL for
 * a closed descriptor, negative descriptors ignored, a timeout with
 * nothing ready, a wait ended by another thread's write, and the errors.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static int wp[2];

static void one(const char *what, int fd, short events)
{
	struct pollfd pf = { .fd = fd, .events = events, .revents = 0x7777 };
	long r = SYS(SYS_poll, &pf, 1, 0);

	say("%s: poll = %ld, revents %#x", what, r, (unsigned short)pf.revents);
}

static void *late_writer(void *arg)
{
	sleep_ms(20);
	if (write(wp[1], "z", 1) != 1)
		say("write failed");
	return arg;
}

int main(void)
{
	int p[2], q[2], fd;
	struct pollfd pf[3];
	pthread_t t;
	char buf[4096];

	signal(SIGPIPE, SIG_IGN);
	if (pipe(p) || pipe(q) || pipe(wp))
		return 1;
	one("empty pipe, read end, POLLIN", p[0], POLLIN);
	one("empty pipe, write end, POLLOUT", p[1], POLLOUT);
	one("write end asked for POLLIN", p[1], POLLIN);
	if (write(p[1], "abc", 3) != 3)
		return 1;
	one("3 bytes in, read end", p[0], POLLIN | POLLOUT | POLLPRI);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	while (write(p[1], buf, sizeof(buf)) > 0)
		;
	one("full pipe, write end", p[1], POLLOUT);
	if (read(p[0], buf, sizeof(buf)) != sizeof(buf))
		return 1;
	one("one page read from the full pipe, write end", p[1], POLLOUT);
	close(p[1]);
	one("data left, writer closed, read end", p[0], POLLIN);
	while (read(p[0], buf, sizeof(buf)) > 0)
		;
	one("drained, writer closed, read end", p[0], POLLIN);
	one("  same, events 0", p[0], 0);
	close(q[0]);
	one("reader closed, write end", q[1], POLLOUT);
	one("  same, events 0", q[1], 0);
	one("/dev/null", open("/dev/null", O_RDWR), POLLIN | POLLOUT);
	fd = open("/proc/self/exe", O_RDONLY);
	one("a regular file", fd, POLLIN | POLLOUT);
	close(fd);
	one("a closed descriptor", fd, POLLIN);

	pf[0] = (struct pollfd){ .fd = -1, .events = POLLIN, .revents = 0x77 };
	pf[1] = (struct pollfd){ .fd = wp[1], .events = POLLOUT };
	pf[2] = (struct pollfd){ .fd = -5, .events = POLLIN };
	SHOW(SYS(SYS_poll, pf, 3, 0));
	say("  revents %#x %#x %#x", pf[0].revents, pf[1].revents, pf[2].revents);
	pf[0] = (struct pollfd){ .fd = wp[0], .events = POLLIN };
	SHOW(SYS(SYS_poll, pf, 1, 30));
	pthread_create(&t, NULL, late_writer, NULL);
	SHOW(SYS(SYS_poll, pf, 1, 10000));
	say("  revents %#x", pf[0].revents);
	pthread_join(t, NULL);
	SHOW(SYS(SYS_poll, NULL, 1, 0));
	SHOW(SYS(SYS_poll, NULL, 0, 0));
	SHOW(SYS(SYS_poll, pf, 1L << 30, 0));
	return 0;
}

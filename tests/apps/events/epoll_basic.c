/*
 * epoll_basic: epoll_create1 and epoll_ctl with their errors (EEXIST,
 * ENOENT, EINVAL for itself and for a non-epoll fd, EPERM for a regular
 * file, EBADF, EFAULT), level-triggered readiness of pipe ends with the
 * user data given, EPOLLHUP and EPOLLERR, MOD changing events and data,
 * a closed descriptor leaving the set, an epoll inside an epoll, and an
 * epoll_wait ended by another thread's write.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static int late[2];

static void *late_writer(void *arg)
{
	sleep_ms(20);
	if (write(late[1], "z", 1) != 1)
		say("write failed");
	return arg;
}

static void wait0(const char *what, int ep)
{
	struct epoll_event ev[4];
	long n = SYS(SYS_epoll_wait, ep, ev, 4, 0);

	printf("%s: epoll_wait = %ld", what, n);
	for (long i = 0; i < n; i++)
		printf(" {events %#x data %llu}", ev[i].events, (unsigned long long)ev[i].data.u64);
	printf("\n");
}

static long ctl(int ep, int op, int fd, unsigned events, unsigned long long data)
{
	struct epoll_event e = { .events = events, .data.u64 = data };

	return SYS(SYS_epoll_ctl, ep, op, fd, &e);
}

int main(void)
{
	int ep, ep2, p[2], q[2], fd, dup_fd;
	struct epoll_event ev;
	pthread_t t;
	char buf[8];

	signal(SIGPIPE, SIG_IGN);
	if (pipe(p) || pipe(q) || pipe(late))
		return 1;
	ep = SYS(SYS_epoll_create1, 0);
	yes("epoll_create1(0) gives a descriptor", ep >= 0);
	SHOW(SYS(SYS_epoll_create1, 1));
	SHOW(SYS(SYS_epoll_create, 0));
	ep2 = SYS(SYS_epoll_create, 1);
	yes("epoll_create(1) gives a descriptor", ep2 > ep);

	SHOW(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 42));
	SHOW(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 42));
	SHOW(ctl(ep, EPOLL_CTL_MOD, q[0], EPOLLIN, 1));
	SHOW(ctl(ep, EPOLL_CTL_DEL, q[0], 0, 0));
	SHOW(ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 0));
	SHOW(ctl(p[0], EPOLL_CTL_ADD, q[0], EPOLLIN, 0));
	fd = open("/proc/self/exe", O_RDONLY);
	SHOW(ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN, 0));
	close(fd);
	SHOW(ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN, 0));
	SHOW(ctl(ep, 99, p[1], EPOLLIN, 0));
	SHOW(SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[1], NULL));
	SHOW(SYS(SYS_epoll_wait, ep, &ev, 0, 0));
	SHOW(SYS(SYS_epoll_wait, ep, NULL, 1, 0));
	SHOW(SYS(SYS_epoll_wait, p[0], &ev, 1, 0));

	wait0("empty pipe", ep);
	if (write(p[1], "hello", 5) != 5)
		return 1;
	wait0("5 bytes in", ep);
	wait0("again, level-triggered", ep);
	if (read(p[0], buf, 5) != 5)
		return 1;
	wait0("read them", ep);
	SHOW(ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 7));
	wait0("write end added", ep);
	SHOW(ctl(ep, EPOLL_CTL_MOD, p[1], EPOLLIN, 8));
	wait0("write end modified to EPOLLIN", ep);
	SHOW(ctl(ep, EPOLL_CTL_DEL, p[1], 0, 0));
	SHOW(ctl(ep, EPOLL_CTL_ADD, q[1], EPOLLOUT, 9));
	close(q[0]);
	wait0("reader of q closed", ep);
	SHOW(ctl(ep, EPOLL_CTL_DEL, q[1], 0, 0));
	dup_fd = dup(p[1]);
	close(p[1]);
	wait0("one of two writers of p closed", ep);
	close(dup_fd);
	wait0("both writers of p closed", ep);

	SHOW(ctl(ep2, EPOLL_CTL_ADD, ep, EPOLLIN, 100));
	wait0("outer epoll sees the inner one ready", ep2);
	close(p[0]);
	wait0("p's read end closed: gone from the inner set", ep);
	wait0("  and the outer", ep2);

	SHOW(ctl(ep, EPOLL_CTL_ADD, late[0], EPOLLIN, 5));
	pthread_create(&t, NULL, late_writer, NULL);
	SHOW(SYS(SYS_epoll_wait, ep, &ev, 1, 10000));
	say("  events %#x data %llu", ev.events, (unsigned long long)ev.data.u64);
	pthread_join(t, NULL);
	return 0;
}

/*
 * epoll_mix: one epoll set over a pipe, an eventfd and a timerfd, each
 * made ready by a different source: another thread writes the pipe and
 * adds to the eventfd, the timerfd expires after 30 ms. The main thread
 * waits until all three were reported and reads each: the pipe's bytes,
 * the eventfd's sum, the timerfd's expiration count.
 */
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include "check.h"

static int p[2], efd;

static void *feeder(void *arg)
{
	uint64_t v = 2;

	sleep_ms(10);
	if (write(p[1], "hello", 5) != 5 || write(efd, &v, 8) != 8)
		say("write failed");
	v = 3;
	if (write(efd, &v, 8) != 8)
		say("write failed");
	return arg;
}

int main(void)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), tfd, seen = 0, waits = 0;
	struct itimerspec its = { { 0, 0 }, { 0, 30 * 1000000 } };
	struct epoll_event e;
	pthread_t t;
	char buf[16] = "";
	uint64_t efv = 0, tfv = 0;

	if (pipe(p))
		return 1;
	efd = eventfd(0, EFD_NONBLOCK);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	e = (struct epoll_event){ .events = EPOLLIN, .data.u32 = 1 };
	SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e));
	e.data.u32 = 2;
	SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &e));
	e.data.u32 = 4;
	SHOW(epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &e));
	SHOW(timerfd_settime(tfd, 0, &its, NULL));
	pthread_create(&t, NULL, feeder, NULL);
	while (seen != 7 && waits++ < 100) {
		struct epoll_event ev[3];
		int n = epoll_wait(ep, ev, 3, 10000);

		for (int i = 0; i < n; i++) {
			if (ev[i].data.u32 == 1 && !(seen & 1)) {
				sleep_ms(5);	/* let the whole word arrive */
				if (read(p[0], buf, sizeof(buf) - 1) <= 0)
					say("pipe read failed");
			} else if (ev[i].data.u32 == 2) {
				uint64_t v;

				while (read(efd, &v, 8) == 8)
					efv += v;
				if (efv < 5)
					continue;
			} else if (ev[i].data.u32 == 4) {
				if (read(tfd, &tfv, 8) != 8)
					say("timerfd read failed");
			}
			seen |= ev[i].data.u32;
		}
	}
	pthread_join(t, NULL);
	say("all three reported: %s", seen == 7 ? "yes" : "no");
	say("pipe: \"%s\", eventfd: %llu, timerfd expirations: %llu", buf,
	    (unsigned long long)efv, (unsigned long long)tfv);
	return 0;
}

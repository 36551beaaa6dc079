/*
 * timerfd: timerfd_create, settime, gettime and read: a disarmed timer
 * reads EAGAIN (non-blocking) and gets 0; a one-shot timer read while
 * blocking returns one expiration; a 5 ms periodic timer left alone for
 * 30 ms has counted at least 5; TFD_TIMER_ABSTIME with a past time
 * expires at once; poll readiness; errors for bad clocks, flags,
 * timespecs, short buffers and descriptors that are not timerfds.
 */
#include <poll.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)
#define MS 1000000L

static struct itimerspec its(long value_ns, long interval_ns)
{
	struct itimerspec s = { { 0, interval_ns }, { value_ns / 1000000000L,
						      value_ns % 1000000000L } };
	return s;
}

static long ns(struct timespec t)
{
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

int main(void)
{
	int fd = SYS(SYS_timerfd_create, CLOCK_MONOTONIC, TFD_NONBLOCK), bfd;
	struct itimerspec s, cur;
	struct pollfd pf;
	uint64_t n = 0;
	uint32_t small;

	yes("timerfd_create(MONOTONIC, NONBLOCK)", fd >= 0);
	SHOW(read(fd, &n, 8));
	SHOW(SYS(SYS_timerfd_gettime, fd, &cur));
	say("  disarmed: value %ld interval %ld", ns(cur.it_value), ns(cur.it_interval));

	bfd = SYS(SYS_timerfd_create, CLOCK_REALTIME, TFD_CLOEXEC);
	s = its(20 * MS, 0);
	SHOW(SYS(SYS_timerfd_settime, bfd, 0, &s, NULL));
	SHOW(read(bfd, &n, 8));
	say("  blocking read: expirations %llu", (unsigned long long)n);

	s = its(5 * MS, 5 * MS);
	SHOW(SYS(SYS_timerfd_settime, fd, 0, &s, NULL));
	SHOW(SYS(SYS_timerfd_gettime, fd, &cur));
	say("  interval %ld ns", ns(cur.it_interval));
	yes("  0 < value <= 5 ms", ns(cur.it_value) > 0 && ns(cur.it_value) <= 5 * MS);
	sleep_ms(30);
	pf = (struct pollfd){ .fd = fd, .events = POLLIN };
	SHOW(poll(&pf, 1, 0));
	SHOW(read(fd, &n, 8));
	yes("  at least 5 expirations after 30 ms", n >= 5);
	s = its(0, 0);
	SHOW(SYS(SYS_timerfd_settime, fd, 0, &s, &cur));
	say("  old interval %ld ns", ns(cur.it_interval));
	SHOW(read(fd, &n, 8));

	/* 1 ns after boot: in the past on any machine */
	s = its(1, 0);
	SHOW(SYS(SYS_timerfd_settime, fd, TFD_TIMER_ABSTIME, &s, NULL));
	/* it expires at once, but through the timer interrupt: wait for it */
	pf = (struct pollfd){ .fd = fd, .events = POLLIN };
	SHOW(poll(&pf, 1, 5000));
	n = 0;
	SHOW(read(fd, &n, 8));
	say("  past absolute time: expirations %llu", (unsigned long long)n);
	s = its(5 * MS, 0);
	SHOW(SYS(SYS_timerfd_settime, fd, 0, &s, NULL));
	sleep_ms(10);
	SHOW(read(fd, &small, 4));

	SHOW(SYS(SYS_timerfd_create, 99, 0));
	SHOW(SYS(SYS_timerfd_create, CLOCK_MONOTONIC, 0x1234));
	s = its(10 * MS, 0);
	s.it_value.tv_nsec = 1000000000L;
	SHOW(SYS(SYS_timerfd_settime, fd, 0, &s, NULL));
	s = its(10 * MS, 0);
	SHOW(SYS(SYS_timerfd_settime, fd, 0x100, &s, NULL));
	SHOW(SYS(SYS_timerfd_settime, 0, 0, &s, NULL));
	SHOW(SYS(SYS_timerfd_gettime, 0, &cur));
	return 0;
}

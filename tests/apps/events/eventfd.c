/*
 * eventfd: eventfd2 through the raw system call: the counter adds writes
 * and a read takes all of it; EFD_SEMAPHORE reads one at a time; an
 * empty non-blocking eventfd reads EAGAIN and a full one (2^64 - 2)
 * refuses writes with EAGAIN; 2^64 - 1 and short buffers are EINVAL;
 * poll readiness follows the counter; a blocking read ends when another
 * thread writes; flags other than the three are EINVAL.
 */
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static int bfd;

static void *late_writer(void *arg)
{
	uint64_t v = 9;

	sleep_ms(20);
	if (write(bfd, &v, 8) != 8)
		say("write failed");
	return arg;
}

static void rd(int fd)
{
	uint64_t v = 0;
	long r = read(fd, &v, 8);

	if (r < 0)
		say("  read = -1 %s", errname(errno));
	else
		say("  read = %ld, value %llu", r, (unsigned long long)v);
}

static void wr(int fd, uint64_t v)
{
	long r = write(fd, &v, 8);

	if (r < 0)
		say("  write %#llx = -1 %s", (unsigned long long)v, errname(errno));
	else
		say("  write %#llx = %ld", (unsigned long long)v, r);
}

static void pl(int fd)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN | POLLOUT };

	poll(&pf, 1, 0);
	say("  poll revents %#x", pf.revents);
}

int main(void)
{
	int fd, sfd;
	pthread_t t;
	uint32_t small;

	fd = SYS(SYS_eventfd2, 3, EFD_NONBLOCK);
	yes("eventfd2(3, EFD_NONBLOCK)", fd >= 0);
	pl(fd);
	wr(fd, 4);
	rd(fd);
	rd(fd);
	pl(fd);
	wr(fd, 0xfffffffffffffffeULL);
	pl(fd);
	wr(fd, 1);
	wr(fd, 0xffffffffffffffffULL);
	rd(fd);
	SHOW(read(fd, &small, 4));
	small = 1;
	SHOW(write(fd, &small, 4));

	sfd = SYS(SYS_eventfd2, 3, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
	yes("eventfd2(3, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC)", sfd >= 0);
	say("  FD_CLOEXEC %d", fcntl(sfd, F_GETFD) & FD_CLOEXEC);
	rd(sfd);
	rd(sfd);
	rd(sfd);
	rd(sfd);

	bfd = SYS(SYS_eventfd2, 0, 0);
	pthread_create(&t, NULL, late_writer, NULL);
	say("blocking read, written by another thread later:");
	rd(bfd);
	pthread_join(t, NULL);
	SHOW(SYS(SYS_eventfd2, 0, 0x1234));
	SHOW(lseek(fd, 0, SEEK_SET));
	return 0;
}

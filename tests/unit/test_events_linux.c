/* SOURCES: fs/init.c fs/initrd.c fs/pipe.c fs/vfs/dentry.c fs/vfs/fd.c fs/vfs/inode.c fs/vfs/namei.c fs/vfs/open.c fs/vfs/ops.c fs/vfs/rename.c fs/vfs/rw.c fs/vfs/poll.c fs/ramfs/ramfs.c fs/ramfs/file.c fs/ramfs/pagestore.c fs/devfs/mem.c fs/devfs/console.c fs/devfs/tty.c fs/procfs/procfs.c fs/procfs/pid.c fs/procfs/pidstat.c fs/procfs/info.c fs/procfs/sysfs.c fs/procfs/net.c fs/eventpoll.c lib/rbtree.c fs/eventfd.c fs/timerfd.c linux/file.c linux/fd.c linux/stat.c linux/dir.c linux/poll.c linux/sendfile.c linux/epoll.c linux/events.c lib/cpio.c lib/printf.c lib/strconv.c tests/unit/shim_fs.c tests/unit/difftest.c */
/*
 * Event files, differential against the host's Linux: epoll (level and
 * edge triggered, EPOLLONESHOT, the order of reported events, the errors
 * of epoll_ctl and epoll_wait, nested instances), eventfd (counter,
 * semaphore, limits), pipes and FIFOs as epoll sees them (the edges of
 * reads and writes, hang-ups, FIFO opens), poll on each kind, timerfd
 * (arming, reading, settime/gettime errors) and /proc/self/fd links.
 * Each script line is one call, run on the host with raw syscall(2) and
 * on Skiff's sys_* functions; the printed results must be the same.
 * Nothing waits: timeouts are 0, reads are non-blocking, and "sleep"
 * sleeps on both sides (then runs Skiff's due timers).
 *
 * tests/unit/difftest.c runs the scripts and has the commands pipe, poll,
 * close and write; the others are here.
 *
 * Script syntax: "CMD ARG..." where an argument is a number, names joined
 * by '|' (EPOLLIN|EPOLLET), a path, $N for fd slot N; ">N" stores a new
 * fd in slot N. ES_TRACE=1 in the environment prints every line.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <skiff/vfs.h>
#include "../../linux/fsabi.h"
#include "../../linux/sys.h"
#include "shim.h"
#include "shim_fs.h"
#include "difftest.h"

static const struct dt_name names[] = {
	{ "O_RDONLY", O_RDONLY }, { "O_WRONLY", O_WRONLY }, { "O_RDWR", O_RDWR },
	{ "O_NONBLOCK", O_NONBLOCK }, { "O_CLOEXEC", O_CLOEXEC },
	{ "EFD_SEMAPHORE", 1 }, { "ADD", EPOLL_CTL_ADD },
	{ "DEL", EPOLL_CTL_DEL }, { "MOD", EPOLL_CTL_MOD },
	{ "EPOLLIN", EPOLLIN }, { "EPOLLOUT", EPOLLOUT },
	{ "EPOLLRDHUP", EPOLLRDHUP }, { "EPOLLPRI", EPOLLPRI },
	{ "EPOLLET", EPOLLET }, { "EPOLLONESHOT", EPOLLONESHOT },
	{ "EPOLLEXCLUSIVE", EPOLLEXCLUSIVE }, { "EPOLLWAKEUP", EPOLLWAKEUP },
	{ "POLLIN", 1 }, { "POLLOUT", 4 }, { "POLLPRI", 2 },
	{ "POLLRDNORM", 0x40 }, { "POLLWRNORM", 0x100 },
	{ "CLOCK_REALTIME", 0 }, { "CLOCK_MONOTONIC", 1 },
	{ "CLOCK_BOOTTIME", 7 }, { "TFD_TIMER_ABSTIME", 1 },
	{ "F_GETFL", F_GETFL }, { "F_SETFL", F_SETFL },
};

/* epoll_wait: "= N: data/events ..." in the order reported. */
static void show_wait(struct dt_side *s, char **a, char *out, size_t n)
{
	struct epoll_event ev[8];
	int max = dt_num(s, a[1]);
	long r = DT_CALL(s, epoll_wait, dt_num(s, a[0]),
			 max ? (void *)ev : NULL, max, 0);

	snprintf(out, n, "= %ld:", r);
	for (long i = 0; i < r; i++)
		snprintf(out + strlen(out), n - strlen(out), " %lu/%#x",
			 (unsigned long)ev[i].data.u64, ev[i].events);
}

static bool epoll_cmd(struct dt_side *s, const char *cmd, char **a, int ac,
		      char *out, size_t n)
{
	struct epoll_event ev;
	long r;

	if (!strcmp(cmd, "epoll_create1")) {
		r = DT_CALL(s, epoll_create1, dt_num(s, a[0]));
		dt_keep_fd(s, r, a, ac, out, n);
	} else if (!strcmp(cmd, "epoll_create")) {
		r = DT_CALL(s, epoll_create, dt_num(s, a[0]));
		dt_keep_fd(s, r, a, ac, out, n);
	} else if (!strcmp(cmd, "ctl")) { /* EP OP FD [EVENTS DATA] */
		ev.events = ac > 3 ? dt_num(s, a[3]) : 0;
		ev.data.u64 = ac > 4 ? dt_num(s, a[4]) : 0;
		r = DT_CALL(s, epoll_ctl, dt_num(s, a[0]), dt_num(s, a[1]),
			    dt_num(s, a[2]), ac > 3 ? (void *)&ev : NULL);
		snprintf(out, n, "= %ld", r);
	} else if (!strcmp(cmd, "wait")) { /* EP MAX */
		show_wait(s, a, out, n);
	} else {
		return false;
	}
	return true;
}

static bool io_cmd(struct dt_side *s, const char *cmd, char **a, int ac,
		   char *out, size_t n)
{
	static char buf[1 << 17];
	u64 v;
	long r;

	if (!strcmp(cmd, "eventfd")) { /* INIT FLAGS >N */
		r = DT_CALL(s, eventfd2, dt_num(s, a[0]), dt_num(s, a[1]));
		dt_keep_fd(s, r, a, ac, out, n);
	} else if (!strcmp(cmd, "add")) { /* FD VALUE: an 8-byte write */
		v = strtoull(a[1], NULL, 0);
		r = DT_CALL(s, write, dt_num(s, a[0]), &v, 8);
		snprintf(out, n, "= %ld", r);
	} else if (!strcmp(cmd, "take")) { /* FD LEN: read, shown as a u64 */
		v = 0;
		r = DT_CALL(s, read, dt_num(s, a[0]), &v, dt_num(s, a[1]));
		snprintf(out, n, "= %ld: %#llx", r, (unsigned long long)v);
	} else if (!strcmp(cmd, "writen")) {
		memset(buf, 'z', sizeof(buf));
		r = DT_CALL(s, write, dt_num(s, a[0]), buf, dt_num(s, a[1]));
		snprintf(out, n, "= %ld", r);
	} else if (!strcmp(cmd, "read")) {
		r = DT_CALL(s, read, dt_num(s, a[0]), buf, dt_num(s, a[1]));
		snprintf(out, n, "= %ld", r);
	} else if (!strcmp(cmd, "open")) {
		r = DT_CALL(s, open, a[0], dt_num(s, a[1]), 0);
		dt_keep_fd(s, r, a, ac, out, n);
	} else if (!strcmp(cmd, "mkfifo")) {
		r = DT_CALL(s, mknod, a[0], S_IFIFO | 0600, 0);
		snprintf(out, n, "= %ld", r);
	} else if (!strcmp(cmd, "fcntl")) {
		r = DT_CALL(s, fcntl, dt_num(s, a[0]), dt_num(s, a[1]),
			    dt_num(s, a[2]));
		snprintf(out, n, "= %#lo", r);
	} else {
		return false;
	}
	return true;
}

static bool timer_cmd(struct dt_side *s, const char *cmd, char **a, int ac,
		      char *out, size_t n)
{
	struct itimerspec it, old;
	long r;

	if (!strcmp(cmd, "timerfd")) { /* CLOCK FLAGS >N */
		r = DT_CALL(s, timerfd_create, dt_num(s, a[0]),
			    dt_num(s, a[1]));
		dt_keep_fd(s, r, a, ac, out, n);
	} else if (!strcmp(cmd, "settime")) { /* FD FLAGS VALUE_NS INTERVAL_NS */
		long v = dt_num(s, a[2]), i = dt_num(s, a[3]);

		it.it_value = (struct timespec){ v / 1000000000, v % 1000000000 };
		it.it_interval = (struct timespec){ i / 1000000000, i % 1000000000 };
		memset(&old, 0xff, sizeof(old));
		r = DT_CALL(s, timerfd_settime, dt_num(s, a[0]),
			    dt_num(s, a[1]), (void *)&it, (void *)&old);
		/* The time left is not the same twice: only whether it is 0. */
		snprintf(out, n, "= %ld: old interval %ld.%09ld value %s", r,
			 (long)old.it_interval.tv_sec, old.it_interval.tv_nsec,
			 old.it_value.tv_sec || old.it_value.tv_nsec ? "set" : "0");
	} else if (!strcmp(cmd, "gettime")) {
		memset(&it, 0, sizeof(it));
		r = DT_CALL(s, timerfd_gettime, dt_num(s, a[0]), (void *)&it);
		snprintf(out, n, "= %ld: interval %ld.%09ld value %s", r,
			 (long)it.it_interval.tv_sec, it.it_interval.tv_nsec,
			 it.it_value.tv_sec || it.it_value.tv_nsec ? "set" : "0");
	} else if (!strcmp(cmd, "sleep")) { /* MS */
		usleep(dt_num(s, a[0]) * 1000);
		if (!s->host)
			shim_run_timers();
		snprintf(out, n, "slept");
	} else {
		return false;
	}
	return true;
}

/* readlink of /proc/self/fd/N, with the inode number hidden. */
static bool proc_cmd(struct dt_side *s, const char *cmd, char **a, int ac,
		     char *out, size_t n)
{
	char path[64], buf[256];
	long r;

	if (strcmp(cmd, "fdlink"))
		return false;
	snprintf(path, sizeof(path), "/proc/self/fd/%ld", dt_num(s, a[0]));
	r = DT_CALL(s, readlink, path, buf, sizeof(buf) - 1);
	buf[r > 0 ? r : 0] = 0;
	if (!strncmp(buf, s->root, strlen(s->root))) /* the scratch dir */
		memmove(buf, buf + strlen(s->root), strlen(buf + strlen(s->root)) + 1);
	if (strchr(buf, '[') && strncmp(buf, "anon", 4)) /* pipe:[ino] */
		strcpy(strchr(buf, '[') + 1, "N]");
	snprintf(out, n, "= %s", r < 0 ? "error" : buf);
	return true;
}

static bool (*const cmds[])(struct dt_side *, const char *, char **, int,
			    char *, size_t) = {
	dt_common_cmd, epoll_cmd, io_cmd, timer_cmd, proc_cmd, NULL
};

static const struct dt_suite suite = {
	.tmp_template = "/tmp/skiff-ev-XXXXXX",
	.trace_env = "ES_TRACE",
	.names = names,
	.nr_names = ARRAY_SIZE(names),
	.cmds = cmds,
};

static int setup(void **state)
{
	return dt_setup(&suite);
}

/* Level-triggered items, their order, and the errors of epoll_ctl. */
static void test_epoll_level(void **state)
{
	static const char *const script[] = {
		"epoll_create 0 >0", "epoll_create -1 >0",
		"epoll_create1 O_NONBLOCK >0", "epoll_create1 O_CLOEXEC >0",
		"fcntl $0 F_GETFL 0",
		"pipe 0 >1", "eventfd 0 0 >3", "eventfd 0 0 >4",
		"ctl $0 ADD $1 EPOLLIN 11", "ctl $0 ADD $1 EPOLLIN 11",
		"ctl $0 ADD $3 EPOLLIN 33", "ctl $0 ADD $4 EPOLLIN|EPOLLOUT 44",
		"ctl $0 ADD $0 EPOLLIN 0", "ctl $0 ADD 999 EPOLLIN 0",
		"ctl 999 ADD $1 EPOLLIN 0", "ctl $1 ADD $3 EPOLLIN 0",
		"ctl $0 7 $1 EPOLLIN 0", "ctl $0 MOD $2 EPOLLIN 0",
		"ctl $0 DEL $2", "ctl $0 ADD $2 EPOLLIN|EPOLLEXCLUSIVE 22",
		"ctl $0 MOD $2 EPOLLOUT 22", "ctl $0 DEL $2",
		"ctl $0 ADD $2 EPOLLIN|EPOLLEXCLUSIVE|EPOLLONESHOT 22",
		"ctl $0 ADD $2 EPOLLIN|EPOLLEXCLUSIVE|EPOLLRDHUP 22",
		"ctl $0 ADD $2 EPOLLOUT|EPOLLEXCLUSIVE|EPOLLET 22",
		"ctl $0 MOD $2 EPOLLOUT|EPOLLEXCLUSIVE 22",
		"wait $0 8", "wait $0 0", "wait $0 -1", "wait $3 8",
		"add $3 5", "wait $0 8", "write $2 abc", "wait $0 8",
		"wait $0 1", "wait $0 1", "wait $0 8",
		"take $3 8", "wait $0 8", "read $1 100", "wait $0 8",
		"ctl $0 MOD $4 EPOLLIN 45", "wait $0 8", "add $4 1",
		"wait $0 8", "ctl $0 DEL $4", "wait $0 8",
		"close $2", "wait $0 8", "poll $1 POLLIN",
		NULL,
	};

	dt_run_script("level", script);
}

/* Edge-triggered and one-shot items: reported again only after a new
 * notification, or after EPOLL_CTL_MOD. */
static void test_epoll_edge(void **state)
{
	static const char *const script[] = {
		"epoll_create1 0 >0", "pipe O_NONBLOCK >1", "eventfd 0 0 >3",
		"ctl $0 ADD $1 EPOLLIN|EPOLLET 11",
		"ctl $0 ADD $2 EPOLLOUT|EPOLLET 22",
		"ctl $0 ADD $3 EPOLLIN|EPOLLOUT|EPOLLET 33",
		"wait $0 8", "wait $0 8",
		"write $2 a", "wait $0 8", "wait $0 8",
		"write $2 b", "wait $0 8", "read $1 1", "wait $0 8",
		"read $1 8", "wait $0 8",
		"writen $2 65536", "wait $0 8", "writen $2 1", "read $1 10",
		"wait $0 8", "read $1 4096", "wait $0 8", "read $1 65536",
		"wait $0 8",
		"add $3 2", "wait $0 8", "wait $0 8", "take $3 8", "wait $0 8",
		"ctl $0 MOD $3 EPOLLOUT|EPOLLONESHOT 34", "wait $0 8",
		"wait $0 8", "add $3 1", "wait $0 8",
		"ctl $0 MOD $3 EPOLLIN|EPOLLONESHOT 35", "wait $0 8",
		"close $1", "wait $0 8", "write $2 x",
		NULL,
	};

	dt_run_script("edge", script);
}

/* An epoll instance inside another, and the loop check. */
static void test_epoll_nested(void **state)
{
	static const char *const script[] = {
		"epoll_create1 0 >0", "epoll_create1 0 >1", "eventfd 0 0 >2",
		"ctl $1 ADD $2 EPOLLIN 22", "ctl $0 ADD $1 EPOLLIN 11",
		"ctl $1 ADD $0 EPOLLIN 0", "poll $1 POLLIN", "wait $0 8",
		"add $2 1", "poll $1 POLLIN|POLLOUT", "wait $0 8",
		"wait $1 8", "take $2 8", "poll $1 POLLIN", "wait $0 8",
		"ctl $0 ADD $1 EPOLLIN|EPOLLEXCLUSIVE 0",
		NULL,
	};

	dt_run_script("nested", script);
}

/* eventfd: counter, semaphore mode, limits, bad lengths, poll. */
static void test_eventfd(void **state)
{
	static const char *const script[] = {
		"eventfd 0 4 >0", "eventfd 3 O_NONBLOCK|O_CLOEXEC >0",
		"fcntl $0 F_GETFL 0", "poll $0 POLLIN|POLLOUT|POLLRDNORM",
		"take $0 8", "take $0 8", "take $0 7", "take $0 16",
		"add $0 0xfffffffffffffffe", "poll $0 POLLIN|POLLOUT",
		"add $0 1", "add $0 0xffffffffffffffff", "take $0 8",
		"add $0 0xfffffffffffffffe", "add $0 1", "take $0 8",
		"eventfd 2 O_NONBLOCK|EFD_SEMAPHORE >1", "take $1 8",
		"take $1 8", "take $1 8", "add $1 7", "take $1 8",
		"fdlink $0",
		NULL,
	};

	dt_run_script("eventfd", script);
}

/* FIFOs: opens that would wait, O_NONBLOCK opens, data, EOF, links. */
static void test_fifo(void **state)
{
	static const char *const script[] = {
		"mkfifo f", "mkfifo f", "open f O_WRONLY|O_NONBLOCK >0",
		"open f O_RDONLY|O_NONBLOCK >0", "poll $0 POLLIN",
		"read $0 10", "open f O_WRONLY >1", "poll $0 POLLIN",
		"poll $1 POLLOUT", "write $1 hello", "poll $0 POLLIN",
		"read $0 3", "read $0 10", "read $0 10", "close $1",
		"poll $0 POLLIN", "read $0 10", "open f O_RDWR >2",
		"write $2 xy", "read $0 10", "fdlink $1", "pipe 0 >3",
		"fdlink $3", "fdlink $4",
		NULL,
	};

	dt_run_script("fifo", script);
}

/* timerfd: arming, expirations, errors; nothing depends on timing but
 * that a 1 ms timer has fired 200 ms later. */
static void test_timerfd(void **state)
{
	static const char *const script[] = {
		"timerfd 99 0 >0", "timerfd CLOCK_MONOTONIC 4 >0",
		"timerfd CLOCK_MONOTONIC O_NONBLOCK >0", "fcntl $0 F_GETFL 0",
		"gettime $0", "take $0 8", "take $0 4", "poll $0 POLLIN",
		"settime $0 0 1000000 0", "sleep 200", "poll $0 POLLIN",
		"take $0 8", "take $0 8", "gettime $0",
		"settime $0 0 5000000000 1000000000", "gettime $0",
		"settime $0 0 0 0", "gettime $0", "settime $0 4 1 0",
		"settime $0 0 -1 0", "settime $0 0 1000000000 0",
		"settime 999 0 1 0", "eventfd 0 0 >1", "settime $1 0 1 0",
		"gettime $1", "timerfd CLOCK_REALTIME O_NONBLOCK >2",
		"settime $2 TFD_TIMER_ABSTIME 1000000000 0", "sleep 20",
		"take $2 8", "epoll_create1 0 >3", "ctl $3 ADD $0 EPOLLIN 7",
		"settime $0 0 1000000 0", "wait $3 8", "sleep 200",
		"wait $3 8", "fdlink $0",
		NULL,
	};

	dt_run_script("timerfd", script);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoll_level),
		cmocka_unit_test(test_epoll_edge),
		cmocka_unit_test(test_epoll_nested),
		cmocka_unit_test(test_eventfd),
		cmocka_unit_test(test_fifo),
		cmocka_unit_test(test_timerfd),
	};

	return cmocka_run_group_tests(tests, setup, dt_teardown);
}

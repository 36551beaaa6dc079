/*
 * prctl_name: thread names: PR_GET_NAME starts as the program's name cut
 * to 15 bytes; PR_SET_NAME changes it, /proc/self/comm and
 * /proc/self/task/TID/comm read it back, longer names are cut to 15;
 * pthread_setname_np on another thread shows in that thread's comm only;
 * unknown options are EINVAL.
 */
#include <libgen.h>
#include <pthread.h>
#include <sys/prctl.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static volatile long worker_tid;
static volatile int quit;

static void *worker(void *arg)
{
	worker_tid = SYS(SYS_gettid);
	while (!quit)
		sleep_ms(1);
	return arg;
}

static const char *comm(const char *path)
{
	static char buf[64];
	int fd = open(path, O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return n < 0 ? "(unreadable)" : buf;
}

int main(int argc, char **argv)
{
	char name[32] = "", want[16], path[64], tpath[64];
	pthread_t t;

	(void)argc;
	snprintf(want, sizeof(want), "%s", basename(argv[0]));
	SHOW(prctl(PR_GET_NAME, name));
	yes("  starts as the program's name, 15 bytes at most", strcmp(name, want) == 0);
	SHOW(prctl(PR_SET_NAME, "worker-one"));
	prctl(PR_GET_NAME, name);
	say("  PR_GET_NAME: %s", name);
	say("  /proc/self/comm: %s", comm("/proc/self/comm"));
	snprintf(path, sizeof(path), "/proc/self/task/%ld/comm", SYS(SYS_gettid));
	say("  /proc/self/task/TID/comm: %s", comm(path));
	SHOW(prctl(PR_SET_NAME, "a-name-longer-than-fifteen"));
	prctl(PR_GET_NAME, name);
	say("  cut to: %s", name);

	pthread_create(&t, NULL, worker, NULL);
	WAIT_FOR(worker_tid != 0);
	snprintf(tpath, sizeof(tpath), "/proc/self/task/%ld/comm", worker_tid);
	say("new thread inherits: %s", comm(tpath));
	say("pthread_setname_np = %s", rcname(pthread_setname_np(t, "other")));
	say("  the thread's comm: %s", comm(tpath));
	say("  main's comm: %s", comm(path));
	say("pthread_setname_np too long = %s",
	    rcname(pthread_setname_np(t, "sixteen-chars-xx")));
	quit = 1;
	pthread_join(t, NULL);
	SHOW(prctl(12345, 0, 0, 0, 0));
	return 0;
}

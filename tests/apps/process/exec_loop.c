/*
 * exec_loop: a program execs itself 100 times in a row, each image
 * touching a few MiB and leaving a thread and open files behind, so
 * each exec frees a full address space, ends a thread and closes
 * close-on-exec fds. The last image reports how many fds it has more
 * than the first had (one kept every ten images): no fd leaked or
 * vanished.
 */
#include <pthread.h>
#include "check.h"

static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own fd */
}

int main(int argc, char **argv)
{
	int left = argc > 2 ? atoi(argv[1]) : 100;
	int first = argc > 2 ? atoi(argv[2]) : count_fds();
	char next[16], fds[16];
	pthread_t t;

	if (left == 0) {
		say("done: %d fds more than at first", count_fds() - first);
		return 0;
	}
	char *mem = malloc(4 << 20);
	memset(mem, left, 4 << 20);
	pthread_create(&t, NULL, idle, NULL);
	open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (left % 10 == 0) /* one fd kept every ten images */
		open("/proc/self/exe", O_RDONLY);
	snprintf(next, sizeof(next), "%d", left - 1);
	snprintf(fds, sizeof(fds), "%d", first);
	execv("/proc/self/exe", (char *[]){ argv[0], next, fds, NULL });
	say("execv: %s", errname(errno));
	return 1;
}

/*
 * exec_thread: execve from a thread other than the first, while the other
 * threads sleep in a syscall, wait on a futex, or spin in program code.
 * The new image has one thread, whose tid is the pid, and the pid is the
 * old one.
 */
#include <pthread.h>
#include "check.h"

static char self[4096];
static char pidarg[32];
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static volatile int spinning;

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		sleep(100);
	return NULL;
}

static void *waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	for (;;)
		pthread_cond_wait(&cv, &m);
	return NULL;
}

static void *spinner(void *arg)
{
	(void)arg;
	for (;;)
		spinning++;
	return NULL;
}

static void *execer(void *arg)
{
	(void)arg;
	while (spinning < 1000)
		;
	fflush(stdout);
	execve(self, (char *[]){ "x", "child", pidarg, NULL }, (char *[]){ NULL });
	say("execve: %s", errname(errno));
	exit(3);
}

static int count_tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	pthread_t t[4];

	if (argc > 2 && !strcmp(argv[1], "child")) {
		yes("pid kept", getpid() == atoi(argv[2]));
		yes("tid is the pid", syscall(SYS_gettid) == getpid());
		say("threads: %d", count_tasks());
		/* threads work in the new image */
		pthread_create(&t[0], NULL, sleeper, NULL);
		say("threads after pthread_create: %d", count_tasks());
		return 5;
	}
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return 1;
	self[n] = '\0';
	snprintf(pidarg, sizeof(pidarg), "%d", getpid());
	say("threads before: 5");
	pthread_create(&t[0], NULL, sleeper, NULL);
	pthread_create(&t[1], NULL, waiter, NULL);
	pthread_create(&t[2], NULL, spinner, NULL);
	pthread_create(&t[3], NULL, execer, NULL);
	for (;;)
		pause();
}

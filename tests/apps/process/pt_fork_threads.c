/*
 * pt_fork_threads: fork in a multithreaded program. Three threads block
 * in read on a pipe and one spins, counting; the main thread forks: in
 * the child only the caller exists (/proc/self/task has one entry, and
 * the spinner's count does not move while the child sleeps), getpid
 * equals gettid, malloc and stdio work (glibc's and
 * musl's fork handlers), a new thread can be made and joined; the
 * parent's threads are untouched. Then a thread other than the main one
 * forks: in the child that thread is the only one, and its exit (with
 * exit()) ends the child with the status it gives.
 */
/* NEEDS: fork */
#include "check.h"
#include "pt.h"
#include <pthread.h>

#define N 3

static int tp[2];
static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static volatile int started, stop;
static volatile long spins;

static void *spinner(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
	while (!stop)
		__atomic_fetch_add(&spins, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void *reader(void *arg)
{
	char c;

	(void)arg;
	__atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
	read(tp[0], &c, 1);
	return NULL;
}

static void *child_thread(void *arg)
{
	return (char *)arg + 1;
}

static int tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void *forker(void *arg)
{
	pid_t pid;

	(void)arg;
	pthread_mutex_lock(&mtx);	/* held across fork: the child unlocks its copy */
	pid = pt_fork();
	if (pid == 0) {
		int ok = tasks() == 1 && getpid() == (pid_t)syscall(SYS_gettid);

		pthread_mutex_unlock(&mtx);
		exit(ok ? 21 : 22);
	}
	pthread_mutex_unlock(&mtx);
	return strdup(pt_reap(pid));
}

int main(void)
{
	pthread_t th[N], sp, f;
	int res[2];
	pid_t pid;
	void *ret;

	if (pipe(tp) || pipe(res))
		return 1;
	for (int i = 0; i < N; i++)
		pthread_create(&th[i], NULL, reader, NULL);
	pthread_create(&sp, NULL, spinner, NULL);
	WAIT_FOR(__atomic_load_n(&started, __ATOMIC_SEQ_CST) == N + 1);
	say("threads in the parent: %d", tasks());
	pid = pt_fork();
	if (pid == 0) {
		char msg[160];
		pthread_t t;
		void *r = NULL;
		long s0 = __atomic_load_n(&spins, __ATOMIC_RELAXED);

		sleep_ms(20);
		int still = __atomic_load_n(&spins, __ATOMIC_RELAXED) == s0;
		char *m = malloc(1000);

		int made = pthread_create(&t, NULL, child_thread, (void *)msg);

		if (!made)
			pthread_join(t, &r);
		snprintf(msg, sizeof(msg), "tasks %d, pid is tid %s, spinner stopped %s, malloc %s, new thread %s",
			 tasks(), getpid() == (pid_t)syscall(SYS_gettid) ? "yes" : "no",
			 still ? "yes" : "no",
			 m ? "ok" : "failed", !made && r == msg + 1 ? "ok" : rcname(made));
		write(res[1], msg, strlen(msg));
		_exit(0);
	}
	char msg[160] = "";
	ssize_t n = read(res[0], msg, sizeof(msg) - 1);

	msg[n > 0 ? n : 0] = 0;
	say("child: %s", msg);
	say("child: %s", pt_reap(pid));
	say("threads in the parent after fork: %d", tasks());
	write(tp[1], "abc", N);
	stop = 1;
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	pthread_join(sp, NULL);
	say("parent's threads joined");

	pthread_create(&f, NULL, forker, NULL);
	pthread_join(f, &ret);
	say("fork from a second thread, child (one task, pid is tid): %s", (char *)ret);
	free(ret);
	return 0;
}

/*
 * tests/skiff/inst_prog.c: the program of tests/skiff/instances.sh, run as
 * a detached instance (static, so that its image is small).
 *   inst_prog term      prints "ready"; SIGTERM's handler prints "got
 *                       SIGTERM" and exits 3; SIGUSR1's prints "got SIGUSR1"
 *   inst_prog ignore    prints "ready" and ignores SIGTERM
 *   inst_prog count N [MS]  prints 1..N, one a line every MS ms (default
 *                       50), then exits 0
 *   inst_prog serve P   prints "ready", answers each TCP connection on port
 *                       P with "hello from skiff"
 *   inst_prog both      "out N" on stdout and "err N" on stderr, in turn
 *   inst_prog clock     "count N RT MONO L" every 100 ms (N from 1, RT the
 *                       CLOCK_REALTIME seconds, MONO CLOCK_MONOTONIC ms,
 *                       L the lines of /tmp/clock.log read by its path,
 *                       to which each tick appends a line through one fd
 *                       kept open: L = N while the file and fd are whole);
 *                       one thread sleeps until CLOCK_REALTIME start+10 s
 *                       (TIMER_ABSTIME) and prints "woke realtime", one
 *                       sleeps 10 s and prints "woke monotonic"
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void say(const char *s)
{
	if (write(1, s, strlen(s)) < 0)
		_exit(1);
}

static void on_signal(int signo)
{
	if (signo == SIGTERM) {
		say("got SIGTERM\n");
		_exit(3);
	}
	say("got SIGUSR1\n");
}

static int serve(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1, c;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(s, 8)) {
		perror("serve");
		return 1;
	}
	say("ready\n");
	while ((c = accept(s, NULL, NULL)) >= 0) {
		static const char msg[] = "hello from skiff\n";

		if (write(c, msg, sizeof(msg) - 1) < 0)
			perror("write");
		close(c);
	}
	return 1;
}

static struct timespec clock_start;

static void *sleeper(void *arg)
{
	struct timespec until = clock_start, ten = { 10, 0 };

	until.tv_sec += 10;
	if (arg)
		clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL);
	else
		nanosleep(&ten, NULL);
	say(arg ? "woke realtime\n" : "woke monotonic\n");
	return NULL;
}

/* The lines of the file path, read whole (-1 if it cannot be read). */
static long count_lines(const char *path)
{
	char buf[4096];
	long lines = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return n < 0 ? -1 : lines;
}

static __attribute__((noreturn)) void clock_mode(void)
{
	struct timespec tick = { 0, 100000000 }, rt, mono;
	int fd = open("/tmp/clock.log", O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0600);
	pthread_t t1, t2;
	char line[96];

	clock_gettime(CLOCK_REALTIME, &clock_start);
	pthread_create(&t1, NULL, sleeper, "rt");
	pthread_create(&t2, NULL, sleeper, NULL);
	for (long n = 1;; n++) {
		clock_gettime(CLOCK_REALTIME, &rt);
		clock_gettime(CLOCK_MONOTONIC, &mono);
		if (fd < 0 || write(fd, "tick\n", 5) != 5)
			say("clock.log: cannot write\n");
		snprintf(line, sizeof(line), "count %ld %lld %lld %ld\n", n,
			 (long long)rt.tv_sec, (long long)mono.tv_sec * 1000 +
			 mono.tv_nsec / 1000000, count_lines("/tmp/clock.log"));
		say(line);
		nanosleep(&tick, NULL);
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "term";
	struct timespec tick = { 0, 50000000 };
	char line[64];

	if (!strcmp(mode, "count") || !strcmp(mode, "both")) {
		int n = argc > 2 ? atoi(argv[2]) : 10;

		if (argc > 3)
			tick.tv_nsec = atoi(argv[3]) * 1000000l;

		for (int i = 1; i <= n; i++) {
			snprintf(line, sizeof(line), "%s %d\n",
				 mode[0] == 'c' ? "" : "out", i);
			if (mode[0] == 'b')
				fprintf(stderr, "err %d\n", i);
			say(mode[0] == 'c' ? line + 1 : line);
			nanosleep(&tick, NULL);
		}
		return 0;
	}
	if (!strcmp(mode, "clock"))
		clock_mode();
	if (!strcmp(mode, "serve"))
		return serve(argc > 2 ? atoi(argv[2]) : 8000);
	signal(SIGUSR1, on_signal);
	signal(SIGTERM, strcmp(mode, "ignore") ? on_signal : SIG_IGN);
	say("ready\n");
	for (;;)
		pause();
}

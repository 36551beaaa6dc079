/*
 * timeit: the stopwatch of `make bench` (bench/run.sh). Host program.
 *
 * Usage: timeit [-t SECONDS] [-m TEXT [-l]] [-o LOG] -- COMMAND [ARGS...]
 * Starts COMMAND (a QEMU or `skiff run` command line) in its own process
 * group with stdin from /dev/null and stdout+stderr into a pipe, and prints
 * one line:
 *   first_ms exit_ms status
 * first_ms: milliseconds from just before the fork until TEXT has arrived
 *   in the output (-1 if it never came; with no -m, the first byte of any
 *   output; with -l, only TEXT at the start of a line, the start of the
 *   output counting as one);
 * exit_ms: milliseconds until the command has exited and closed its output;
 * status: its exit status, 128+N if killed by signal N, 124 on timeout
 *   (default 60 s; the whole process group is then killed).
 * -o LOG keeps everything the command wrote. Exits 0 unless timeit itself
 * failed (then 2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t timed_out;
static pid_t child;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void on_alarm(int sig)
{
	timed_out = 1;
	kill(-child, SIGKILL);
}

static void usage(void)
{
	fprintf(stderr, "usage: timeit [-t SECONDS] [-m TEXT [-l]] [-o LOG] "
		"-- COMMAND [ARGS...]\n");
	exit(2);
}

/* In the child: own process group, /dev/null in, the pipe out. */
static void start(char **argv, int out)
{
	int null = open("/dev/null", O_RDONLY);

	setpgid(0, 0);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 ||
	    dup2(out, 2) < 0)
		_exit(127);
	execvp(argv[0], argv);
	_exit(127);
}

/*
 * Reads the command's output until EOF, returning the time at which match
 * had arrived (-1 if never). The last strlen(match) - 1
 * bytes of each chunk are kept so a match split across reads is found.
 * When match starts with a newline, the output counts as starting after one.
 */
static double watch(int in, const char *match, FILE *log, double t0)
{
	size_t mlen = strlen(match), keep = 0;
	char buf[8192 + 258];
	double first = -1;
	ssize_t n;

	if (match[0] == '\n' && mlen > 1)
		buf[keep++] = '\n';

	for (;;) {
		n = read(in, buf + keep, 8192);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return first;
		if (log)
			fwrite(buf + keep, 1, (size_t)n, log);
		if (first < 0 && (mlen == 0 ||
				  memmem(buf, keep + (size_t)n, match, mlen)))
			first = now_ms() - t0;
		keep += (size_t)n;
		if (mlen > 1 && keep >= mlen - 1) {
			memmove(buf, buf + keep - (mlen - 1), mlen - 1);
			keep = mlen - 1;
		} else if (mlen <= 1) {
			keep = 0;
		}
	}
}

int main(int argc, char **argv)
{
	const char *match = "", *logpath = NULL;
	char line_match[258];
	int at_line = 0;
	unsigned timeout = 60;
	FILE *log = NULL;
	double t0, first, done;
	int opt, fds[2], st;

	while ((opt = getopt(argc, argv, "+t:m:lo:")) != -1) {
		if (opt == 't')
			timeout = (unsigned)atoi(optarg);
		else if (opt == 'm')
			match = optarg;
		else if (opt == 'l')
			at_line = 1;
		else if (opt == 'o')
			logpath = optarg;
		else
			usage();
	}
	if (optind >= argc || strlen(match) > 256 || (at_line && !*match))
		usage();
	if (at_line) {
		snprintf(line_match, sizeof(line_match), "\n%s", match);
		match = line_match;
	}
	if (logpath && !(log = fopen(logpath, "w")))
		return perror(logpath), 2;
	if (pipe(fds))
		return perror("pipe"), 2;
	signal(SIGALRM, on_alarm);
	t0 = now_ms();
	child = fork();
	if (child < 0)
		return perror("fork"), 2;
	if (child == 0)
		start(argv + optind, fds[1]);
	setpgid(child, child);
	close(fds[1]);
	alarm(timeout);
	first = watch(fds[0], match, log, t0);
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return perror("waitpid"), 2;
	done = now_ms() - t0;
	alarm(0);
	if (log)
		fclose(log);
	if (timed_out)
		st = 124;
	else if (WIFSIGNALED(st))
		st = 128 + WTERMSIG(st);
	else
		st = WEXITSTATUS(st);
	printf("%.1f %.1f %d\n", first, done, st);
	return 0;
}

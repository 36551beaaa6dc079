/*
 * pt_pipe: pipes between processes. Parent to child: 256 KiB through a
 * pipe (more than its capacity, so both block in turn), the child's sum
 * sent back on a second pipe; end of file only once every write end is
 * closed (the child closes its copy); EPIPE with SIGPIPE ignored, and
 * death by SIGPIPE by default, when the reader is gone. A pipeline of
 * three exec'd stages wired with dup2, as a shell does: gen | upper |
 * count, the parent reading the last stage's output.
 */
/* NEEDS: fork */
#include "check.h"
#include "pt.h"
#include <ctype.h>

#define TOTAL (256 * 1024)

static int stage(const char *mode)
{
	char buf[4096];
	ssize_t n;

	if (!strcmp(mode, "gen")) {
		for (int i = 0; i < 2000; i++)
			printf("line %d of the generator\n", i);
		return 0;
	}
	if (!strcmp(mode, "upper")) {
		while ((n = read(0, buf, sizeof(buf))) > 0) {
			for (ssize_t i = 0; i < n; i++)
				buf[i] = toupper((unsigned char)buf[i]);
			pt_write_all(1, buf, n);
		}
		return 0;
	}
	if (!strcmp(mode, "count")) {
		long lines = 0, bytes = 0, upper = 0;

		while ((n = read(0, buf, sizeof(buf))) > 0) {
			bytes += n;
			for (ssize_t i = 0; i < n; i++) {
				lines += buf[i] == '\n';
				upper += isupper((unsigned char)buf[i]) != 0;
			}
		}
		printf("count: %ld lines, %ld bytes, %ld capitals\n", lines, bytes, upper);
		return 0;
	}
	return 100;
}

/* Forks a stage: in on 0, out on 1, every other pipe end closed. */
static pid_t spawn_stage(const char *mode, int in, int out, int *all, int nall)
{
	pid_t pid = pt_fork();

	if (pid == 0) {
		if (in >= 0)
			dup2(in, 0);
		if (out >= 0)
			dup2(out, 1);
		for (int i = 0; i < nall; i++)
			close(all[i]);
		pt_exec_self(mode, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* The child: reads down to end of file, sends the count and hash up. */
static void hash_child(int down[2], int up[2])
{
	unsigned long sum = 0, got = 0;
	unsigned char buf[1000];
	char msg[64];
	ssize_t n;

	close(down[1]);
	close(up[0]);
	while ((n = read(down[0], buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			sum = sum * 31 + buf[i];
		got += n;
	}
	snprintf(msg, sizeof(msg), "%lu bytes, hash %lx", got, sum);
	pt_write_all(up[1], msg, strlen(msg));
	_exit(0);
}

/* 256 KiB from the parent to a child, its hash back on a second pipe. */
static void bulk(void)
{
	static unsigned char data[TOTAL];
	char msg[64] = "", want[64];
	unsigned long sum = 0;
	int down[2], up[2];
	pid_t pid;

	if (pipe(down) || pipe(up))
		exit(1);
	pid = pt_fork();
	if (pid == 0)
		hash_child(down, up);
	close(down[0]);
	close(up[1]);
	for (int i = 0; i < TOTAL; i++) {
		data[i] = (unsigned char)(i * 7 + i / 4096);
		sum = sum * 31 + data[i];
	}
	yes("wrote 256 KiB", pt_write_all(down[1], data, TOTAL) == 0);
	close(down[1]);	/* the child's EOF */
	ssize_t n = pt_read_all(up[0], msg, sizeof(msg) - 1);

	msg[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof(want), "%d bytes, hash %lx", TOTAL, sum);
	say("child read: %s", strncmp(msg, want, sizeof(want)) ? msg : "everything, same hash");
	say("child: %s", pt_reap(pid));
	close(up[0]);
}

/* The reader gone: EPIPE when SIGPIPE is ignored, else death by it. */
static void no_reader(void)
{
	int p[2];
	pid_t pid;

	for (int ign = 1; ign >= 0; ign--) {
		if (pipe(p))
			exit(1);
		pid = pt_fork();
		if (pid == 0)
			_exit(0);
		close(p[0]);
		pt_reap(pid);
		pid = pt_fork();
		if (pid == 0) {
			signal(SIGPIPE, ign ? SIG_IGN : SIG_DFL);
			ssize_t r = write(p[1], "x", 1);

			_exit(r < 0 ? (errno == EPIPE ? 32 : 1) : 0);
		}
		close(p[1]);
		say("write with no reader, SIGPIPE %s: %s", ign ? "ignored" : "default",
		    pt_reap(pid));
	}
}

/* gen | upper | count, the parent reading count's output. */
static void pipeline(void)
{
	int p1[2], p2[2], p3[2];
	char msg[64] = "";

	if (pipe(p1) || pipe(p2) || pipe(p3))
		exit(1);
	int all[] = { p1[0], p1[1], p2[0], p2[1], p3[0], p3[1] };
	pid_t a = spawn_stage("gen", -1, p1[1], all, 6);
	pid_t b = spawn_stage("upper", p1[0], p2[1], all, 6);
	pid_t c = spawn_stage("count", p2[0], p3[1], all, 6);

	for (int i = 0; i < 6; i++)
		if (all[i] != p3[0])
			close(all[i]);
	ssize_t n = pt_read_all(p3[0], msg, sizeof(msg) - 1);

	msg[n > 0 ? n : 0] = 0;
	close(p3[0]);
	printf("pipeline said: %s", msg);
	say("stage gen: %s", pt_reap(a));
	say("stage upper: %s", pt_reap(b));
	say("stage count: %s", pt_reap(c));
}

int main(int argc, char **argv)
{
	if (argc >= 2)
		return stage(argv[1]);
	bulk();
	no_reader();
	pipeline();
	return 0;
}

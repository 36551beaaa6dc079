/*
 * splice: splice(2) and tee(2) between files and pipes through the raw
 * system calls: file -> pipe -> file with and without offsets (the
 * offsets and the file positions after), pipe -> pipe, tee (the input
 * keeps its bytes), SPLICE_F_NONBLOCK and O_NONBLOCK on an empty and a
 * full pipe, end of file, len 0, a spliced page that later writes do not
 * merge into, the pipe's ring wrapping around, waits for data and room
 * (EINTR from a signal, room made by a thread), a transfer of several MB
 * with a checksum, and every error (EBADF, EINVAL, ESPIPE, EFAULT, EPIPE).
 */
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>

#define SYS(...) syscall(__VA_ARGS__)
#define NB SPLICE_F_NONBLOCK

static char big[8192];

static void make_file(const char *name, size_t len, unsigned seed)
{
	int fd = open(name, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	char buf[4096];

	for (size_t done = 0; done < len;) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = (char)((done + i) * 131 + seed + (done + i) / 7);
		if (write(fd, buf, n) != (ssize_t)n)
			say("make_file: write failed");
		done += n;
	}
	close(fd);
}

static uint64_t sum_fd(int fd, off_t *len)
{
	uint64_t h = 1469598103934665603ull;
	char buf[8192];
	ssize_t n;

	*len = 0;
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ (unsigned char)buf[i]) * 1099511628211ull;
		*len += n;
	}
	return h;
}

static void same_files(const char *label, const char *a, const char *b)
{
	int fa = open(a, O_RDONLY), fb = open(b, O_RDONLY);
	off_t la, lb;
	uint64_t ha = sum_fd(fa, &la), hb = sum_fd(fb, &lb);

	say("  %s: %lld and %lld bytes, same sum: %s", label, (long long)la,
	    (long long)lb, ha == hb ? "yes" : "no");
	close(fa);
	close(fb);
}

static void errors(void)
{
	int p[2], q[2], f, ro, ev, dir;
	loff_t off = 0, neg = -1;

	say("errors");
	SHOW(pipe(p));
	SHOW(pipe(q));
	make_file("in", 100, 1);
	f = open("in", O_RDWR);
	ro = open("in", O_RDONLY);
	SHOW(SYS(SYS_splice, 99, NULL, 98, NULL, 0, 0));
	SHOW(SYS(SYS_splice, p[0], NULL, q[1], NULL, 0, 0x100));
	SHOW(SYS(SYS_splice, p[0], NULL, q[1], NULL, 1, 0x10));
	SHOW(SYS(SYS_splice, 99, NULL, q[1], NULL, 1, 0));
	SHOW(SYS(SYS_splice, p[0], NULL, 99, NULL, 1, 0));
	SHOW(SYS(SYS_splice, f, NULL, ro, NULL, 1, 0));
	SHOW(SYS(SYS_splice, f, NULL, f, NULL, 1, 0));
	SHOW(SYS(SYS_splice, p[0], &off, f, NULL, 1, 0));
	SHOW(SYS(SYS_splice, f, NULL, p[1], &off, 1, 0));
	SHOW(SYS(SYS_splice, p[0], &off, q[0], NULL, 1, 0));
	SHOW(SYS(SYS_splice, p[1], NULL, f, NULL, 1, 0));
	SHOW(SYS(SYS_splice, f, NULL, p[0], NULL, 1, 0));
	SHOW(SYS(SYS_splice, p[0], NULL, ro, NULL, 1, 0));
	SHOW(SYS(SYS_splice, p[0], NULL, p[1], NULL, 1, 0));
	SHOW(SYS(SYS_splice, f, (loff_t *)8, p[1], NULL, 1, 0));
	SHOW(SYS(SYS_splice, p[0], NULL, f, (loff_t *)8, 1, 0));
	SHOW(SYS(SYS_splice, f, &neg, p[1], NULL, 1, 0));
	SHOW(SYS(SYS_splice, p[0], NULL, f, &neg, 1, 0));
	SHOW(SYS(SYS_splice, f, NULL, p[1], NULL, SIZE_MAX, 0));
	SHOW(SYS(SYS_splice, p[0], NULL, f, NULL, SIZE_MAX, 0));
	SHOW(SYS(SYS_splice, p[0], NULL, q[1], NULL, SIZE_MAX, NB));
	off = INT64_MAX - 2;
	SHOW(SYS(SYS_splice, f, &off, p[1], NULL, 10, 0));
	SHOW(SYS(SYS_splice, p[0], NULL, f, &off, 10, 0));
	off = 0;
	ev = eventfd(0, EFD_NONBLOCK);
	SHOW(SYS(SYS_splice, ev, NULL, p[1], NULL, 8, NB));
	dir = open(".", O_RDONLY | O_DIRECTORY);
	SHOW(SYS(SYS_splice, dir, NULL, p[1], NULL, 8, NB));
	close(f);
	f = open("in", O_WRONLY | O_APPEND);
	SHOW(SYS(SYS_write, p[1], "x", 1));
	SHOW(SYS(SYS_splice, p[0], NULL, f, NULL, 1, 0));
	SHOW(SYS(SYS_splice, p[0], NULL, f, &off, 1, 0));

	say("tee errors");
	SHOW(SYS(SYS_tee, p[0], q[1], 0, 0x10));
	SHOW(SYS(SYS_tee, 99, 98, 0, 0));
	SHOW(SYS(SYS_tee, 99, q[1], 1, 0));
	SHOW(SYS(SYS_tee, p[0], 99, 1, 0));
	SHOW(SYS(SYS_tee, p[0], p[1], 1, 0));
	SHOW(SYS(SYS_tee, p[1], q[1], 1, 0));
	SHOW(SYS(SYS_tee, p[0], q[0], 1, 0));
	SHOW(SYS(SYS_tee, ro, q[1], 1, 0));
	SHOW(SYS(SYS_tee, p[0], f, 1, 0));
	close(f);
	close(ro);
	close(ev);
	close(dir);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

static void files(void)
{
	int p[2], in, out;
	loff_t oi = 100, oo = 7;
	char buf[16];

	say("file -> pipe -> file");
	make_file("in", 10000, 2);
	SHOW(pipe(p));
	in = open("in", O_RDONLY);
	out = open("out", O_CREAT | O_TRUNC | O_RDWR, 0644);
	SHOW(SYS(SYS_splice, in, NULL, p[1], NULL, 100000, 0));
	SHOW(lseek(in, 0, SEEK_CUR));
	SHOW(SYS(SYS_splice, p[0], NULL, out, NULL, 100000, 0));
	SHOW(lseek(out, 0, SEEK_CUR));
	same_files("copied", "in", "out");
	SHOW(SYS(SYS_splice, in, NULL, p[1], NULL, 100, 0));
	SHOW(SYS(SYS_splice, p[0], NULL, out, NULL, 100, NB));

	say("with offsets");
	SHOW(lseek(in, 50, SEEK_SET));
	SHOW(SYS(SYS_splice, in, &oi, p[1], NULL, 5000, 0));
	say("  off_in %lld", (long long)oi);
	SHOW(lseek(in, 0, SEEK_CUR));
	SHOW(lseek(out, 3, SEEK_SET));
	SHOW(SYS(SYS_splice, p[0], NULL, out, &oo, 3000, 0));
	say("  off_out %lld", (long long)oo);
	SHOW(lseek(out, 0, SEEK_CUR));
	SHOW(SYS(SYS_splice, p[0], NULL, out, &oo, 3000, 0));
	say("  off_out %lld", (long long)oo);
	SHOW(pread(out, buf, 4, 7));
	SHOW(pread(in, buf + 8, 4, 100));
	yes("  bytes at 7 are those of 100", !memcmp(buf, buf + 8, 4));
	oi = 10000;
	SHOW(SYS(SYS_splice, in, &oi, p[1], NULL, 10, 0));
	say("  off_in at end %lld", (long long)oi);
	close(in);
	close(out);

	say("pipe capacity and page offsets");
	make_file("big", 300000, 3);
	in = open("big", O_RDONLY);
	SHOW(SYS(SYS_splice, in, NULL, p[1], NULL, 1 << 20, 0));
	SHOW(SYS(SYS_splice, in, NULL, p[1], NULL, 1 << 20, NB));
	SHOW(SYS(SYS_read, p[0], buf, 1));
	SHOW(SYS(SYS_splice, in, NULL, p[1], NULL, 1 << 20, NB));
	SHOW(SYS(SYS_read, p[0], big, 4095));
	SHOW(SYS(SYS_splice, in, NULL, p[1], NULL, 1 << 20, NB));
	oi = 100;
	close(p[0]);
	close(p[1]);
	SHOW(pipe(p));
	SHOW(SYS(SYS_splice, in, &oi, p[1], NULL, 1 << 20, 0));
	SHOW(fcntl(p[1], F_SETPIPE_SZ, 8192));
	out = open("/dev/null", O_WRONLY);
	SHOW(SYS(SYS_splice, p[0], NULL, out, NULL, 1 << 20, 0));
	SHOW(fcntl(p[1], F_SETPIPE_SZ, 8192));
	oi = 5;
	SHOW(SYS(SYS_splice, in, &oi, p[1], NULL, 100, 0));
	SHOW(fcntl(p[1], F_SETFL, O_NONBLOCK));
	SHOW(SYS(SYS_write, p[1], "a", 1));
	SHOW(SYS(SYS_write, p[1], "b", 1));
	SHOW(SYS(SYS_write, p[1], big, 4096));
	SHOW(SYS(SYS_write, p[1], big, 4095));
	SHOW(SYS(SYS_splice, p[0], NULL, out, NULL, 1000, 0));
	SHOW(fcntl(p[0], F_GETPIPE_SZ));
	close(out);
	close(in);
	close(p[0]);
	close(p[1]);
}

static void pipes(void)
{
	int p[2], q[2], n = 0;
	char buf[64] = { 0 };

	say("pipe -> pipe");
	SHOW(pipe(p));
	SHOW(pipe(q));
	SHOW(SYS(SYS_write, p[1], "hello world", 11));
	SHOW(SYS(SYS_splice, p[0], NULL, q[1], NULL, 5, 0));
	SHOW(SYS(SYS_read, q[0], buf, sizeof(buf)));
	say("  q: \"%s\"", buf);
	memset(buf, 0, sizeof(buf));
	SHOW(SYS(SYS_splice, p[0], NULL, q[1], NULL, 100, 0));
	SHOW(SYS(SYS_splice, p[0], NULL, q[1], NULL, 100, NB));
	SHOW(SYS(SYS_read, q[0], buf, sizeof(buf)));
	say("  q: \"%s\"", buf);

	say("tee");
	memset(buf, 0, sizeof(buf));
	SHOW(SYS(SYS_write, p[1], "abcdef", 6));
	SHOW(SYS(SYS_write, p[1], "ghi", 3));
	SHOW(SYS(SYS_tee, p[0], q[1], 4, 0));
	SHOW(SYS(SYS_tee, p[0], q[1], 100, 0));
	SHOW(SYS(SYS_read, q[0], buf, sizeof(buf)));
	say("  q: \"%s\"", buf);
	memset(buf, 0, sizeof(buf));
	SHOW(SYS(SYS_read, p[0], buf, sizeof(buf)));
	say("  p: \"%s\"", buf);
	SHOW(SYS(SYS_tee, p[0], q[1], 100, NB));

	say("full output");
	SHOW(fcntl(q[1], F_SETFL, O_NONBLOCK));
	while (write(q[1], big, 1000) > 0)
		n++;
	say("  q took %d writes of 1000", n);
	SHOW(fcntl(q[1], F_SETFL, 0));
	SHOW(SYS(SYS_write, p[1], "xyz", 3));
	SHOW(SYS(SYS_splice, p[0], NULL, q[1], NULL, 3, NB));
	SHOW(SYS(SYS_tee, p[0], q[1], 3, NB));
	SHOW(fcntl(p[0], F_SETFL, O_NONBLOCK));
	SHOW(SYS(SYS_splice, p[0], NULL, q[1], NULL, 3, 0));
	SHOW(fcntl(p[0], F_SETFL, 0));
	close(q[0]);
	SHOW(SYS(SYS_splice, p[0], NULL, q[1], NULL, 3, 0));
	SHOW(SYS(SYS_tee, p[0], q[1], 3, 0));
	close(q[1]);
	SHOW(pipe(q));
	close(p[1]);
	SHOW(SYS(SYS_splice, p[0], NULL, q[1], NULL, 3, 0));
	memset(buf, 0, sizeof(buf));
	SHOW(SYS(SYS_read, q[0], buf, sizeof(buf)));
	say("  q: \"%s\"", buf);
	SHOW(SYS(SYS_splice, p[0], NULL, q[1], NULL, 3, 0));
	SHOW(SYS(SYS_tee, p[0], q[1], 3, 0));
	close(p[0]);
	close(q[0]);
	close(q[1]);
}

static void nonblock(void)
{
	int p[2], f, n = 0;
	char buf[1000];

	say("nonblocking pipe side");
	make_file("in", 100, 4);
	f = open("in", O_RDWR);
	SHOW(pipe2(p, O_NONBLOCK));
	SHOW(SYS(SYS_splice, p[0], NULL, f, NULL, 10, 0));
	SHOW(fcntl(p[0], F_SETFL, 0));
	SHOW(SYS(SYS_splice, p[0], NULL, f, NULL, 10, NB));
	while (write(p[1], buf, sizeof(buf)) > 0)
		n++;
	say("  took %d writes", n);
	SHOW(SYS(SYS_splice, f, NULL, p[1], NULL, 10, 0));
	SHOW(fcntl(p[1], F_SETFL, 0));
	SHOW(SYS(SYS_splice, f, NULL, p[1], NULL, 10, NB));
	SHOW(SYS(SYS_splice, f, NULL, p[1], NULL, 10, SPLICE_F_MOVE | NB |
		 SPLICE_F_MORE | SPLICE_F_GIFT));
	close(p[0]);
	SHOW(SYS(SYS_splice, f, NULL, p[1], NULL, 10, 0));
	close(p[1]);
	close(f);
}

static volatile int stop;
static pthread_t main_thread;

static void on_usr1(int sig)
{
	(void)sig;
}

/* Interrupts main until it sets stop: a blocked splice sees EINTR. */
static void *interrupter(void *arg)
{
	(void)arg;
	while (!stop) {
		sleep_ms(20);
		pthread_kill(main_thread, SIGUSR1);
	}
	return NULL;
}

/* Drains the pipe read end *arg after a while: a blocked splice goes on. */
static void *drainer(void *arg)
{
	static char buf[65536];
	int fd = *(int *)arg;

	sleep_ms(50);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

static void blocking(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	int p[2], f, n = 0;
	pthread_t t;
	static char buf[1000];

	say("blocking");
	make_file("in", 100, 7);
	f = open("in", O_RDWR);
	SHOW(pipe(p));
	sigaction(SIGUSR1, &sa, NULL);
	main_thread = pthread_self();
	stop = 0;
	pthread_create(&t, NULL, interrupter, NULL);
	SHOW(SYS(SYS_splice, p[0], NULL, f, NULL, 10, 0));
	stop = 1;
	pthread_join(t, NULL);
	SHOW(fcntl(p[1], F_SETFL, O_NONBLOCK));
	while (write(p[1], buf, sizeof(buf)) > 0)
		n++;
	SHOW(fcntl(p[1], F_SETFL, 0));
	say("  full after %d writes", n);
	stop = 0;
	pthread_create(&t, NULL, interrupter, NULL);
	SHOW(SYS(SYS_splice, f, NULL, p[1], NULL, 10, 0));
	stop = 1;
	pthread_join(t, NULL);
	pthread_create(&t, NULL, drainer, &p[0]);
	SHOW(SYS(SYS_splice, f, NULL, p[1], NULL, 10, 0));
	close(p[1]);
	pthread_join(t, NULL);
	close(p[0]);
	close(f);
}

/* Splices where the pipe's ring of 16 pages wraps around. */
static void wrapped(void)
{
	static char data[16 * 4096], got[16 * 4096], file[40000];
	int p[2], in, out;

	say("wrapped ring");
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 13 + i / 4096);
	make_file("wrap", sizeof(file), 6);
	in = open("wrap", O_RDONLY);
	SHOW(read(in, file, sizeof(file)));
	SHOW(lseek(in, 0, SEEK_SET));
	SHOW(pipe(p));
	SHOW(write(p[1], data, 12 * 4096));
	SHOW(read(p[0], got, 10 * 4096));
	SHOW(SYS(SYS_splice, in, NULL, p[1], NULL, sizeof(file), 0));
	SHOW(read(p[0], got, 2 * 4096));
	yes("  old bytes first", !memcmp(got, data + 10 * 4096, 2 * 4096));
	SHOW(read(p[0], got, sizeof(file)));
	yes("  then the file's", !memcmp(got, file, sizeof(file)));
	close(p[0]);
	close(p[1]);

	SHOW(pipe(p));
	SHOW(write(p[1], data, 12 * 4096));
	SHOW(read(p[0], got, 10 * 4096));
	SHOW(write(p[1], data, 6 * 4096));
	out = open("out", O_CREAT | O_TRUNC | O_RDWR, 0644);
	SHOW(SYS(SYS_splice, p[0], NULL, out, NULL, 1 << 20, 0));
	SHOW(pread(out, got, sizeof(got), 0));
	yes("  out has both parts in order",
	    !memcmp(got, data + 10 * 4096, 2 * 4096) &&
		    !memcmp(got + 2 * 4096, data, 6 * 4096));
	close(in);
	close(out);
	close(p[0]);
	close(p[1]);
}

static void large(void)
{
	int p[2], in, out;
	long total = 0, calls = 0;

	say("large transfer");
	make_file("big", 5 * 1024 * 1024 + 123, 5);
	in = open("big", O_RDONLY);
	out = open("out", O_CREAT | O_TRUNC | O_RDWR, 0644);
	SHOW(pipe(p));
	for (;;) {
		ssize_t n = syscall(SYS_splice, in, NULL, p[1], NULL, 200000, 0);

		if (n <= 0) {
			SHOW(n);
			break;
		}
		while (n > 0) {
			ssize_t w = syscall(SYS_splice, p[0], NULL, out, NULL, n,
					    0);
			if (w <= 0) {
				SHOW(w);
				break;
			}
			n -= w;
			total += w;
		}
		calls++;
	}
	say("  %ld bytes in %ld calls", total, calls);
	same_files("big", "big", "out");
	close(in);
	close(out);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	scratch_enter("splice");
	errors();
	files();
	pipes();
	nonblock();
	wrapped();
	blocking();
	large();
	scratch_leave();
	return 0;
}

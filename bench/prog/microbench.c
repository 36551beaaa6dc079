/*
 * microbench: the static Linux program of `make bench`, run unchanged as the
 * program of a Skiff VM and as /init of the Linux guest (bench/linux/).
 *
 * Layer: bench/, an ordinary Linux x86_64 program (glibc, static), not part
 * of Skiff. Built by bench/run.sh as build/bench/microbench.
 *
 * Usage: microbench [--poweroff] [--tsc-khz=N] [--quick] MODE...
 *   hello      print "hello from microbench" (the boot benchmark's program)
 *   calibrate  print the TSC rate in kHz ("tsc_khz 2000000"), run on the host
 *   null       getppid() in a loop                 null_syscall_ns
 *   thread     pthread_create + pthread_join       thread_create_join_us
 *   ctxsw      two threads ping-pong over pipes    ctx_switch_ns
 *   mmap       mmap + touch + munmap of 64 MiB     mmap_touch_munmap_64m_ms
 *   file       write then read 64 MiB in /         file_write_64m_ms,
 *                                                  file_read_64m_ms
 *   proc       fork + exit + wait, vfork + exec    fork_exit_wait_us,
 *              of itself + wait, 64 MiB through a  vfork_exec_wait_us,
 *              pipe between processes, two         pipe_proc_mb_s,
 *              processes ping-pong over pipes      ctx_switch_proc_ns
 *              (procbench.c)
 *   true       nothing: what vfork_exec_wait_us execs
 *   all        every measurement above, in that order
 *   areas      page fault, read(2), 10 / 10000 areas   fault_areas_N_ns,
 *                                                  read_areas_N_ns
 *   epoll      epoll_wait, 1 ready of 10 / 10000   epoll_wait_fds_N_ns
 *   sleepers   futex ping-pong, 0 / 1000 sleepers  futex_pingpong_sleepers_N_ns
 *   scaling    areas, epoll and sleepers (scaling.c), in that order
 * Each measurement prints one line, "name value", the median of a few
 * repetitions after a warm-up. Times come from RDTSC converted with
 * --tsc-khz (under QEMU TCG a guest reads the host's TSC, so the driver
 * measures its rate on the host and every guest uses the same clock, whatever
 * its own clocksource); without it, from clock_gettime(CLOCK_MONOTONIC).
 * --poweroff: as /init of a Linux guest, end by writing the exit status to
 * isa-debug-exit (port 0xf4), the way Skiff ends a VM, instead of returning.
 * --quick: a quarter of the iterations. A figure that cannot be measured
 * prints "missing name reason" instead.
 * Built from microbench.c (this file: the driver and the plain measurements),
 * procbench.c (processes) and scaling.c, which share microbench.h.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "microbench.h"

#define REPS 5
#define BIG (64UL << 20)
#define CHUNK (1UL << 20)
#define DEBUG_EXIT_PORT 0xf4

static uint64_t tsc_khz;	/* 0: time with clock_gettime instead */
unsigned long scale = 4;	/* iterations are multiples of this */

/* Writes one formatted line with a single write(2): no stdio buffering, so
 * nothing is lost when the VM powers off right after. */
void out(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && write(1, buf, (size_t)n) < 0)
		exit(3);
}

static void die(const char *what)
{
	out("microbench: %s failed\n", what);
	exit(2);
}

uint64_t now_ns(void)
{
	struct timespec ts;
	uint32_t lo, hi;

	if (tsc_khz) {
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		return (uint64_t)((((unsigned __int128)hi << 32 | lo) *
				   1000000) / tsc_khz);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Runs fn(iters) once to warm up, then REPS times; prints the median of
 * elapsed / per, in ns scaled down by div (1 for ns, 1000 for us, ...). */
void measure(const char *name, void (*fn)(unsigned long),
		    unsigned long iters, double per, double div)
{
	double v[REPS];
	uint64_t t0;
	int i;

	fn(iters / 4 ? iters / 4 : 1);
	for (i = 0; i < REPS; i++) {
		t0 = now_ns();
		fn(iters);
		v[i] = (double)(now_ns() - t0) / per / div;
	}
	qsort(v, REPS, sizeof(v[0]), cmp_double);
	out("%s %.1f\n", name, v[REPS / 2]);
}

static void run_null(unsigned long n)
{
	while (n--)
		if (getppid() < 0)
			die("getppid");
}

static void *thread_nop(void *arg)
{
	return arg;
}

static void run_thread(unsigned long n)
{
	pthread_t t;

	while (n--) {
		if (pthread_create(&t, NULL, thread_nop, NULL))
			die("pthread_create");
		if (pthread_join(t, NULL))
			die("pthread_join");
	}
}

struct pingpong {
	int to_peer[2];		/* main writes, peer reads */
	int to_main[2];		/* peer writes, main reads */
	unsigned long rounds;
};

static void *ctxsw_peer(void *arg)
{
	struct pingpong *pp = arg;
	unsigned long i;
	char c;

	for (i = 0; i < pp->rounds; i++) {
		if (read(pp->to_peer[0], &c, 1) != 1)
			die("peer read");
		if (write(pp->to_main[1], &c, 1) != 1)
			die("peer write");
	}
	return NULL;
}

/* One round trip is two switches on a one-CPU guest; measure() divides by
 * 2 * rounds to report one switch. */
static void run_ctxsw(unsigned long n)
{
	struct pingpong pp = { .rounds = n };
	pthread_t t;
	char c = 'x';

	if (pipe(pp.to_peer) || pipe(pp.to_main))
		die("pipe");
	if (pthread_create(&t, NULL, ctxsw_peer, &pp))
		die("pthread_create");
	while (n--) {
		if (write(pp.to_peer[1], &c, 1) != 1)
			die("write");
		if (read(pp.to_main[0], &c, 1) != 1)
			die("read");
	}
	pthread_join(t, NULL);
	close(pp.to_peer[0]);
	close(pp.to_peer[1]);
	close(pp.to_main[0]);
	close(pp.to_main[1]);
}

static void run_mmap(unsigned long n)
{
	volatile char *p;
	unsigned long off;

	while (n--) {
		p = mmap(NULL, BIG, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap");
		for (off = 0; off < BIG; off += 4096)
			p[off] = 1;
		if (munmap((void *)p, BIG))
			die("munmap");
	}
}

static char chunk[CHUNK];

static void file_bench(void)
{
	static const char path[] = "/microbench.tmp";
	double w[REPS], r[REPS];
	unsigned long off;
	uint64_t t0;
	int fd, i;

	memset(chunk, 0x5a, sizeof(chunk));
	for (i = -1; i < REPS; i++) {	/* rep -1 is the warm-up */
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			die("open");
		t0 = now_ns();
		for (off = 0; off < BIG; off += CHUNK)
			if (write(fd, chunk, CHUNK) != (ssize_t)CHUNK)
				die("write");
		if (i >= 0)
			w[i] = (double)(now_ns() - t0) / 1e6;
		if (lseek(fd, 0, SEEK_SET) != 0)
			die("lseek");
		t0 = now_ns();
		for (off = 0; off < BIG; off += CHUNK)
			if (read(fd, chunk, CHUNK) != (ssize_t)CHUNK ||
			    chunk[CHUNK - 1] != 0x5a)
				die("read");
		if (i >= 0)
			r[i] = (double)(now_ns() - t0) / 1e6;
		if (close(fd) || unlink(path))
			die("close/unlink");
	}
	qsort(w, REPS, sizeof(w[0]), cmp_double);
	qsort(r, REPS, sizeof(r[0]), cmp_double);
	out("file_write_64m_ms %.1f\n", w[REPS / 2]);
	out("file_read_64m_ms %.1f\n", r[REPS / 2]);
}

/* Host only: the TSC rate against CLOCK_MONOTONIC_RAW over 200 ms. */
static void calibrate(void)
{
	struct timespec a, b, d = { 0, 200000000 };
	uint64_t c0, c1;

	tsc_khz = 0;
	clock_gettime(CLOCK_MONOTONIC_RAW, &a);
	c0 = __builtin_ia32_rdtsc();
	nanosleep(&d, NULL);
	clock_gettime(CLOCK_MONOTONIC_RAW, &b);
	c1 = __builtin_ia32_rdtsc();
	out("tsc_khz %.0f\n", (double)(c1 - c0) * 1e6 /
	    ((double)(b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)));
}

static void bench_null(void)
{
	measure("null_syscall_ns", run_null, 50000 * scale, 50000.0 * scale, 1);
}

static void bench_thread(void)
{
	measure("thread_create_join_us", run_thread, 100 * scale,
		100.0 * scale, 1e3);
}

static void bench_ctxsw(void)
{
	measure("ctx_switch_ns", run_ctxsw, 2500 * scale, 5000.0 * scale, 1);
}

static void bench_mmap(void)
{
	measure("mmap_touch_munmap_64m_ms", run_mmap, 1, 1, 1e6);
}

static void hello(void)
{
	out("hello from microbench\n");
}

static const struct mode {
	const char *name;
	void (*run)(void);
	const char *group;	/* "all", "scaling" or NULL */
} modes[] = {
	{ "hello", hello, NULL },
	{ "calibrate", calibrate, NULL },
	{ "null", bench_null, "all" },
	{ "thread", bench_thread, "all" },
	{ "ctxsw", bench_ctxsw, "all" },
	{ "mmap", bench_mmap, "all" },
	{ "file", file_bench, "all" },
	{ "proc", bench_proc, "all" },
	{ "true", proc_true, NULL },
	{ "areas", scaling_areas, "scaling" },
	{ "epoll", scaling_epoll, "scaling" },
	{ "sleepers", scaling_sleepers, "scaling" },
};

static int run_mode(const char *name)
{
	int found = 0;
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (!strcmp(name, modes[i].name) ||
		    (modes[i].group && !strcmp(name, modes[i].group))) {
			modes[i].run();
			found = 1;
		}
	}
	return found ? 0 : -1;
}

/* isa-debug-exit turns the value v into QEMU's exit status (v << 1) | 1. */
static void power_off(int status)
{
	tcdrain(1);	/* the serial port sends what the tty still holds */
	if (ioperm(DEBUG_EXIT_PORT, 4, 1) == 0)
		outl((unsigned)status, DEBUG_EXIT_PORT);
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

/* Options first, wherever they are, so that a word the Linux kernel passes
 * on to /init cannot come between them and the modes. */
int main(int argc, char **argv)
{
	int poweroff = 0, status = 0, i;

	proc_self = argv[0];
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--poweroff"))
			poweroff = 1;
		else if (!strncmp(argv[i], "--tsc-khz=", 10))
			tsc_khz = strtoull(argv[i] + 10, NULL, 10);
		else if (!strcmp(argv[i], "--quick"))
			scale = 1;
	}
	for (i = 1; i < argc && !status; i++) {
		if (!strncmp(argv[i], "--", 2))
			continue;
		if (run_mode(argv[i])) {
			out("microbench: unknown mode %s\n", argv[i]);
			status = 1;
		}
	}
	if (poweroff)
		power_off(status);
	return status;
}

/*
 * smpbench: the SMP measurements of `make bench` (bench/smp.sh), run in
 * Skiff and in the Linux guest with 1 and 2 CPUs. Static Linux program,
 * not part of Skiff.
 *
 *   smpbench [--tsc-khz=K] [--poweroff] MODE...
 *   speedup   a CPU-bound loop (integer hashing, no memory traffic): the
 *             same total work by 1 thread, then split across 2 threads
 *                                     cpu_1thread_ms, cpu_2threads_ms
 *   pingpong  two threads hand a futex word back and forth (FUTEX_WAIT /
 *             FUTEX_WAKE), pinned to CPUs 0 and 1 when there are two (so
 *             every wake-up crosses CPUs), else both on the one CPU; the
 *             time of one hand-over          futex_pingpong_ns
 *   create    pthread_create then pthread_join of a thread that returns at
 *             once                           thread_create_join_us
 *   all       the three, in that order
 *   calibrate prints "tsc_khz K" measured against CLOCK_MONOTONIC (on the
 *             host, for --tsc-khz)
 * Each figure is the median of 5 repetitions after a warm-up, one line
 * "name value". Times come from RDTSC converted with --tsc-khz (under TCG a
 * guest reads the host's TSC, so every guest uses the host's clock), else
 * from CLOCK_MONOTONIC. Also prints "cpus N" (sysconf) first.
 * --poweroff: as /init of a Linux guest, end through isa-debug-exit (port
 * 0xf4) with the exit status, as Skiff ends a VM.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define REPS 5
#define WORK 100000000UL		/* hash steps of the speed-up loop */
#define PINGS 2000
#define CREATES 200

static uint64_t tsc_khz;

static uint64_t now_ns(void)
{
	if (tsc_khz) {
		uint32_t lo, hi;
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		return (((uint64_t)hi << 32 | lo) * 1000000) / tsc_khz;
	}
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v)
{
	qsort(v, REPS, sizeof(*v), cmp_u64);
	return v[REPS / 2];
}

/* ---- speed-up ---- */
static volatile uint64_t sink;

static void *spin(void *arg)
{
	uint64_t n = (uintptr_t)arg, h = n;

	for (uint64_t i = 0; i < n; i++)
		h = (h ^ i) * 0x9e3779b97f4a7c15ULL + (h >> 29);
	sink += h;
	return NULL;
}

static uint64_t spin_threads(int threads)
{
	pthread_t t[2];
	uint64_t t0 = now_ns();

	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, spin, (void *)(uintptr_t)(WORK / threads));
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	return now_ns() - t0;
}

static void mode_speedup(void)
{
	uint64_t one[REPS], two[REPS];

	spin_threads(2);
	for (int r = 0; r < REPS; r++) {
		one[r] = spin_threads(1);
		two[r] = spin_threads(2);
	}
	printf("cpu_1thread_ms %.1f\n", median(one) / 1e6);
	printf("cpu_2threads_ms %.1f\n", median(two) / 1e6);
}

/* ---- futex ping-pong ---- */
static int word;

static void pin(int cpu)
{
	cpu_set_t s;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

static void pass(int from, int to)
{
	while (__atomic_load_n(&word, __ATOMIC_ACQUIRE) != from)
		syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, to, NULL, NULL, 0);
	__atomic_store_n(&word, to, __ATOMIC_RELEASE);
	syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *ponger(void *arg __attribute__((unused)))
{
	pin(1);
	for (int i = 0; i < PINGS; i++)
		pass(1, 0);
	return NULL;
}

static uint64_t pingpong_once(void)
{
	pthread_t t;
	uint64_t t0;

	word = 0;
	pthread_create(&t, NULL, ponger, NULL);
	t0 = now_ns();
	for (int i = 0; i < PINGS; i++)
		pass(0, 1);
	pthread_join(t, NULL);
	return (now_ns() - t0) / (2 * PINGS);
}

static void mode_pingpong(void)
{
	uint64_t v[REPS];

	pin(0);
	pingpong_once();
	for (int r = 0; r < REPS; r++)
		v[r] = pingpong_once();
	printf("futex_pingpong_ns %llu\n", (unsigned long long)median(v));
}

/* ---- thread create + join ---- */
static void *nothing(void *arg)
{
	return arg;
}

static void mode_create(void)
{
	uint64_t v[REPS];

	for (int r = -1; r < REPS; r++) {
		uint64_t t0 = now_ns();
		for (int i = 0; i < CREATES; i++) {
			pthread_t t;
			pthread_create(&t, NULL, nothing, NULL);
			pthread_join(t, NULL);
		}
		if (r >= 0)
			v[r] = (now_ns() - t0) / CREATES;
	}
	printf("thread_create_join_us %.1f\n", median(v) / 1e3);
}

static void mode_calibrate(void)
{
	struct timespec a, b;
	uint32_t lo, hi;
	uint64_t c0, c1;

	clock_gettime(CLOCK_MONOTONIC, &a);
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	c0 = (uint64_t)hi << 32 | lo;
	usleep(200000);
	clock_gettime(CLOCK_MONOTONIC, &b);
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	c1 = (uint64_t)hi << 32 | lo;
	uint64_t ns = (b.tv_sec - a.tv_sec) * 1000000000ULL + b.tv_nsec - a.tv_nsec;
	printf("tsc_khz %llu\n", (unsigned long long)((c1 - c0) * 1000000 / ns));
}

static void power_off(int status)
{
	tcdrain(1);
	if (ioperm(0xf4, 4, 1) == 0)
		outl((unsigned)status, 0xf4);
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	int poweroff = 0, status = 0;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--tsc-khz=", 10))
			tsc_khz = strtoull(argv[i] + 10, NULL, 10);
		else if (!strcmp(argv[i], "--poweroff"))
			poweroff = 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *m = argv[i];
		int all = !strcmp(m, "all");

		if (!strncmp(m, "--", 2))
			continue;
		if (!strcmp(m, "calibrate")) {
			mode_calibrate();
			continue;
		}
		printf("cpus %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
		if (all || !strcmp(m, "speedup"))
			mode_speedup();
		if (all || !strcmp(m, "pingpong"))
			mode_pingpong();
		if (all || !strcmp(m, "create"))
			mode_create();
		if (!all && strcmp(m, "speedup") && strcmp(m, "pingpong") &&
		    strcmp(m, "create")) {
			fprintf(stderr, "smpbench: unknown mode %s\n", m);
			status = 2;
		}
	}
	if (poweroff)
		power_off(status);
	return status;
}

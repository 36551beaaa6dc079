/*
 * storagebench: the storage benchmark of `make bench` (bench/storage.sh),
 * run inside Skiff (skiff run -v IMAGE:/data) and inside the Linux guest
 * (its /init, bench/linux/blkinit.c, mounts the same image at /data).
 *
 * Layer: bench/, an ordinary static Linux x86_64 program, not part of Skiff.
 *
 * Usage: storagebench [--tsc-khz=N] write|read DIR
 *   write  (a boot on a fresh image holding DIR/src.tar)
 *            seq_write_mbs    DIR/seq, 256 MiB in 1 MiB writes, then fsync
 *            rand_write_iops  8,192 pwrites of 4 KiB at random 4 KiB-aligned
 *                             offsets of DIR/seq, then fsync (counted in)
 *            fsync_us         the median of 200 (4 KiB append + fsync) on
 *                             DIR/fsync.log, and fsync_p90_us
 *            tar_ms           the archive DIR/src.tar (ustar: files,
 *                             directories, symlinks, hard links; modes and
 *                             mtimes) extracted under DIR/x, then sync():
 *                             from the first header to sync's return (the
 *                             archive is read into memory before), and
 *                             tar_entries
 *   read   (the next boot on that image: nothing of DIR/seq is cached)
 *            rand_read_iops   4,096 preads of 4 KiB at random 4 KiB-aligned
 *                             offsets of DIR/seq
 *            seq_read_mbs     then all of DIR/seq in 1 MiB reads
 * Prints "name value" lines; "missing name reason" for one it could not
 * measure; exits 1 if anything failed. Times: RDTSC at --tsc-khz (under
 * TCG the guest reads the host's TSC), else CLOCK_MONOTONIC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#define MIB (1024 * 1024)
#define SEQ_MIB 256
#define RAND_WRITES 8192
#define RAND_READS 4096
#define FSYNCS 200

static uint64_t tsc_khz;
static int failed;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t now_ns(void)
{
	struct timespec ts;

	if (tsc_khz)
		return (uint64_t)((unsigned __int128)__rdtsc() * 1000000 / tsc_khz);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int missing(const char *name, const char *what)
{
	printf("missing %s %s: %s\n", name, what, strerror(errno));
	failed = 1;
	return -1;
}

static void seq_write(const char *dir)
{
	static char buf[MIB];
	char path[4096];
	uint64_t t;
	int fd;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 31 + 7);
	snprintf(path, sizeof(path), "%s/seq", dir);
	t = now_ns();
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0) {
		missing("seq_write_mbs", "open");
		return;
	}
	for (int i = 0; i < SEQ_MIB; i++)
		if (write(fd, buf, MIB) != MIB) {
			missing("seq_write_mbs", "write");
			close(fd);
			return;
		}
	if (fsync(fd) < 0)
		missing("seq_write_mbs", "fsync");
	close(fd);
	printf("seq_write_mbs %.1f\n", SEQ_MIB * 1e9 / (double)(now_ns() - t));
}

static void rand_write(const char *dir)
{
	static char buf[4096];
	char path[4096];
	uint64_t t;
	int fd;

	memset(buf, 'r', sizeof(buf));
	snprintf(path, sizeof(path), "%s/seq", dir);
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		missing("rand_write_iops", "open");
		return;
	}
	t = now_ns();
	for (int i = 0; i < RAND_WRITES; i++) {
		off_t off = (off_t)(next_rand() % (SEQ_MIB * 256)) * 4096;

		if (pwrite(fd, buf, sizeof(buf), off) != sizeof(buf)) {
			missing("rand_write_iops", "pwrite");
			close(fd);
			return;
		}
	}
	if (fsync(fd) < 0)
		missing("rand_write_iops", "fsync");
	close(fd);
	printf("rand_write_iops %.0f\n", RAND_WRITES * 1e9 / (double)(now_ns() - t));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void fsync_latency(const char *dir)
{
	static char buf[4096];
	uint64_t lat[FSYNCS];
	char path[4096];
	int fd;

	memset(buf, 'f', sizeof(buf));
	snprintf(path, sizeof(path), "%s/fsync.log", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_APPEND, 0644);
	if (fd < 0) {
		missing("fsync_us", "open");
		return;
	}
	for (int i = 0; i < FSYNCS; i++) {
		uint64_t t = now_ns();

		if (write(fd, buf, sizeof(buf)) != sizeof(buf) || fsync(fd) < 0) {
			missing("fsync_us", "write+fsync");
			close(fd);
			return;
		}
		lat[i] = now_ns() - t;
	}
	close(fd);
	qsort(lat, FSYNCS, sizeof(lat[0]), cmp_u64);
	printf("fsync_us %.1f\n", lat[FSYNCS / 2] / 1e3);
	printf("fsync_p90_us %.1f\n", lat[FSYNCS * 9 / 10] / 1e3);
}

/* An octal field of a ustar header. */
static unsigned long octal(const char *p, size_t n)
{
	unsigned long v = 0;

	for (size_t i = 0; i < n && p[i] >= '0' && p[i] <= '7'; i++)
		v = v * 8 + (unsigned long)(p[i] - '0');
	return v;
}

/* One entry at h (a ustar header) into root; data follows h. 0 or -1. */
static int tar_entry(const char *root, const char *h, const char *data)
{
	char name[300], path[4096], target[4096];
	unsigned long mode = octal(h + 100, 8), size = octal(h + 124, 12);
	struct timespec times[2] = { { (time_t)octal(h + 136, 12), 0 },
				     { (time_t)octal(h + 136, 12), 0 } };
	int fd;

	if (h[345])
		snprintf(name, sizeof(name), "%.155s/%.100s", h + 345, h);
	else
		snprintf(name, sizeof(name), "%.100s", h);
	snprintf(path, sizeof(path), "%s/%s", root, name);
	switch (h[156]) {
	case '5':
		if (mkdir(path, (mode_t)mode) < 0 && errno != EEXIST)
			return -1;
		break;
	case '2':
		if (symlink(strndupa(h + 157, 100), path) < 0)
			return -1;
		return 0;
	case '1':
		snprintf(target, sizeof(target), "%s/%.100s", root, h + 157);
		return link(target, path);
	case '0':
	case 0:
		fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, (mode_t)mode);
		if (fd < 0 || write(fd, data, size) != (ssize_t)size)
			return -1;
		if (fchmod(fd, (mode_t)mode) < 0 || futimens(fd, times) < 0)
			return -1;
		return close(fd);
	default:
		return 0;	/* pax headers and the like: skipped */
	}
	return chmod(path, (mode_t)mode);
}

static void tar_x(const char *dir)
{
	char path[4096], root[4096];
	struct stat st;
	char *buf;
	size_t off = 0;
	int fd, n = 0;
	uint64_t t;

	snprintf(path, sizeof(path), "%s/src.tar", dir);
	snprintf(root, sizeof(root), "%s/x", dir);
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		missing("tar_ms", "open src.tar");
		return;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size) {
		missing("tar_ms", "read src.tar");
		return;
	}
	close(fd);
	t = now_ns();
	if (mkdir(root, 0755) < 0) {
		missing("tar_ms", "mkdir");
		return;
	}
	while (off + 512 <= (size_t)st.st_size && buf[off]) {
		const char *h = buf + off;
		unsigned long size = octal(h + 124, 12);

		if (memcmp(h + 257, "ustar", 5)) {
			errno = EINVAL;
			missing("tar_ms", "not a ustar header");
			return;
		}
		if (tar_entry(root, h, h + 512) < 0) {
			missing("tar_ms", h);
			return;
		}
		n++;
		if (h[156] == '0' || h[156] == 0)
			off += 512 + (size + 511) / 512 * 512;
		else
			off += 512;
	}
	sync();
	printf("tar_ms %.1f\n", (double)(now_ns() - t) / 1e6);
	printf("tar_entries %d\n", n);
	free(buf);
}

static void rand_read(const char *dir)
{
	static char buf[4096];
	char path[4096];
	uint64_t t;
	int fd;

	snprintf(path, sizeof(path), "%s/seq", dir);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		missing("rand_read_iops", "open");
		return;
	}
	t = now_ns();
	for (int i = 0; i < RAND_READS; i++) {
		off_t off = (off_t)(next_rand() % (SEQ_MIB * 256)) * 4096;

		if (pread(fd, buf, sizeof(buf), off) != sizeof(buf)) {
			missing("rand_read_iops", "pread");
			close(fd);
			return;
		}
	}
	printf("rand_read_iops %.0f\n", RAND_READS * 1e9 / (double)(now_ns() - t));
	close(fd);
}

static void seq_read(const char *dir)
{
	static char buf[MIB];
	char path[4096];
	uint64_t t = now_ns();
	ssize_t n;
	long long total = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/seq", dir);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		missing("seq_read_mbs", "open");
		return;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	close(fd);
	if (n < 0 || total != (long long)SEQ_MIB * MIB) {
		errno = n < 0 ? errno : EIO;
		missing("seq_read_mbs", "read");
		return;
	}
	printf("seq_read_mbs %.1f\n", SEQ_MIB * 1e9 / (double)(now_ns() - t));
}

int main(int argc, char **argv)
{
	int i = 1;

	if (argc > i && !strncmp(argv[i], "--tsc-khz=", 10))
		tsc_khz = strtoull(argv[i++] + 10, NULL, 10);
	if (argc != i + 2) {
		fprintf(stderr, "usage: storagebench [--tsc-khz=N] write|read DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[i], "write")) {
		seq_write(argv[i + 1]);
		rand_write(argv[i + 1]);
		fsync_latency(argv[i + 1]);
		tar_x(argv[i + 1]);
	} else if (!strcmp(argv[i], "read")) {
		rand_read(argv[i + 1]);
		seq_read(argv[i + 1]);
	} else {
		return 2;
	}
	return failed;
}

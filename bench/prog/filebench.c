/*
 * bench/prog/filebench.c: sequential write then read of a file through
 * the file system, timed inside the guest (bench/ninep.sh runs it on a
 * 9p share). Usage: filebench [--tsc-khz=N] FILE MIB [BLOCK_KIB]
 * Writes MIB MiB in BLOCK_KIB (default 1024) KiB writes, fsync, closes;
 * reopens and reads it back in blocks of the same size, checking the
 * bytes; removes it. Prints "write MB/s X" and "read MB/s Y" (10^6 bytes
 * per second; the write's figure includes the fsync), or "error: ...".
 * Times: RDTSC at --tsc-khz when given (under TCG a guest reads the host's
 * TSC; the Linux guest's CLOCK_MONOTONIC may tick only every few ms
 * there), else CLOCK_MONOTONIC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

static double tsc_khz;

static double now(void)
{
	struct timespec t;

	if (tsc_khz > 0)
		return (double)__rdtsc() / (tsc_khz * 1e3);
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int fail(const char *what)
{
	printf("error: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strncmp(argv[1], "--tsc-khz=", 10)) {
		tsc_khz = strtod(argv[1] + 10, NULL);
		argc--, argv++;
	}
	size_t mib = argc > 2 ? strtoul(argv[2], NULL, 10) : 64;
	size_t bs = (argc > 3 ? strtoul(argv[3], NULL, 10) : 1024) << 10;
	size_t total = mib << 20, n;
	char *buf = malloc(bs), *back = malloc(bs);
	double t0, t1;
	int fd;

	if (argc < 2 || !buf || !back || !bs)
		return 2;
	for (size_t i = 0; i < bs; i++)
		buf[i] = (char)(i * 31 + 7);
	fd = open(argv[1], O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0)
		return fail("open for writing");
	t0 = now();
	for (n = 0; n < total; n += bs)
		if (write(fd, buf, bs) != (ssize_t)bs)
			return fail("write");
	if (fsync(fd) || close(fd))
		return fail("fsync");
	t1 = now();
	printf("write MB/s %.1f\n", total / (t1 - t0) / 1e6);
	fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return fail("open for reading");
	t0 = now();
	for (n = 0; n < total; n += bs)
		if (read(fd, back, bs) != (ssize_t)bs || memcmp(buf, back, bs)) {
			errno = EIO;
			return fail("read back");
		}
	t1 = now();
	close(fd);
	unlink(argv[1]);
	printf("read MB/s %.1f\n", total / (t1 - t0) / 1e6);
	return 0;
}

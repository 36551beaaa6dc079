/*
 * tests/unit/codec_test.h: what the image decoders' unit tests share
 * (test_skiff_inflate.c, test_skiff_unlz4.c): skiff_err captured in
 * last_err, memfds in and out, the host's compressor as the oracle, a
 * decoder run on a buffer, and sample data that is part text, part random,
 * part repetitive. Include after skiff.h and shim.h.
 */
#ifndef CODEC_TEST_H
#define CODEC_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static char last_err[1024];

void skiff_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_err, sizeof(last_err), fmt, ap);
	va_end(ap);
}

static int mem_fd(const void *data, size_t len)
{
	int fd = memfd_create("t", 0);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* The whole of memfd fd, malloc'd (one byte more than *len). */
static u8 *fd_bytes(int fd, size_t *len)
{
	u8 *b;

	*len = lseek(fd, 0, SEEK_END);
	b = malloc(*len + 1);
	assert_int_equal(pread(fd, b, *len, 0), (ssize_t)*len);
	return b;
}

/* data through the shell command cmd (stdin to stdout): malloc'd,
 * *out_len bytes. */
static u8 *host_filter(const char *cmd, const u8 *data, size_t len,
		       size_t *out_len)
{
	char line[256];
	int in = mem_fd(data, len), out = memfd_create("z", 0);
	u8 *z;

	snprintf(line, sizeof(line), "%s <&%d >&%d", cmd, in, out);
	assert_int_equal(system(line), 0);
	z = fd_bytes(out, out_len);
	close(in);
	close(out);
	return z;
}

/* Runs decoder fn on z; returns its status, the output in *out
 * (malloc'd). */
static int decode_with(int (*fn)(int in, int out, const char *what),
		       const u8 *z, size_t zlen, u8 **out, size_t *out_len)
{
	int in = mem_fd(z, zlen), o = memfd_create("o", 0);
	int status = fn(in, o, "test.img");

	*out = fd_bytes(o, out_len);
	close(in);
	close(o);
	return status;
}

static u8 *sample(size_t len, unsigned seed)
{
	u8 *d = malloc(len);
	u32 x = seed;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245 + 12345;
		if (i % 3000 < 1000)
			d[i] = "the quick brown fox jumps over "[i % 31];
		else if (i % 3000 < 2000)
			d[i] = x >> 24;
		else
			d[i] = (i / 7) & 0xff;
	}
	return d;
}

#endif

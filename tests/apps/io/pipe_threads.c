/*
 * pipe_threads: pipes between threads: 1 MiB written in odd-sized chunks
 * by one thread arrives whole and in order in 3000-byte reads, then EOF;
 * writes of PIPE_BUF bytes from two threads never interleave inside a
 * record; F_GETPIPE_SZ and F_SETPIPE_SZ, and a non-blocking fill stops
 * at the size set; a blocked reader sees EOF when the last writer closes.
 */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include "check.h"

#define TOTAL (1 << 20)
#define RECORDS 200

static int p[2];

static unsigned char byte_at(long i)
{
	return (unsigned char)(i * 7 + (i >> 9));
}

static void *bulk_writer(void *arg)
{
	static unsigned char buf[10007];
	long off = 0;
	size_t chunk = 1;

	while (off < TOTAL) {
		size_t n = chunk;

		if (n > (size_t)(TOTAL - off))
			n = TOTAL - off;
		for (size_t i = 0; i < n; i++)
			buf[i] = byte_at(off + i);
		if (write(p[1], buf, n) != (ssize_t)n)
			break;
		off += n;
		chunk = chunk * 3 % 10007 + 1;
	}
	close(p[1]);
	return arg;
}

static void *record_writer(void *arg)
{
	char rec[PIPE_BUF];

	memset(rec, *(char *)arg, sizeof(rec));
	for (int i = 0; i < RECORDS; i++)
		if (write(p[1], rec, sizeof(rec)) != sizeof(rec))
			break;
	return NULL;
}

static void *closer(void *arg)
{
	sleep_ms(20);
	close(p[1]);
	return arg;
}

int main(void)
{
	pthread_t t, t2;
	static unsigned char buf[PIPE_BUF];
	long got = 0, r, bad = 0;
	int whole = 0, broken = 0, as = 0, bs = 0, fill = 0;

	if (pipe(p))
		return 1;
	pthread_create(&t, NULL, bulk_writer, NULL);
	while ((r = read(p[0], buf, 3000)) > 0) {
		for (long i = 0; i < r; i++)
			bad += buf[i] != byte_at(got + i);
		got += r;
	}
	pthread_join(t, NULL);
	say("bulk: %ld bytes read, %ld wrong, last read %ld", got, bad, r);
	close(p[0]);

	if (pipe(p))
		return 1;
	pthread_create(&t, NULL, record_writer, "A");
	pthread_create(&t2, NULL, record_writer, "B");
	for (int n = 0; n < 2 * RECORDS; n++) {
		size_t have = 0;

		while (have < sizeof(buf) && (r = read(p[0], buf + have, sizeof(buf) - have)) > 0)
			have += r;
		int ok = 1;
		for (size_t i = 1; i < sizeof(buf); i++)
			ok &= buf[i] == buf[0];
		whole += ok;
		broken += !ok;
		as += buf[0] == 'A';
		bs += buf[0] == 'B';
	}
	pthread_join(t, NULL);
	pthread_join(t2, NULL);
	say("records of PIPE_BUF (%d) bytes: whole %d, mixed %d; A %d, B %d", PIPE_BUF, whole,
	    broken, as, bs);
	close(p[0]);
	close(p[1]);

	if (pipe(p))
		return 1;
	SHOW(fcntl(p[0], F_GETPIPE_SZ));
	SHOW(fcntl(p[1], F_SETPIPE_SZ, 4096));
	SHOW(fcntl(p[0], F_GETPIPE_SZ));
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	while (write(p[1], "x", 1) == 1)
		fill++;
	say("non-blocking fill stopped after %d bytes (%s)", fill, errname(errno));
	SHOW(fcntl(p[1], F_SETPIPE_SZ, 0));
	SHOW(fcntl(p[0], F_GETPIPE_SZ));
	SHOW(fcntl(0, F_GETPIPE_SZ));
	close(p[0]);
	close(p[1]);

	if (pipe(p))
		return 1;
	pthread_create(&t, NULL, closer, NULL);
	SHOW(read(p[0], buf, 1));
	pthread_join(t, NULL);
	return 0;
}

/*
 * tests/storage/records.c: numbered records for the crash test
 * (tests/storage/crash.sh). Static Linux program, run in Skiff on an ext2
 * volume and natively; no kernel part.
 *
 *   records DIR append   reads DIR/log back (as `check`), prints
 *                        "have N", cuts the file after record N (a
 *                        crash may leave a torn or zeroed tail), then
 *                        appends records N+1, N+2, ... for ever, each
 *                        followed by fsync (odd numbers: fdatasync), and
 *                        prints "rec K" only after that call returned 0
 *   records DIR check    prints "have N": records 1..N are there, each
 *                        whole and in order; then "tail B" (B bytes
 *                        after record N: a torn record, zeroes)
 *
 * Record K: "R%08u:%05u:" (the number and the record's length), then
 * filler bytes 'a' + K % 26 up to length - 1, then '\n'. Lengths vary
 * (32 to 3031 bytes), so records cross block boundaries and the file
 * reaches indirect and double-indirect blocks. The log is opened with
 * O_APPEND. Exits 1 on an I/O error (printed), 2 on bad arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEAD 16
#define MAXLEN 3100

static unsigned rec_len(unsigned k)
{
	return 32 + (k * 7919u) % 3000;
}

static void rec_make(unsigned k, char *buf)
{
	unsigned len = rec_len(k);
	char head[HEAD + 1];

	snprintf(head, sizeof(head), "R%08u:%05u:", k, len);
	memcpy(buf, head, HEAD);
	memset(buf + HEAD, 'a' + k % 26, len - HEAD - 1);
	buf[len - 1] = '\n';
}

/* The number of whole records at the start of the file; *end: their bytes. */
static unsigned scan(int fd, off_t *end)
{
	char want[MAXLEN], got[MAXLEN];
	unsigned k = 0;
	off_t off = 0;

	for (;;) {
		unsigned len = rec_len(k + 1);
		ssize_t n = pread(fd, got, len, off);

		if (n < 0) {
			printf("read: %s\n", strerror(errno));
			exit(1);
		}
		rec_make(k + 1, want);
		if ((unsigned)n != len || memcmp(want, got, len))
			break;
		k++;
		off += len;
	}
	*end = off;
	return k;
}

int main(int argc, char **argv)
{
	char path[4096], buf[MAXLEN];
	struct stat st;
	off_t end;
	unsigned k;
	int fd;

	if (argc != 3 || (strcmp(argv[2], "append") && strcmp(argv[2], "check")))
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(path, sizeof(path), "%s/log", argv[1]);
	fd = open(path, O_RDWR | O_CREAT | O_APPEND, 0644);
	if (fd < 0 || fstat(fd, &st) < 0) {
		printf("open: %s\n", strerror(errno));
		return 1;
	}
	k = scan(fd, &end);
	printf("have %u\n", k);
	if (!strcmp(argv[2], "check")) {
		printf("tail %lld\n", (long long)(st.st_size - end));
		return 0;
	}
	if (ftruncate(fd, end) < 0 || fsync(fd) < 0) {
		printf("cut: %s\n", strerror(errno));
		return 1;
	}
	for (k++;; k++) {
		unsigned len = rec_len(k);

		rec_make(k, buf);
		if (write(fd, buf, len) != (ssize_t)len) {
			printf("write %u: %s\n", k, strerror(errno));
			return 1;
		}
		if ((k % 2 ? fdatasync(fd) : fsync(fd)) < 0) {
			printf("sync %u: %s\n", k, strerror(errno));
			return 1;
		}
		printf("rec %u\n", k);
	}
}

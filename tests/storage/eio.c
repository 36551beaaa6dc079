/*
 * tests/storage/eio.c: what a program sees of a failing disk (tests/
 * storage/eio.sh injects the failures with QEMU's blkdebug driver). One
 * line per check, no timings. Modes:
 *   read DIR    DIR/good reads back, DIR/victim (whose block fails) gives
 *               EIO, twice; a new file written and fsynced beside them
 *               succeeds
 *   write DIR   every write fails: a new file is written (into the cache:
 *               fine), fsync gives EIO, a second fsync too (the data are
 *               still not on the disk), sync returns
 *   flush DIR   the device's cache flush fails: fsync gives EIO
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *ename(int e)
{
	return e == EIO ? "EIO" : e == EUCLEAN ? "EUCLEAN" : e == EROFS ? "EROFS"
	       : e == ENOSPC ? "ENOSPC" : strerror(e);
}

static void result(const char *what, long r)
{
	if (r < 0)
		printf("%s: -1 %s\n", what, ename(errno));
	else
		printf("%s: %ld\n", what, r);
}

static void read_file(const char *dir, const char *name)
{
	char path[512], buf[65536], what[600];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	snprintf(what, sizeof(what), "open %s", name);
	result(what, fd < 0 ? -1 : 0);
	if (fd < 0)
		return;
	snprintf(what, sizeof(what), "read %s", name);
	result(what, read(fd, buf, sizeof(buf)));
	close(fd);
}

static void write_file(const char *dir, const char *name)
{
	char path[512], buf[65536];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	memset(buf, 'w', sizeof(buf));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	result("create", fd < 0 ? -1 : 0);
	if (fd < 0)
		return;
	result("write", write(fd, buf, sizeof(buf)));
	result("fsync", fsync(fd));
	result("fsync again", fsync(fd));
	result("close", close(fd));
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: eio read|write|flush DIR\n");
		return 2;
	}
	if (!strcmp(argv[1], "read")) {
		read_file(argv[2], "good");
		read_file(argv[2], "victim");
		read_file(argv[2], "victim");
		write_file(argv[2], "new");
	} else {
		write_file(argv[2], "new");
		sync();
		printf("sync returned\n");
	}
	return 0;
}

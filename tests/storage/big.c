/*
 * tests/storage/big.c: a sparse file past 4 GiB (triple-indirect blocks).
 * `big DIR write` writes a short record at each offset below; `big DIR
 * read` reads them back and prints them with the file's size. The host
 * (tests/storage/run.sh) also finds each record in the image with debugfs.
 * The times set with nanoseconds must come back in the second run.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const long long offsets[] = { 0, 13 * 4096 + 5, 300 * 1024 + 17,
				     1ll << 30, (5ll << 30) + 4096 * 3 + 9 };

int main(int argc, char **argv)
{
	bool write_it = argc > 2 && !strcmp(argv[2], "write");
	char path[256], rec[32], got[32];
	int fd;

	if (argc < 3)
		return 2;
	snprintf(path, sizeof(path), "%s/big", argv[1]);
	fd = open(path, write_it ? O_CREAT | O_RDWR : O_RDONLY, 0644);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	for (unsigned i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		int n = snprintf(rec, sizeof(rec), "record-%u@%lld", i, offsets[i]);

		if (write_it) {
			printf("pwrite %lld: %zd\n", offsets[i],
			       pwrite(fd, rec, n, offsets[i]));
			continue;
		}
		memset(got, 0, sizeof(got));
		printf("pread %lld: %zd [%s]\n", offsets[i],
		       pread(fd, got, n, offsets[i]), got);
	}
	printf("size %lld\n", (long long)lseek(fd, 0, SEEK_END));
	if (write_it) {
		struct timespec t[2] = { { 1600000000, 123456789 },
					 { 1700000000, 987654321 } };

		printf("futimens: %d\n", futimens(fd, t));
		fsync(fd);
	} else {
		struct stat st;

		fstat(fd, &st);
		/* Not atime: Linux's relatime changes it on this read. */
		printf("mtime %lld.%09ld\n", (long long)st.st_mtim.tv_sec,
		       st.st_mtim.tv_nsec);
	}
	close(fd);
	return 0;
}

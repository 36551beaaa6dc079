/*
 * tests/storage/fsops.c: file-system operations in the directory argv[1]
 * (an ext2 volume in Skiff, a host directory natively): files, holes,
 * directories, fast and slow symlinks, hard links, renames over files and
 * across directories, truncates, unlink of an open file, rmdir. Prints one
 * line per check; the tree it leaves is compared by tests/storage/run.sh
 * with the one the native run leaves (debugfs rdump of the image).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

static void put(const char *path, const char *data, size_t len, off_t at)
{
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	ssize_t n = fd < 0 ? -1 : pwrite(fd, data, len, at);

	printf("write %s at %lld: %zd\n", path, (long long)at, n);
	if (fd >= 0)
		close(fd);
}

static void check(const char *what, int r)
{
	printf("%s = %d%s%s\n", what, r, r < 0 ? " " : "",
	       r < 0 ? strerror(errno) : "");
}

static void show(const char *path)
{
	struct stat st;
	char buf[256];
	int fd;
	ssize_t n;

	if (lstat(path, &st) < 0) {
		printf("%s: %s\n", path, strerror(errno));
		return;
	}
	/* A directory's size is its blocks': not compared. */
	printf("%s: mode %o nlink %lu size %lld\n", path, st.st_mode,
	       (unsigned long)st.st_nlink,
	       S_ISDIR(st.st_mode) ? 0ll : (long long)st.st_size);
	if (S_ISREG(st.st_mode) && (fd = open(path, O_RDONLY)) >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = 0;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == 0)
				buf[i] = '.';
		printf("  [%s]\n", buf);
		close(fd);
	}
}

static void big_pattern(const char *path, size_t len)
{
	char *b = malloc(len);
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);

	for (size_t i = 0; i < len; i++)
		b[i] = 'a' + (i * 7 + i / 1000) % 26;
	printf("write %s %zu: %zd\n", path, len, write(fd, b, len));
	close(fd);
	free(b);
}

/* A FIFO on the volume: both ends in one open (O_RDWR), a write, a read. */
static void fifo_io(const char *path)
{
	char buf[16] = { 0 };
	int fd = open(path, O_RDWR);

	check("open fifo", fd < 0 ? -1 : 0);
	if (fd < 0)
		return;
	check("write fifo", (int)write(fd, "through\n", 8));
	check("read fifo", (int)read(fd, buf, sizeof(buf) - 1));
	printf("  [%s]\n", buf);
	close(fd);
}

/* Writes over a file: whole 4 KiB-aligned blocks (no read of the old
 * bytes), part of a block, and one past the end leaving a gap. */
static void overwrite(const char *path)
{
	static char blk[8192];
	int fd = open(path, O_WRONLY);

	memset(blk, 'W', sizeof(blk));
	check("overwrite whole", (int)pwrite(fd, blk, sizeof(blk), 8192));
	check("overwrite part", (int)pwrite(fd, "part", 4, 4096 * 5 + 50));
	check("overwrite straddling", (int)pwrite(fd, blk, 5000, 4096 * 7 - 3));
	check("write past the end", (int)pwrite(fd, "tail", 4,
						3 * 1024 * 1024 + 9000));
	close(fd);
}

int main(int argc, char **argv)
{
	char longlink[300];
	struct statfs sf;
	int fd;

	if (argc < 2 || chdir(argv[1]) < 0)
		return 2;
	check("mkdir a", mkdir("a", 0755));
	check("mkdir a/b", mkdir("a/b", 0700));
	check("mkdir a again", mkdir("a", 0755));
	put("a/one.txt", "one\n", 4, 0);
	put("a/b/two.txt", "two two\n", 8, 0);
	put("hole.bin", "end", 3, 100000);
	put("hole.bin", "start", 5, 0);
	big_pattern("big.bin", 3 * 1024 * 1024 + 123); /* double indirect */
	check("symlink fast", symlink("a/one.txt", "fast"));
	memset(longlink, 'x', sizeof(longlink) - 1);
	longlink[sizeof(longlink) - 1] = 0;
	memcpy(longlink, "a/", 2);
	check("symlink slow", symlink(longlink, "slow"));
	check("link", link("a/one.txt", "hard"));
	show("hard");
	put("victim", "victim\n", 7, 0);
	put("mover", "mover\n", 6, 0);
	check("rename over a file", rename("mover", "victim"));
	check("rename across dirs", rename("a/b/two.txt", "two.txt"));
	check("mkdir d", mkdir("d", 0755));
	check("mkdir d/e", mkdir("d/e", 0755));
	check("rename dir across", rename("d/e", "a/e"));
	check("rmdir non-empty", rmdir("a"));
	check("rmdir d", rmdir("d"));
	big_pattern("trunc.bin", 200000);
	check("truncate down", truncate("trunc.bin", 5000));
	check("truncate up", truncate("trunc.bin", 70000));
	put("trunc.bin", "Z", 1, 69999);
	fd = open("open-unlinked", O_CREAT | O_RDWR, 0644);
	check("write open file", (int)write(fd, "gone soon\n", 10));
	check("unlink open", unlink("open-unlinked"));
	char buf[32] = { 0 };
	check("read unlinked", (int)pread(fd, buf, sizeof(buf), 0));
	printf("  [%s]\n", buf);
	close(fd);
	check("chmod", chmod("a/one.txt", 0600));
	check("unlink missing", unlink("nope"));
	check("mkfifo", mkfifo("fifo", 0644));
	fifo_io("fifo");
	overwrite("big.bin");
	show("a/one.txt");
	show("hard");
	show("hole.bin");
	show("trunc.bin");
	show("two.txt");
	show("victim");
	show("a/e");
	show("slow");
	check("statfs", statfs(".", &sf));
	check("fsync dir", fsync(open(".", O_RDONLY)));
	sync();
	DIR *d = opendir("a");
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)))
		n++;
	printf("entries in a: %d\n", n);
	closedir(d);
	/* Open and unlinked at exit: freed before the power-off. */
	fd = open("kept-open", O_CREAT | O_RDWR, 0644);
	check("write kept open", (int)write(fd, "still open\n", 11));
	check("unlink kept open", unlink("kept-open"));
	/* Many files: a directory of several blocks. */
	check("mkdir many", mkdir("many", 0755));
	for (int i = 0; i < 300; i++) {
		char p[64];

		snprintf(p, sizeof(p), "many/file-with-a-longish-name-%03d", i);
		put(p, p, strlen(p), 0);
	}
	for (int i = 0; i < 300; i += 3) {
		char p[64];

		snprintf(p, sizeof(p), "many/file-with-a-longish-name-%03d", i);
		if (unlink(p) < 0)
			printf("unlink %s: %s\n", p, strerror(errno));
	}
	return 0;
}

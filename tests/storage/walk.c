/*
 * tests/storage/walk.c: prints the tree under argv[1], sorted: each
 * entry's path, type, permission bits, link count (not for directories:
 * a directory's count differs between filesystems), size, a file's mtime
 * (seconds: mke2fs -d keeps no nanoseconds), and a checksum
 * of a file's bytes or a symlink's target. Natively on a host directory
 * and in Skiff on an ext2 image made from it (mke2fs -d), the outputs
 * must match. With argv[2] "damaged" it then also changes the tree
 * (creates, writes, removes), printing each result: for damaged images,
 * where any error is fine but a crash or a hang is not.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned long sum_file(const char *path, int *err)
{
	unsigned long h = 5381;
	char buf[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	*err = 0;
	if (fd < 0) {
		*err = errno;
		return 0;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			h = h * 33 + (unsigned char)buf[i];
	if (n < 0)
		*err = errno;
	close(fd);
	return h;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *dir, const char *rel, int depth)
{
	char *names[4096];
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		printf("%s: opendir: %s\n", rel, strerror(errno));
		return;
	}
	while ((e = readdir(d)) && n < 4096)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    strcmp(e->d_name, "lost+found"))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(char *), cmp);
	for (int i = 0; i < n; i++) {
		char path[4096], r[4096], target[4096];
		struct stat st;
		int err;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(r, sizeof(r), "%s/%s", rel, names[i]);
		free(names[i]);
		if (lstat(path, &st) < 0) {
			printf("%s: lstat: %s\n", r, strerror(errno));
			continue;
		}
		printf("%s %c %o", r, S_ISDIR(st.st_mode) ? 'd' :
		       S_ISLNK(st.st_mode) ? 'l' : S_ISREG(st.st_mode) ? 'f' : '?',
		       st.st_mode & 07777);
		if (S_ISREG(st.st_mode)) {
			unsigned long h = sum_file(path, &err);

			printf(" nlink %lu size %lld mtime %lld sum %lx%s%s\n",
			       (unsigned long)st.st_nlink, (long long)st.st_size,
			       (long long)st.st_mtim.tv_sec,
			       h, err ? " error " : "", err ? strerror(err) : "");
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t k = readlink(path, target, sizeof(target) - 1);

			target[k > 0 ? k : 0] = 0;
			printf(" -> %s\n", k < 0 ? strerror(errno) : target);
		} else {
			printf("\n");
		}
		if (S_ISDIR(st.st_mode) && depth < 20)
			walk(path, r, depth + 1);
	}
}

static void change(const char *root)
{
	char p[4096], buf[10000];
	int fd;

	memset(buf, 'w', sizeof(buf));
	snprintf(p, sizeof(p), "%s/new-file", root);
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	printf("create: %d\n", fd < 0 ? -errno : 0);
	for (int i = 0; fd >= 0 && i < 40; i++)
		if (write(fd, buf, sizeof(buf)) < 0) {
			printf("write: %s\n", strerror(errno));
			break;
		}
	if (fd >= 0)
		printf("fsync: %d\n", fsync(fd) < 0 ? -errno : 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/sub/new-dir", root);
	printf("mkdir: %d\n", mkdir(p, 0755) < 0 ? -errno : 0);
	snprintf(p, sizeof(p), "%s/sub/deeper/f7", root);
	printf("unlink: %d\n", unlink(p) < 0 ? -errno : 0);
	snprintf(p, sizeof(p), "%s/sub/random", root);
	printf("truncate: %d\n", truncate(p, 1000) < 0 ? -errno : 0);
	sync();
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	walk(argv[1], "", 0);
	if (argc > 2 && !strcmp(argv[2], "damaged"))
		change(argv[1]);
	return 0;
}

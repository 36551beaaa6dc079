/*
 * tests/storage/cache.c: the ext2 cache's ways to the disk, for tests/
 * storage/cache.sh, which reads the image back with debugfs. Modes:
 *   wb DIR        writes DIR/wb ("background\n"), prints "written",
 *                 sleeps 20 s (the background writer has 5), prints
 *                 "slept", then sleeps on until the host kills the VM
 *   map DIR       DIR/mapped: 3 pages through a MAP_SHARED mapping,
 *                 msync(MS_SYNC); DIR/mapped2 the same without msync
 *                 (the sync at exit writes it)
 *   fill DIR MIB  DIR/fill, MIB MiB of 'f', fsync
 *   rm DIR        removes DIR/fill, syncfs
 *   punch DIR     DIR/punch: 4 MiB of 'p', then a hole punched in
 *                 [1 MiB + 100, 3 MiB + 100): st_blocks before and after
 *                 (fewer), the bytes at the hole's edges
 *   pressure FILE reads FILE ("-": none) through the cache, then touches
 *                 anonymous pages until one faults for want of memory
 *                 (SIGBUS, caught), frees them and prints the MiB it got
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB (1 << 20)

static char *path(const char *dir, const char *name)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

static int must(const char *what, long r)
{
	if (r < 0) {
		printf("%s: %s\n", what, strerror(errno));
		exit(1);
	}
	return (int)r;
}

static void fill(int fd, char c, size_t bytes)
{
	static char buf[65536];

	memset(buf, c, sizeof(buf));
	for (size_t done = 0; done < bytes; done += sizeof(buf))
		must("write", write(fd, buf, sizeof(buf)));
}

static void map_one(const char *dir, const char *name, int do_msync)
{
	int fd = must("open", open(path(dir, name), O_RDWR | O_CREAT | O_TRUNC, 0644));
	must("ftruncate", ftruncate(fd, 3 * 4096));
	char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		must("mmap", -1);
	for (int i = 0; i < 3 * 4096; i++)
		p[i] = 'a' + i % 26;
	if (do_msync)
		printf("msync: %d\n", msync(p, 3 * 4096, MS_SYNC));
	must("munmap", munmap(p, 3 * 4096));
	must("close", close(fd));
}

static void punch(const char *dir)
{
	int fd = must("open", open(path(dir, "punch"), O_RDWR | O_CREAT | O_TRUNC, 0644));
	struct stat a, b;
	char c[2];

	fill(fd, 'p', 4 * MIB);
	must("fstat", fstat(fd, &a));
	printf("fallocate punch: %d\n",
	       fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			 MIB + 100, 2 * MIB));
	must("fstat", fstat(fd, &b));
	printf("size kept: %s\n", a.st_size == b.st_size ? "yes" : "no");
	printf("fewer blocks: %s\n", b.st_blocks < a.st_blocks - 3000 ? "yes" : "no");
	must("pread", pread(fd, c, 2, MIB + 98));
	printf("before the hole: %c%c\n", c[0], c[1]);
	must("pread", pread(fd, c, 2, MIB + 100));
	printf("hole starts: %d%d\n", c[0], c[1]);
	must("pread", pread(fd, c, 2, 3 * MIB + 98));
	printf("hole ends: %d%d\n", c[0], c[1]);
	must("pread", pread(fd, c, 2, 3 * MIB + 100));
	printf("after the hole: %c%c\n", c[0], c[1]);
	must("fsync", fsync(fd));
	must("close", close(fd));
}

static sigjmp_buf out_of_memory;

static void on_fault(int sig)
{
	(void)sig;
	siglongjmp(out_of_memory, 1);
}

/* The MiB of anonymous memory the program gets after reading file. */
static void pressure(const char *file)
{
	static char buf[1 << 16];
	size_t len = (size_t)4 << 30;
	volatile size_t i = 0;
	char *p;

	if (strcmp(file, "-")) {
		int fd = must("open", open(file, O_RDONLY));
		while (must("read", read(fd, buf, sizeof(buf))) > 0)
			;
		close(fd);
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		must("mmap", -1);
	signal(SIGBUS, on_fault);
	signal(SIGSEGV, on_fault);
	/* The handler's path and printf once now, while there is memory
	 * for their pages (the binary's text is loaded on fault). */
	printf("touching\n");
	if (!sigsetjmp(out_of_memory, 1))
		raise(SIGBUS);
	if (!sigsetjmp(out_of_memory, 1))
		for (i = 0; i < len; i += 4096) {
			p[i] = 1;
			if (i % (8 << 20) == 0)
				usleep(1000); /* the kernel's writer may run */
		}
	munmap(p, len);
	printf("got %zu MiB\n", i >> 20);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	const char *mode = argv[1], *dir = argv[2];

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(mode, "wb")) {
		int fd = must("open", open(path(dir, "wb"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
		must("write", write(fd, "background\n", 11));
		printf("written\n");
		sleep(20);
		printf("slept\n");
		for (;;)
			pause();
	} else if (!strcmp(mode, "map")) {
		map_one(dir, "mapped", 1);
		map_one(dir, "mapped2", 0);
	} else if (!strcmp(mode, "fill") && argc == 4) {
		int fd = must("open", open(path(dir, "fill"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
		fill(fd, 'f', (size_t)atoi(argv[3]) * MIB);
		printf("fsync: %d\n", fsync(fd));
		close(fd);
	} else if (!strcmp(mode, "rm")) {
		int fd = must("open", open(dir, O_RDONLY | O_DIRECTORY));
		must("unlink", unlink(path(dir, "fill")));
		printf("syncfs: %d\n", syncfs(fd));
	} else if (!strcmp(mode, "pressure")) {
		pressure(dir);
	} else if (!strcmp(mode, "punch")) {
		punch(dir);
	} else {
		return 2;
	}
	return 0;
}

/*
 * file_shared_map: MAP_SHARED mappings of a regular file in the working
 * directory (ramfs, or an ext2 volume in tests/storage's apps case):
 * stores through the mapping are what read() returns, write() shows in
 * the mapping, msync(MS_SYNC) and fsync succeed, two mappings of one file
 * agree, a mapping over a hole reads zeros and a store fills it, a
 * truncate and a later extension read zeros, the file stays after munmap
 * and close, and fallocate (mode 0) and fdatasync/syncfs on the file;
 * read and write whose buffer is a mapping of another file (or the same
 * one) not yet touched, so that the buffer's page faults in the middle of
 * the file system's own read or write.
 */
#include "check.h"
#include <sys/mman.h>

#define PG 4096

static void show_bytes(const char *what, int fd, off_t at, size_t n)
{
	char buf[64] = { 0 };
	ssize_t r = pread(fd, buf, n, at);

	for (ssize_t i = 0; i < r; i++)
		if (!buf[i])
			buf[i] = '.';
	say("%s: %zd \"%s\"", what, r, buf);
}

static void basic(void)
{
	int fd = SHOW(open("m1", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SHOW(ftruncate(fd, 3 * PG));
	char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	yes("mapped", p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	memcpy(p + 10, "stored", 6);
	memcpy(p + 2 * PG + 100, "third", 5);
	show_bytes("read after store", fd, 8, 10);
	show_bytes("read page 3", fd, 2 * PG + 100, 5);
	SHOW(pwrite(fd, "WRITTEN", 7, PG + 5));
	say("map sees write: %.7s", p + PG + 5);
	SHOW(msync(p, 3 * PG, MS_SYNC));
	SHOW(msync(p, PG, MS_ASYNC));
	SHOW(fsync(fd));
	SHOW(fdatasync(fd));
	SHOW(syncfs(fd));

	char *q = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, PG);
	yes("second map", q != MAP_FAILED);
	if (q != MAP_FAILED) {
		say("second map sees: %.7s", q + 5);
		p[PG + 5] = 'w';
		say("after store through the first: %.7s", q + 5);
		SHOW(munmap(q, PG));
	}
	SHOW(munmap(p, 3 * PG));
	SHOW(close(fd));

	fd = SHOW(open("m1", O_RDONLY));
	show_bytes("reopened", fd, 8, 10);
	show_bytes("reopened page 2", fd, PG + 5, 7);
	struct stat st;
	SHOW(fstat(fd, &st));
	say("size %lld", (long long)st.st_size);
	SHOW(close(fd));
}

static void holes_and_truncate(void)
{
	int fd = SHOW(open("m2", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SHOW(ftruncate(fd, 8 * PG)); /* all holes */
	char *p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	yes("mapped", p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	int zero = 1;
	for (int i = 0; i < 8 * PG; i++)
		zero &= p[i] == 0;
	yes("hole reads zeros", zero);
	p[5 * PG + 1] = 'x';
	SHOW(msync(p, 8 * PG, MS_SYNC));
	show_bytes("read filled hole", fd, 5 * PG, 3);

	/* Shrink into the middle of page 1, then grow back. */
	memset(p + PG, 'y', PG);
	SHOW(ftruncate(fd, PG + 100));
	SHOW(ftruncate(fd, 3 * PG));
	show_bytes("kept before the cut", fd, PG + 96, 4);
	show_bytes("zeros after the cut", fd, PG + 100, 8);
	say("map after the cut: %c %d", p[PG + 99], p[PG + 100]);
	SHOW(munmap(p, 8 * PG));

	SHOW(fallocate(fd, 0, 0, 5 * PG));
	struct stat st;
	SHOW(fstat(fd, &st));
	say("size after fallocate %lld", (long long)st.st_size);
	show_bytes("fallocated", fd, 4 * PG, 4);
	SHOW(close(fd));
}

static void past_end(void)
{
	int fd = SHOW(open("m3", O_RDWR | O_CREAT | O_TRUNC, 0644));
	SHOW(write(fd, "abc", 3));
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	yes("mapped", p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	say("first bytes: %.3s, after end: %d", p, p[3]);
	p[100] = 'z'; /* inside the page, past the end: not in the file */
	SHOW(msync(p, PG, MS_SYNC));
	struct stat st;
	SHOW(fstat(fd, &st));
	say("size %lld", (long long)st.st_size);
	SHOW(write(fd, "defg", 4));
	say("map sees the append: %.7s", p);
	SHOW(munmap(p, PG));
	SHOW(close(fd));
}

static void buffer_is_a_map(void)
{
	int a = SHOW(open("m4", O_RDWR | O_CREAT | O_TRUNC, 0644));
	int b = SHOW(open("m5", O_RDWR | O_CREAT | O_TRUNC, 0644));
	char text[2 * PG];

	for (int i = 0; i < 2 * PG; i++)
		text[i] = 'A' + i % 23;
	SHOW(write(a, text, 2 * PG));
	SHOW(write(b, text, 2 * PG));
	char *s = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, a, 0);
	char *pv = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, a, 0);
	yes("mapped", s != MAP_FAILED && pv != MAP_FAILED);
	if (s == MAP_FAILED || pv == MAP_FAILED)
		return;
	SHOW(pwrite(b, s + PG - 50, 100, 10));      /* source: a shared map */
	SHOW(pwrite(b, pv + 100, 100, 300));        /* source: a private map */
	SHOW(pread(b, s + PG + 7, 64, 1000));       /* destination: a map */
	SHOW(pwrite(a, s + 20, 30, 4000));          /* the same file's map */
	show_bytes("b at 10", b, 10, 12);
	show_bytes("b at 300", b, 300, 12);
	show_bytes("a at 4000", a, 4000, 12);
	show_bytes("a at page 2", a, PG + 7, 12);
	SHOW(munmap(s, 2 * PG));
	SHOW(munmap(pv, 2 * PG));
	SHOW(close(a));
	SHOW(close(b));
}

int main(void)
{
	basic();
	holes_and_truncate();
	past_end();
	buffer_is_a_map();
	SHOW(unlink("m4"));
	SHOW(unlink("m5"));
	SHOW(unlink("m1"));
	SHOW(unlink("m2"));
	SHOW(unlink("m3"));
	return 0;
}

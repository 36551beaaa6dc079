/*
 * mmap_shared: MAP_SHARED mappings of a file in /tmp (ramfs in Skiff):
 * stores through the mapping are seen by pread and by a second mapping,
 * pwrite is seen through the mapping, msync succeeds and the data
 * survives munmap and a new open; a file grown with ftruncate can be
 * mapped further; MAP_SHARED|MAP_ANONYMOUS memory is zeroed and shared
 * by two threads; msync and mprotect errors.
 */
#include <pthread.h>
#include <sys/mman.h>
#include "check.h"

#define PG 4096

static volatile int *shm;

static void *bump(void *arg)
{
	for (int i = 0; i < 1000; i++)
		__atomic_add_fetch(shm, 1, __ATOMIC_SEQ_CST);
	return arg;
}

int main(void)
{
	int fd, fd2, ro;
	char *a, *b, buf[16] = "";
	pthread_t t;

	scratch_enter("mmap_shared");
	fd = open("f", O_RDWR | O_CREAT, 0644);
	SHOW(ftruncate(fd, 2 * PG));
	a = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	b = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	yes("two shared mappings", a != MAP_FAILED && b != MAP_FAILED && a != b);
	memcpy(a + 10, "shared!", 7);
	memcpy(a + PG + 3, "page2", 5);
	SHOW(pread(fd, buf, 7, 10));
	say("  pread sees \"%.7s\"", buf);
	say("  second mapping sees \"%.7s\" and \"%.5s\"", b + 10, b + PG + 3);
	SHOW(pwrite(fd, "PWRITE", 6, 100));
	say("  mapping sees \"%.6s\"", a + 100);
	SHOW(msync(a, 2 * PG, MS_SYNC));
	SHOW(msync(a, PG, MS_ASYNC));
	SHOW(msync(a, PG, MS_INVALIDATE));
	SHOW(munmap(a, 2 * PG));
	SHOW(munmap(b, 2 * PG));
	close(fd);

	fd2 = open("f", O_RDWR);
	memset(buf, 0, sizeof(buf));
	SHOW(pread(fd2, buf, 5, PG + 3));
	say("  after munmap and a new open: \"%.5s\"", buf);
	SHOW(ftruncate(fd2, 4 * PG));
	a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
	a[3 * PG] = 'E';
	SHOW(pread(fd2, buf, 1, 3 * PG));
	say("  grown file, last page written through the map: %c", buf[0]);
	SHOW(msync(a + 1, PG, MS_SYNC));
	SHOW(msync(a, PG, MS_SYNC | MS_ASYNC));
	SHOW(msync(a, PG, 0x100));
	munmap(a, 4 * PG);
	SHOW(msync(a, PG, MS_SYNC));

	ro = open("f", O_RDONLY);
	a = mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
	SHOW(mprotect(a, PG, PROT_READ | PROT_WRITE));
	munmap(a, PG);

	shm = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	say("MAP_SHARED|MAP_ANONYMOUS starts at %d", *shm);
	pthread_create(&t, NULL, bump, NULL);
	bump(NULL);
	pthread_join(t, NULL);
	say("  after two threads added 1000 each: %d", *shm);
	scratch_leave();
	return 0;
}

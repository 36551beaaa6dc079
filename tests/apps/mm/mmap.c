/*
 * mmap: anonymous mappings through the raw system calls: placement hints,
 * MAP_FIXED over an existing mapping, partial munmap, mremap growth in
 * place and with a move, madvise(MADV_DONTNEED) zeroing, file mappings,
 * and the errors Linux gives for bad lengths, flags, fds and alignment.
 */
#include <stdint.h>
#include <sys/mman.h>
#include "check.h"

#define PG 4096UL

static void *map(void *hint, size_t len, int prot, int flags, int fd, long off)
{
	return (void *)syscall(SYS_mmap, hint, len, prot, flags, fd, off);
}

/* An address range known to be free: mapped, then unmapped. */
static char *hole;

static void errors(void)
{
	int A = MAP_PRIVATE | MAP_ANONYMOUS;

	hole = map(NULL, 256 * PG, PROT_NONE, A, -1, 0);
	SHOW(syscall(SYS_munmap, hole, 256 * PG));

	SHOW_PTR(map(NULL, 0, PROT_READ, A, -1, 0), MAP_FAILED);
	SHOW_PTR(map(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0), MAP_FAILED);
	SHOW_PTR(map(NULL, PG, PROT_READ, MAP_SHARED | MAP_PRIVATE, -1, 0), MAP_FAILED);
	SHOW_PTR(map(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0), MAP_FAILED);
	SHOW_PTR(map(NULL, PG, PROT_READ, MAP_PRIVATE, 99, 0), MAP_FAILED);
	SHOW_PTR(map(NULL, PG, PROT_READ, A, -1, 1), MAP_FAILED);
	SHOW_PTR(map((void *)(PG + 1), PG, PROT_READ, A | MAP_FIXED, -1, 0), MAP_FAILED);
	SHOW_PTR(map(NULL, -PG, PROT_READ, A, -1, 0), MAP_FAILED);
	SHOW(syscall(SYS_munmap, (void *)(PG + 1), PG));
	SHOW(syscall(SYS_munmap, (void *)PG, 0));
	SHOW(syscall(SYS_munmap, hole, PG));
	SHOW(syscall(SYS_mremap, (void *)(PG + 1), PG, 2 * PG, 0));
	SHOW(syscall(SYS_mremap, hole, PG, 2 * PG, 0));
	SHOW(syscall(SYS_mremap, hole, PG, 2 * PG, 99));
	SHOW(syscall(SYS_madvise, (void *)(PG + 1), PG, MADV_DONTNEED));
	SHOW(syscall(SYS_madvise, (void *)PG, PG, 12345));
}

static void anon(void)
{
	int A = MAP_PRIVATE | MAP_ANONYMOUS;
	char *p, *q, *r;
	unsigned long i, nz = 0;

	p = map(NULL, 16 * PG, PROT_READ | PROT_WRITE, A, -1, 0);
	yes("mmap 16 pages", p != MAP_FAILED);
	yes("page aligned", ((uintptr_t)p & (PG - 1)) == 0);
	for (i = 0; i < 16 * PG; i++)
		nz += p[i] != 0;
	say("nonzero bytes in a fresh mapping = %lu", nz);
	memset(p, 0xab, 16 * PG);
	SHOW(syscall(SYS_munmap, p + 4 * PG, 4 * PG));
	q = map(p + 4 * PG, 4 * PG, PROT_READ | PROT_WRITE, A | MAP_FIXED, -1, 0);
	yes("MAP_FIXED into the hole lands there", q == p + 4 * PG);
	say("refilled hole reads %d, neighbours %d %d", q[0], p[4 * PG - 1] & 0xff,
	    p[8 * PG] & 0xff);
	q = map(p, PG, PROT_READ | PROT_WRITE, A | MAP_FIXED, -1, 0);
	say("MAP_FIXED over live page: same address %s, reads %d",
	    q == p ? "yes" : "no", p[0]);
	SHOW(syscall(SYS_madvise, p + PG, PG, MADV_DONTNEED));
	say("after MADV_DONTNEED the page reads %d, next page %d", p[PG], p[2 * PG] & 0xff);
	SHOW(syscall(SYS_madvise, p, 16 * PG, MADV_NORMAL));
	SHOW(syscall(SYS_madvise, p, 16 * PG, MADV_WILLNEED));
	SHOW(syscall(SYS_madvise, p, 16 * PG, MADV_DONTFORK));
	SHOW(syscall(SYS_munmap, p, 16 * PG));
	SHOW(syscall(SYS_munmap, p, 16 * PG));

	/* mremap: shrink in place, then grow with MREMAP_MAYMOVE */
	p = map(NULL, 8 * PG, PROT_READ | PROT_WRITE, A, -1, 0);
	for (i = 0; i < 8; i++)
		p[i * PG] = (char)i;
	r = (char *)syscall(SYS_mremap, p, 8 * PG, 4 * PG, 0);
	yes("mremap shrink stays in place", r == p);
	r = (char *)syscall(SYS_mremap, p, 4 * PG, 64 * PG, MREMAP_MAYMOVE);
	yes("mremap grow (may move) succeeded", r != MAP_FAILED);
	say("contents kept: %d %d %d %d, new tail reads %d", r[0], r[PG], r[2 * PG],
	    r[3 * PG], r[63 * PG]);
	r[63 * PG] = 1;
	/* the target of MREMAP_FIXED is replaced: make it ours first */
	p = map(NULL, 64 * PG, PROT_NONE, A, -1, 0);
	q = (char *)syscall(SYS_mremap, r, 64 * PG, 64 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, p);
	yes("mremap MREMAP_FIXED moves to the given address", q == p);
	say("moved contents: %d %d", q[3 * PG], q[63 * PG]);
	SHOW(syscall(SYS_munmap, q, 64 * PG));
}

static void file(void)
{
	char buf[PG * 2], *p;
	int fd, i;

	scratch_enter("mmap");
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = 'a' + i % 26;
	fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (write(fd, buf, sizeof(buf) - 100) != (ssize_t)sizeof(buf) - 100)
		say("write failed");
	p = map(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	yes("private file mapping", p != MAP_FAILED);
	if (p != MAP_FAILED) {
		say("bytes: %.5s %.5s", p, p + PG + 10);
		say("last byte of the file %c, the rest of its page reads %d %d",
		    p[2 * PG - 101], p[2 * PG - 100], p[2 * PG - 1]);
		SHOW(syscall(SYS_munmap, p, 2 * PG));
	}
	p = map(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, PG);
	if (p != MAP_FAILED) {
		say("offset mapping: %.5s", p);
		p[0] = '#';
		if (pread(fd, buf, 1, PG) == 1)
			say("private write not in the file: %s", buf[0] == '#' ? "no" : "yes");
		SHOW(syscall(SYS_munmap, p, PG));
	}
	SHOW_PTR(map(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 100), MAP_FAILED);
	close(fd);
	fd = open("f", O_WRONLY);
	SHOW_PTR(map(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0), MAP_FAILED);
	close(fd);
	scratch_leave();
}

int main(void)
{
	errors();
	anon();
	file();
	return 0;
}

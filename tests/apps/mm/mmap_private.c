/*
 * mmap_private: MAP_PRIVATE mappings of a file: the contents at offset 0
 * and at a page offset, zeros after the end of the file in its last page,
 * SIGBUS (BUS_ADRERR) for a whole page past the end, copy-on-write
 * (writes stay in the mapping, the file is unchanged), writable private
 * mappings of a read-only descriptor, mprotect to PROT_WRITE on them, and
 * the errors (EACCES, EINVAL, ENODEV, EBADF).
 */
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include "check.h"

#define PG 4096

static sigjmp_buf env;
static volatile int sig, code;

static void handler(int s, siginfo_t *si, void *uc)
{
	(void)uc;
	sig = s;
	code = si->si_code;
	siglongjmp(env, 1);
}

static void touch(const char *what, volatile char *p)
{
	sig = code = 0;
	if (sigsetjmp(env, 1) == 0)
		say("%s: read %d", what, *p);
	else
		say("%s: signal %d code %d", what, sig, code);
}

static int pattern_ok(const char *m, long off, long n)
{
	for (long i = 0; i < n; i++)
		if (m[i] != (char)('a' + (off + i) % 26))
			return 0;
	return 1;
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
	long size = 3 * PG + 100;
	char *buf = malloc(size), *m, *m2, back[8];
	int fd, ro, wo;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	scratch_enter("mmap_private");
	for (long i = 0; i < size; i++)
		buf[i] = 'a' + i % 26;
	fd = open("f", O_RDWR | O_CREAT, 0644);
	if (write(fd, buf, size) != size)
		return 1;
	ro = open("f", O_RDONLY);
	wo = open("f", O_WRONLY);

	m = mmap(NULL, 5 * PG, PROT_READ, MAP_PRIVATE, ro, 0);
	yes("map 5 pages of a 3-page-and-100-byte file", m != MAP_FAILED);
	yes("  contents match", pattern_ok(m, 0, size));
	yes("  rest of the last page is zero", m[size] == 0 && m[4 * PG - 1] == 0);
	touch("  page past the end", m + 4 * PG);
	munmap(m, 5 * PG);

	m = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, ro, 2 * PG);
	yes("map at offset 2 pages: contents match", m != MAP_FAILED && pattern_ok(m, 2 * PG, PG));
	munmap(m, PG);

	m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	yes("PROT_WRITE private map of a read-only fd", m != MAP_FAILED);
	m[0] = 'Z';
	m[PG + 1] = 'Y';
	say("  mapping reads %c %c", m[0], m[PG + 1]);
	SHOW(pread(fd, back, 2, 0));
	say("  file still starts with %.2s", back);
	m2 = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, ro, 0);
	say("  a second private mapping reads %c", m2[0]);
	munmap(m, 2 * PG);
	munmap(m2, 2 * PG);

	m = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, ro, 0);
	SHOW(mprotect(m, PG, PROT_READ | PROT_WRITE));
	m[5] = '!';
	say("  written after mprotect: %c", m[5]);
	munmap(m, PG);

	SHOW_PTR(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, wo, 0), MAP_FAILED);
	SHOW_PTR(mmap(NULL, PG, PROT_READ, MAP_SHARED, wo, 0), MAP_FAILED);
	SHOW_PTR(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), MAP_FAILED);
	SHOW_PTR(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, ro, 100), MAP_FAILED);
	SHOW_PTR(mmap(NULL, 0, PROT_READ, MAP_PRIVATE, ro, 0), MAP_FAILED);
	SHOW_PTR(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 99, 0), MAP_FAILED);
	SHOW_PTR(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, open(".", O_RDONLY), 0), MAP_FAILED);
	m = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, open("/dev/zero", O_RDONLY), 0);
	yes("private map of /dev/zero reads zeros", m != MAP_FAILED && m[0] == 0 && m[PG - 1] == 0);
	close(fd);
	scratch_leave();
	return 0;
}

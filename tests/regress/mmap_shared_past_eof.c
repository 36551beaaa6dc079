/*
 * mmap_shared_past_eof: a MAP_SHARED mapping of a file in /tmp (ramfs in
 * Skiff) that a truncate cut showed bytes past the end of the file: after
 * ftruncate down, the rest of the last page must read as zeros (in the
 * mapping made before and in one made after), and a page wholly past the
 * end must give SIGBUS (BUS_ADRERR), not the old bytes. Also a write
 * through the mapping past the end is not part of the file (pread).
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

int main(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
	static char buf[3 * PG];
	char *a, *b;
	int fd;

	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	scratch_enter("mmap_shared_past_eof");
	fd = open("f", O_RDWR | O_CREAT, 0644);
	memset(buf, 'A', sizeof(buf));
	SHOW(pwrite(fd, buf, sizeof(buf), 0));
	a = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	yes("mapped", a != MAP_FAILED);
	touch("page 2 before the truncate", a + 2 * PG + 5);
	touch("page 1 before the truncate", a + PG + 500);
	SHOW(ftruncate(fd, PG + 100));
	touch("last byte of the file", a + PG + 99);
	touch("first byte past the end", a + PG + 100);
	touch("past the end, same page", a + PG + 500);
	touch("page wholly past the end", a + 2 * PG + 5);
	a[PG + 200] = 'X';
	memset(buf, 0, sizeof(buf));
	SHOW(pread(fd, buf, PG, PG));
	say("  pread past the end written through the mapping: %d", buf[200]);
	b = mmap(NULL, 3 * PG, PROT_READ, MAP_SHARED, fd, 0);
	yes("mapped again", b != MAP_FAILED);
	touch("new mapping, page wholly past the end", b + 2 * PG);
	touch("new mapping, last byte of the file", b + PG + 99);
	munmap(a, 3 * PG);
	munmap(b, 3 * PG);
	close(fd);
	scratch_leave();
	return 0;
}

/*
 * segv_longjmp: synchronous faults caught by a SA_SIGINFO handler that
 * leaves with siglongjmp: reads of NULL and of an unmapped page
 * (SEGV_MAPERR), a write to a read-only page and to a string literal and
 * a jump into a page without PROT_EXEC (SEGV_ACCERR), a non-canonical
 * address (SI_KERNEL, address 0); si_addr is exact; SIGSEGV is unblocked
 * again after each jump, so fault after fault is caught.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include "check.h"

static sigjmp_buf env;
static volatile siginfo_t got;

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got = *si;
	siglongjmp(env, 1);
}

static void fault(const char *what, void (*fn)(void *), void *addr)
{
	memset((void *)&got, 0, sizeof(got));
	if (sigsetjmp(env, 1) == 0) {
		fn(addr);
		say("%s: no fault", what);
		return;
	}
	say("%s: signal %d code %d, si_addr %s", what, got.si_signo, got.si_code,
	    got.si_addr == addr ? "exact" : got.si_addr == NULL ? "NULL" : "other");
}

static void rd(void *p)
{
	(void)*(volatile char *)p;
}

static void wr(void *p)
{
	*(volatile char *)p = 1;
}

static void call(void *p)
{
	((void (*)(void))p)();
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
	char *ro, *noexec, *hole;
	static const char literal[] = "constant";
	sigset_t now;

	sigemptyset(&sa.sa_mask);
	SHOW(sigaction(SIGSEGV, &sa, NULL));
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	noexec = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hole = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(hole + 4096, 4096);
	noexec[0] = (char)0xc3;	/* ret */

	fault("read NULL", rd, NULL);
	fault("read NULL + 0x10", rd, (void *)0x10);
	fault("read an unmapped page", rd, hole + 4096 + 123);
	fault("write a PROT_READ page", wr, ro + 77);
	fault("write a string literal", wr, (void *)literal);
	fault("call a page without PROT_EXEC", call, noexec);
	fault("read a non-canonical address", rd, (void *)0x8000000000000000UL);
	for (int i = 0; i < 3; i++)
		fault("read NULL again", rd, NULL);
	fault("read a mapped page", rd, ro);
	sigprocmask(SIG_BLOCK, NULL, &now);
	yes("SIGSEGV unblocked after the jumps", !sigismember(&now, SIGSEGV));
	return 0;
}

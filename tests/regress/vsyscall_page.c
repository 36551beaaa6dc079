/*
 * vsyscall_page: the legacy vsyscall page (0xffffffffff600000) that old
 * static binaries call for gettimeofday, time and getcpu works as on this
 * host's Linux (vsyscall=xonly: the calls are emulated, reading the page or
 * calling elsewhere in it is SIGSEGV). Reproducer: Skiff panicked on the
 * instruction fetch at a kernel-half address.
 */
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include "check.h"

#define VSYS 0xffffffffff600000ul

static sigjmp_buf back;
static volatile int got_sig;

static void on_segv(int sig)
{
	got_sig = sig;
	siglongjmp(back, 1);
}

int main(void)
{
	long (*vgettimeofday)(struct timeval *, void *) = (void *)(VSYS);
	long (*vtime)(long *) = (void *)(VSYS + 0x400);
	long (*vgetcpu)(unsigned *, unsigned *, void *) = (void *)(VSYS + 0x800);
	long (*vbad)(void) = (void *)(VSYS + 0x100);
	struct timeval tv = { 0, 0 };
	unsigned cpu = ~0u, node = ~0u;
	long t = 0;

	signal(SIGSEGV, on_segv);
	long r = vtime(&t);
	long now = time(NULL);
	yes("time() agrees with time(2)", r == t && now - r >= 0 && now - r <= 2);
	say("time(NULL) positive: %d", vtime(NULL) > 0);
	r = vgettimeofday(&tv, NULL);
	say("gettimeofday = %ld", r);
	/* Linux's time() reads the coarse clock of the last tick, which can
	 * be a second behind gettimeofday just past a second's boundary. */
	now = time(NULL);
	yes("gettimeofday agrees with time(2)",
	    tv.tv_sec <= now + 1 && now - tv.tv_sec <= 2);
	r = vgetcpu(&cpu, &node, NULL);
	say("getcpu = %ld", r);
	yes("cpu and node set", cpu != ~0u && node != ~0u);

	if (sigsetjmp(back, 1) == 0) {
		volatile unsigned char c = *(volatile unsigned char *)VSYS;
		say("read the page: %d (not as Linux's xonly)", c);
	} else {
		say("read the page: signal %d", got_sig);
	}
	if (sigsetjmp(back, 1) == 0) {
		vbad();
		say("call into the middle of the page: returned (wrong)");
	} else {
		say("call into the middle of the page: signal %d", got_sig);
	}
	if (sigsetjmp(back, 1) == 0) {
		vtime((long *)0x10);
		say("time(bad pointer): returned (wrong)");
	} else {
		say("time(bad pointer): signal %d", got_sig);
	}
	return 0;
}

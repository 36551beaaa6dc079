/*
 * jump_kernel_addr: a program that jumps, calls or returns to a kernel-half
 * or non-canonical address dies of SIGSEGV as on Linux (a handler sees it;
 * without one the exit status is 139). Reproducer: Skiff decided "kernel
 * fault" from the faulting RIP alone and panicked (exit 125) on a classic
 * stack smash returning to 0x4141414141414141, on `call -1` and on
 * `call 0xdeadbeefdeadbeef`.
 */
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include "check.h"

static sigjmp_buf back;
static volatile int got_sig, got_code;
static volatile unsigned long got_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_addr = (unsigned long)si->si_addr;
	siglongjmp(back, 1);
}

/* Returns to addr: what a smashed return address does. */
static void __attribute__((noinline)) return_to(unsigned long addr)
{
	asm volatile("pushq %0; ret" : : "r"(addr) : "memory");
}

static void __attribute__((noinline)) call_to(unsigned long addr)
{
	asm volatile("call *%0" : : "r"(addr) : "memory");
}

static void try(const char *what, void (*how)(unsigned long), unsigned long addr)
{
	got_sig = 0;
	if (sigsetjmp(back, 1) == 0) {
		how(addr);
		say("%s %#lx: returned (wrong)", what, addr);
		return;
	}
	say("%s %#lx: signal %d code %#x addr %#lx", what, addr, got_sig,
	    got_code, got_addr);
}

int main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);

	try("return to", return_to, 0x4141414141414141ul);
	try("call", call_to, 0xdeadbeefdeadbeeful);
	try("call", call_to, ~0ul);
	try("call", call_to, 0xffff800000000000ul);
	try("return to", return_to, 0x0000800000000000ul);

	/* And with no handler: the default action, exit status 139. */
	signal(SIGSEGV, SIG_DFL);
	say("returning to 0x4141414141414141 without a handler");
	die_flush();
	return_to(0x4141414141414141ul);
	say("survived (wrong)");
	return 0;
}

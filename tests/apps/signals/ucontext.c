/*
 * ucontext: handlers of synchronous faults that change the interrupted
 * context through the ucontext and return (rt_sigreturn loads it): ud2
 * (SIGILL, ILL_ILLOPN at the instruction) resumed past it with RAX set;
 * a load through a NULL RBX (SIGSEGV) retried after pointing RBX at
 * data; a divide by zero (SIGFPE, FPE_INTDIV) skipped; int3 (SIGTRAP)
 * resumes after itself; a signal added to uc_sigmask stays blocked.
 */
#include <signal.h>
#include <stdint.h>
#include <ucontext.h>
#include "check.h"

static volatile long value = 4242;
static siginfo_t got;
static volatile uintptr_t fault_ip;
static volatile int fpregs_present;

static void on_ill(int sig, siginfo_t *si, void *p)
{
	ucontext_t *uc = p;

	(void)sig;
	got = *si;
	fault_ip = uc->uc_mcontext.gregs[REG_RIP];
	fpregs_present = uc->uc_mcontext.fpregs != NULL;
	uc->uc_mcontext.gregs[REG_RIP] += 2;	/* ud2 */
	uc->uc_mcontext.gregs[REG_RAX] = 42;
	sigaddset(&uc->uc_sigmask, SIGUSR2);
}

static void on_segv(int sig, siginfo_t *si, void *p)
{
	ucontext_t *uc = p;

	(void)sig;
	got = *si;
	uc->uc_mcontext.gregs[REG_RBX] = (greg_t)&value;	/* retry the load */
}

static void on_fpe(int sig, siginfo_t *si, void *p)
{
	ucontext_t *uc = p;

	(void)sig;
	got = *si;
	uc->uc_mcontext.gregs[REG_RIP] += 2;	/* idiv %ecx */
	uc->uc_mcontext.gregs[REG_RAX] = -7;
}

static void on_trap(int sig, siginfo_t *si, void *p)
{
	ucontext_t *uc = p;

	(void)sig;
	got = *si;
	fault_ip = uc->uc_mcontext.gregs[REG_RIP];
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa = { .sa_sigaction = fn, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

int main(void)
{
	long r;
	uintptr_t at;
	sigset_t now;

	install(SIGILL, on_ill);
	__asm__ volatile("lea 1f(%%rip), %1\n\t"
			 "mov $1, %%eax\n"
			 "1:\tud2"
			 : "=a"(r), "=r"(at)
			 :
			 : "memory");
	say("ud2: signal %d code %d, RAX after return %ld", got.si_signo, got.si_code, r);
	yes("  si_addr is the ud2", (uintptr_t)got.si_addr == at);
	yes("  saved RIP is the ud2", fault_ip == at);
	yes("  fpregs present", fpregs_present);
	sigprocmask(SIG_BLOCK, NULL, &now);
	yes("  SIGUSR2 added to uc_sigmask is now blocked", sigismember(&now, SIGUSR2));

	install(SIGSEGV, on_segv);
	__asm__ volatile("xor %%ebx, %%ebx\n\t"
			 "mov (%%rbx), %0"
			 : "=r"(r)
			 :
			 : "rbx", "memory");
	say("load through NULL RBX: signal %d code %d, loaded %ld after the retry", got.si_signo,
	    got.si_code, r);

	install(SIGFPE, on_fpe);
	__asm__ volatile("mov $10, %%eax\n\t"
			 "cltd\n\t"
			 "xor %%ecx, %%ecx\n\t"
			 "idiv %%ecx"
			 : "=a"(r)
			 :
			 : "rcx", "rdx");
	say("divide by zero: signal %d code %d, RAX %d", got.si_signo, got.si_code, (int)r);

	install(SIGTRAP, on_trap);
	__asm__ volatile("int3\n"
			 "1:\tlea 1b(%%rip), %0"
			 : "=r"(at)
			 :
			 : "memory");
	say("int3: signal %d code %d", got.si_signo, got.si_code);
	yes("  saved RIP is just past the int3", fault_ip == at);
	return 0;
}

/*
 * signals: rt_sigaction and rt_sigprocmask through the raw system calls.
 * Nothing is delivered: handlers are installed and read back, masks are
 * changed and read back (SIGKILL and SIGSTOP cannot be blocked), and the
 * errors for bad signal numbers, sizes, "how" values and pointers.
 */
#include <signal.h>
#include <stdint.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

/* The kernel's struct sigaction on x86_64 (libc's differ). */
struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};
#define K_SA_RESTORER 0x04000000UL
#define BIT(s) (1ULL << ((s) - 1))

static void handler(int sig)
{
	(void)sig;
}

static void restorer(void)
{
}

static void actions(void)
{
	struct ksigaction sa = { handler, SA_RESTART | SA_SIGINFO | K_SA_RESTORER, restorer,
				 BIT(SIGUSR2) | BIT(SIGKILL) },
			  old;

	SHOW(SYS(SYS_rt_sigaction, SIGUSR1, &sa, NULL, 8));
	memset(&old, 0, sizeof(old));
	SHOW(SYS(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8));
	yes("  handler read back", old.handler == handler);
	yes("  restorer read back", old.restorer == restorer);
	say("  flags %#lx", old.flags);
	say("  mask has USR2 %d, KILL %d", !!(old.mask & BIT(SIGUSR2)), !!(old.mask & BIT(SIGKILL)));
	sa.handler = SIG_IGN;
	SHOW(SYS(SYS_rt_sigaction, SIGUSR1, &sa, &old, 8));
	yes("  old handler returned", old.handler == handler);
	SHOW(SYS(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8));
	yes("  now SIG_IGN", old.handler == SIG_IGN);
	SHOW(SYS(SYS_rt_sigaction, SIGTERM, NULL, &old, 8));
	yes("  SIGTERM is SIG_DFL", old.handler == SIG_DFL);
	SHOW(SYS(SYS_rt_sigaction, SIGRTMIN + 2, &sa, NULL, 8));
	SHOW(SYS(SYS_rt_sigaction, 64, &sa, NULL, 8));
	SHOW(SYS(SYS_rt_sigaction, 65, &sa, NULL, 8));
	SHOW(SYS(SYS_rt_sigaction, 0, &sa, NULL, 8));
	SHOW(SYS(SYS_rt_sigaction, -1, &sa, NULL, 8));
	SHOW(SYS(SYS_rt_sigaction, SIGKILL, &sa, NULL, 8));
	SHOW(SYS(SYS_rt_sigaction, SIGSTOP, &sa, NULL, 8));
	SHOW(SYS(SYS_rt_sigaction, SIGKILL, NULL, &old, 8));
	SHOW(SYS(SYS_rt_sigaction, SIGUSR1, &sa, NULL, 4));
	SHOW(SYS(SYS_rt_sigaction, SIGUSR1, &sa, NULL, 16));
	SHOW(SYS(SYS_rt_sigaction, SIGUSR1, (void *)16, NULL, 8));
	SHOW(SYS(SYS_rt_sigaction, SIGUSR1, NULL, (void *)16, 8));
	/* libc's own wrappers on top */
	SHOW(sigaction(SIGUSR2, &(struct sigaction){ .sa_handler = handler }, NULL));
	SHOW(signal(SIGPIPE, SIG_IGN) == SIG_ERR);
}

static void masks(void)
{
	uint64_t set, old;

	SHOW(SYS(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &old, 8));
	say("  initial mask %#llx", (unsigned long long)old);
	set = BIT(SIGUSR1) | BIT(SIGINT);
	SHOW(SYS(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8));
	set = BIT(SIGTERM) | BIT(SIGKILL) | BIT(SIGSTOP);
	SHOW(SYS(SYS_rt_sigprocmask, SIG_BLOCK, &set, &old, 8));
	say("  old %#llx", (unsigned long long)old);
	SHOW(SYS(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &old, 8));
	say("  now %#llx (no KILL, no STOP)", (unsigned long long)old);
	set = BIT(SIGINT);
	SHOW(SYS(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, &old, 8));
	SHOW(SYS(SYS_rt_sigprocmask, SIG_UNBLOCK, NULL, &old, 8));
	say("  now %#llx", (unsigned long long)old);
	set = ~0ULL;
	SHOW(SYS(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, 8));
	SHOW(SYS(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &old, 8));
	say("  all blocked: %#llx", (unsigned long long)old);
	SHOW(SYS(SYS_rt_sigprocmask, 3, &set, NULL, 8));
	SHOW(SYS(SYS_rt_sigprocmask, -1, &set, NULL, 8));
	SHOW(SYS(SYS_rt_sigprocmask, 3, NULL, &old, 8));
	SHOW(SYS(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, 4));
	SHOW(SYS(SYS_rt_sigprocmask, SIG_SETMASK, (void *)16, NULL, 8));
	SHOW(SYS(SYS_rt_sigprocmask, SIG_SETMASK, NULL, (void *)16, 8));
	set = 0;
	SHOW(SYS(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, 8));
	SHOW(SYS(SYS_rt_sigprocmask, SIG_SETMASK, NULL, NULL, 8));
}

int main(void)
{
	actions();
	masks();
	return 0;
}

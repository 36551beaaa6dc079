/*
 * sa_flags: what the sigaction flags change: without SA_NODEFER a signal
 * raised inside its own handler waits until the handler returns, with it
 * the handler nests; SA_RESETHAND resets the action to SIG_DFL on entry;
 * SA_ONSTACK runs the handler on the alternate stack and reports
 * SS_ONSTACK, without it the handler stays on the normal stack; sa_mask
 * signals are blocked inside only; the flags read back.
 */
#include <signal.h>
#include "check.h"

#define ALT_SIZE (64 * 1024)

static volatile int depth, max_depth, calls, blocked_inside, on_alt, ss_flags;
static char *alt;

static void nest(int sig)
{
	sigset_t now;

	calls++;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	sigprocmask(SIG_BLOCK, NULL, &now);
	blocked_inside = sigismember(&now, sig);
	if (calls == 1)
		raise(sig);
	depth--;
}

static void plain(int sig)
{
	sigset_t now;

	calls++;
	sigprocmask(SIG_BLOCK, NULL, &now);
	blocked_inside = sigismember(&now, sig);
}

static void where(int sig)
{
	char here;
	stack_t ss;

	(void)sig;
	on_alt = &here >= alt && &here < alt + ALT_SIZE;
	sigaltstack(NULL, &ss);
	ss_flags = ss.ss_flags;
}

static void with(int flags, void (*h)(int))
{
	struct sigaction sa = { .sa_handler = h, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	calls = depth = max_depth = 0;
	raise(SIGUSR1);
}

int main(void)
{
	struct sigaction old;
	stack_t ss = { .ss_sp = alt = malloc(ALT_SIZE), .ss_size = ALT_SIZE };

	with(0, nest);
	say("default: calls %d, max nesting %d, signal blocked inside %d", calls, max_depth,
	    blocked_inside);
	with(SA_NODEFER, nest);
	say("SA_NODEFER: calls %d, max nesting %d, signal blocked inside %d", calls, max_depth,
	    blocked_inside);
	sigaction(SIGUSR1, NULL, &old);
	yes("  SA_NODEFER reads back", old.sa_flags & SA_NODEFER);
	yes("  sa_mask reads back with SIGUSR2", sigismember(&old.sa_mask, SIGUSR2));

	with(SA_RESETHAND, plain);
	sigaction(SIGUSR1, NULL, &old);
	say("SA_RESETHAND: calls %d, signal blocked inside %d", calls, blocked_inside);
	yes("  action is SIG_DFL afterwards", old.sa_handler == SIG_DFL);
	say("  flags afterwards %#x", (unsigned)old.sa_flags & (SA_RESETHAND | SA_NODEFER | SA_SIGINFO));

	signal(SIGUSR1, SIG_IGN);
	SHOW(sigaltstack(&ss, NULL));
	with(SA_ONSTACK, where);
	say("SA_ONSTACK: on the alternate stack %d, ss_flags inside %d", on_alt, ss_flags);
	with(0, where);
	say("no SA_ONSTACK: on the alternate stack %d, ss_flags inside %d", on_alt, ss_flags);
	sigaction(SIGUSR1, NULL, &old);
	yes("SA_ONSTACK cleared on re-install", !(old.sa_flags & SA_ONSTACK));
	return 0;
}

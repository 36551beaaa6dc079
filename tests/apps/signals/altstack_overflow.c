/*
 * altstack_overflow: unbounded recursion overflows the stack; a SIGSEGV
 * handler installed with SA_ONSTACK runs on the alternate stack (checked
 * from inside), and leaves with siglongjmp. Done on the main thread and
 * on a thread with a 256 KiB stack and its own alternate stack; after
 * the jump sigaltstack no longer reports SS_ONSTACK. Plus the errors of
 * sigaltstack (too small, bad flags, changing it while on it).
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include "check.h"

#define ALT_SIZE (64 * 1024)

static __thread sigjmp_buf env;
static __thread char *alt_lo;
static __thread volatile int on_alt, ss_flags_inside, change_err;
static __thread volatile long depth;
static volatile int never;

static void handler(int sig)
{
	char here;
	stack_t ss, cur;

	(void)sig;
	on_alt = &here >= alt_lo && &here < alt_lo + ALT_SIZE;
	sigaltstack(NULL, &cur);
	ss_flags_inside = cur.ss_flags;
	ss = cur;
	ss.ss_flags = 0;
	change_err = sigaltstack(&ss, NULL) == 0 ? 0 : errno;
	siglongjmp(env, 1);
}

static __attribute__((noinline)) long recurse(long n)
{
	volatile char pad[512];

	pad[0] = (char)n;
	depth = n;
	if (never)
		return 0;
	return recurse(n + 1) + pad[0];
}

static void overflow(const char *who)
{
	stack_t ss = { .ss_sp = malloc(ALT_SIZE), .ss_size = ALT_SIZE };
	struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_ONSTACK };

	alt_lo = ss.ss_sp;
	sigemptyset(&sa.sa_mask);
	sigaltstack(&ss, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	if (sigsetjmp(env, 1) == 0) {
		recurse(0);
		say("%s: recursion ended: cannot happen", who);
		return;
	}
	say("%s: recovered from a stack overflow", who);
	yes("  deep recursion before the fault", depth > 100);
	yes("  handler ran on the alternate stack", on_alt);
	say("  ss_flags inside the handler: %d (SS_ONSTACK %d)", ss_flags_inside, SS_ONSTACK);
	say("  sigaltstack change while on it: %s", errname(change_err));
	sigaltstack(NULL, &ss);
	say("  ss_flags after the jump: %d", ss.ss_flags);
}

static void *thread_main(void *arg)
{
	overflow("thread");
	return arg;
}

int main(void)
{
	stack_t ss = { .ss_sp = malloc(ALT_SIZE), .ss_size = 1024 }, old;
	pthread_attr_t a;
	pthread_t t;

	SHOW(sigaltstack(&ss, NULL));
	ss.ss_size = ALT_SIZE;
	ss.ss_flags = 0x1234;
	SHOW(sigaltstack(&ss, NULL));
	SHOW(sigaltstack(NULL, &old));
	say("  initial ss_flags %d (SS_DISABLE %d)", old.ss_flags, SS_DISABLE);
	overflow("main");
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 256 * 1024);
	pthread_create(&t, &a, thread_main, NULL);
	pthread_join(t, NULL);
	ss.ss_flags = SS_DISABLE;
	SHOW(sigaltstack(&ss, NULL));
	SHOW(sigaltstack(NULL, &old));
	say("  ss_flags %d", old.ss_flags);
	return 0;
}

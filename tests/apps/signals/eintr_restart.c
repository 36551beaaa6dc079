/*
 * eintr_restart: a blocked system call meets a signal whose handler has
 * or lacks SA_RESTART. A helper thread sends SIGUSR1 to the main thread
 * every 5 ms until the call returns (and, when the call should survive,
 * ends it normally after three handler runs: data, room, or a wake).
 * read and write on a pipe and futex wait are restarted only with SA_RESTART; nanosleep, poll, select and sigsuspend
 * give EINTR either way; an ignored signal interrupts nothing.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/select.h>
#include "check.h"
#include "kabi.h"

#define SYS(...) syscall(__VA_ARGS__)

static int p[2], full[2], fword;
static volatile int hits, stop;
static void (*volatile feed)(void);
static long main_tid;

static void handler(int sig)
{
	(void)sig;
	hits++;
}

/* What the sender does after three signals to end the call normally. */
static void feed_pipe(void)
{
	if (write(p[1], "x", 1) != 1)
		say("feed write failed");
}

static void drain_full(void)
{
	char buf[4096];

	if (read(full[0], buf, sizeof(buf)) != sizeof(buf))
		say("drain failed");
}

static void wake_futex(void)
{
	__atomic_store_n(&fword, 1, __ATOMIC_SEQ_CST);
	SYS(SYS_futex, &fword, K_FUTEX_WAKE, 1, NULL, NULL, 0);
}

static void *sender(void *arg)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (int n = 1; !stop; n++) {
		sleep_ms(5);
		if (stop)
			break;
		SYS(SYS_tgkill, getpid(), main_tid, SIGUSR1);
		/* an ignored signal runs no handler: count the sends instead */
		if (feed && (hits >= 3 || n >= 20)) {
			feed();
			feed = NULL;
		}
	}
	return arg;
}

static void fill(void)
{
	fcntl(full[1], F_SETFL, O_NONBLOCK);
	while (write(full[1], "0123456789abcdef", 16) == 16)
		;
	fcntl(full[1], F_SETFL, 0);
}

/* FUTEX_WAIT on fword; a wake that came first (value 1) counts as a wake. */
static long fwait(void)
{
	long r = SYS(SYS_futex, &fword, K_FUTEX_WAIT, 0, NULL, NULL, 0);

	if (r < 0 && errno == EAGAIN && __atomic_load_n(&fword, __ATOMIC_SEQ_CST) == 1)
		return 0;
	return r;
}

static void setup(int flags, void (*h)(int))
{
	struct sigaction sa = { .sa_handler = h, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

/* Runs the call with the sender going; prints its result. */
#define RUN(label, with_feed, call)                                                     \
	do {                                                                            \
		pthread_t t_;                                                           \
		long r_;                                                                \
		int e_;                                                                 \
		hits = 0;                                                               \
		stop = 0;                                                               \
		feed = with_feed;                                                       \
		fword = 0;                                                              \
		pthread_create(&t_, NULL, sender, NULL);                                \
		r_ = (call);                                                            \
		e_ = errno;                                                             \
		stop = 1;                                                               \
		pthread_join(t_, NULL);                                                 \
		if (r_ < 0)                                                             \
			say("  %s = -1 %s, handler ran: %s", label, errname(e_),        \
			    hits > 0 ? "yes" : "no");                                   \
		else                                                                    \
			say("  %s = %ld, handler runs: %s", label, r_,                  \
			    hits >= 3 ? ">= 3" : hits ? "1-2" : "0");                   \
	} while (0)

static void round_of(const char *name, int flags, void (*h)(int))
{
	char c;
	struct timespec ts = { 5, 0 };
	struct pollfd pf = { .fd = p[0], .events = POLLIN };
	fd_set rs;
	sigset_t none;
	int f = (flags & SA_RESTART) || h == SIG_IGN;

	say("%s:", name);
	setup(flags, h);
	RUN("read on an empty pipe", f ? feed_pipe : NULL, read(p[0], &c, 1));
	fill();
	RUN("write to a full pipe", f ? drain_full : NULL, write(full[1], "y", 1));
	RUN("FUTEX_WAIT without timeout", f ? wake_futex : NULL, fwait());
	if (h == SIG_IGN)
		return;
	RUN("nanosleep 5 s", 0, nanosleep(&ts, NULL));
	RUN("poll 5 s", 0, poll(&pf, 1, 5000));
	FD_ZERO(&rs);
	FD_SET(p[0], &rs);
	RUN("select 5 s", 0, select(p[0] + 1, &rs, NULL, NULL, &(struct timeval){ 5, 0 }));
	sigemptyset(&none);
	RUN("sigsuspend", 0, sigsuspend(&none));
}

int main(void)
{
	main_tid = SYS(SYS_gettid);
	if (pipe(p) != 0 || pipe(full) != 0)
		return 1;
	round_of("handler without SA_RESTART", 0, handler);
	round_of("handler with SA_RESTART", SA_RESTART, handler);
	round_of("SIG_IGN", 0, SIG_IGN);
	return 0;
}

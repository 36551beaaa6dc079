/*
 * epoll_pwait: epoll_pwait's signal mask takes a pending blocked signal
 * (EINTR, the handler ran, the old mask is back); epoll_wait is
 * interrupted even with SA_RESTART; epoll_pwait2's timespec timeout
 * (nothing ready: 0 after it), NULL timeout with a ready descriptor, and
 * its errors (bad timespec, bad mask size).
 */
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include "check.h"
#include "kabi.h"

#define SYS(...) syscall(__VA_ARGS__)

static volatile int handled, stop;
static long main_tid;

static void handler(int sig)
{
	handled = sig;
}

static void *sender(void *arg)
{
	while (!stop) {
		sleep_ms(5);
		if (!stop)
			SYS(SYS_tgkill, getpid(), main_tid, SIGUSR2);
	}
	return arg;
}

int main(void)
{
	int ep = SYS(SYS_epoll_create1, 0), p[2];
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = 3 }, ev;
	struct timespec ts = { 0, 20 * 1000000 }, bad = { 0, -5 };
	struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_RESTART };
	sigset_t block, none, now;
	pthread_t t;

	main_tid = SYS(SYS_gettid);
	if (pipe(p))
		return 1;
	SHOW(SYS(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &e));
	signal(SIGUSR1, handler);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);

	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	SHOW(SYS(SYS_epoll_pwait, ep, &ev, 1, 20, &block, 8));
	say("  USR1 kept blocked: handler ran %d", handled);
	SHOW(SYS(SYS_epoll_pwait, ep, &ev, 1, 5000, &none, 8));
	say("  USR1 unblocked by the mask: handler ran %d", handled);
	sigprocmask(SIG_BLOCK, NULL, &now);
	yes("  old mask back: USR1 blocked", sigismember(&now, SIGUSR1));
	SHOW(SYS(SYS_epoll_pwait, ep, &ev, 1, 0, &none, 4));

	handled = 0;
	pthread_create(&t, NULL, sender, NULL);
	SHOW(SYS(SYS_epoll_wait, ep, &ev, 1, 5000));
	stop = 1;
	pthread_join(t, NULL);
	say("  with SA_RESTART: handler ran %d", handled);

	SHOW(SYS(SYS_epoll_pwait2, ep, &ev, 1, &ts, NULL, 8));
	if (write(p[1], "x", 1) != 1)
		return 1;
	SHOW(SYS(SYS_epoll_pwait2, ep, &ev, 1, NULL, NULL, 8));
	say("  data %llu", (unsigned long long)ev.data.u64);
	SHOW(SYS(SYS_epoll_pwait2, ep, &ev, 1, &bad, NULL, 8));
	SHOW(SYS(SYS_epoll_pwait2, ep, &ev, 1, &ts, &none, 4));
	SHOW(SYS(SYS_epoll_pwait2, ep, &ev, 0, &ts, NULL, 8));
	return 0;
}

/*
 * exec_self: a program execs itself (so each build execs its own kind:
 * static, static-PIE, dynamic through ld.so, musl) with a new argv and
 * environment, and the new image reports what it inherited: argv, envp,
 * the pid, fds without FD_CLOEXEC kept and those with it closed, signal
 * handlers reset to SIG_DFL while SIG_IGN stays, the mask and a pending
 * signal kept, the alternate stack gone, ITIMER_REAL kept and POSIX
 * timers deleted, /proc/self/cmdline, environ and comm, AT_EXECFN and
 * AT_SECURE.
 */
/* BUILDS: static pie musl dyn musldyn */
#include <signal.h>
#include <sys/auxv.h>
#include <sys/time.h>
#include "check.h"

extern char **environ;

static void handler(int sig)
{
	(void)sig;
}

static void show_file(const char *path)
{
	char buf[512];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (n < 0) {
		say("%s: unreadable", path);
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = '|';
	buf[n] = '\0';
	say("%s = %s", path, buf);
	close(fd);
}

static void disposition(int sig, const char *name)
{
	struct sigaction sa;

	sigaction(sig, NULL, &sa);
	say("%s: %s, flags %#lx", name,
	    sa.sa_handler == SIG_DFL ? "SIG_DFL" :
	    sa.sa_handler == SIG_IGN ? "SIG_IGN" : "a handler",
	    (unsigned long)sa.sa_flags & ~0x04000000ul /* SA_RESTORER */);
}

static int child(int argc, char **argv)
{
	sigset_t set;
	stack_t ss;
	struct itimerval it;
	struct timespec ts;

	say("child: argc = %d", argc);
	for (int i = 0; i < argc; i++)
		say("argv[%d] = %s", i, argv[i]);
	for (int i = 0; environ[i]; i++)
		say("env[%d] = %s", i, environ[i]);
	yes("tid == pid", syscall(SYS_gettid) == getpid());
	SHOW(fcntl(atoi(argv[3]), F_GETFD)); /* the cloexec one */
	SHOW(fcntl(atoi(argv[4]), F_GETFD)); /* the kept one */
	char c;
	pid_t was = 0;
	SHOW(read(atoi(argv[4]), &c, 1));
	SHOW(read(atoi(argv[4]), &was, sizeof(was)));
	yes("pid kept", getpid() == was);
	disposition(SIGUSR1, "SIGUSR1 (had a handler)");
	disposition(SIGTERM, "SIGTERM (was ignored)");
	disposition(SIGHUP, "SIGHUP (SA_RESETHAND handler)");
	sigprocmask(SIG_BLOCK, NULL, &set);
	yes("SIGUSR2 still blocked", sigismember(&set, SIGUSR2));
	sigpending(&set);
	yes("SIGUSR2 still pending", sigismember(&set, SIGUSR2));
	sigaltstack(NULL, &ss);
	yes("altstack disabled", ss.ss_flags == SS_DISABLE);
	getitimer(ITIMER_REAL, &it);
	yes("ITIMER_REAL still armed", it.it_value.tv_sec > 0);
	SHOW(syscall(SYS_timer_gettime, 0, &ts));
	show_file("/proc/self/cmdline");
	show_file("/proc/self/environ");
	show_file("/proc/self/comm");
	const char *fn = (const char *)getauxval(AT_EXECFN);
	yes("AT_EXECFN is the path given", fn && !strcmp(fn, argv[5]));
	say("AT_SECURE = %lu", getauxval(AT_SECURE));
	int status = 0;
	yes("brk works", sbrk(4096) != (void *)-1);
	return status + 7;
}

int main(int argc, char **argv)
{
	char self[4096], cfd[16], kfd[16];
	struct sigaction sa;
	sigset_t set;
	stack_t ss;
	static char altstack[65536];
	struct itimerval it = { { 0, 0 }, { 1000, 0 } };
	timer_t tid;

	if (argc > 1 && !strcmp(argv[1], "child"))
		return child(argc, argv);
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return 1;
	self[n] = '\0';

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART | SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGTERM, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR2);
	ss.ss_sp = altstack;
	ss.ss_size = sizeof(altstack);
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	timer_create(CLOCK_MONOTONIC, NULL, &tid);

	int p[2];
	if (pipe2(p, O_CLOEXEC))
		return 2;
	int kept = dup(p[0]);
	pid_t me = getpid();
	write(p[1], "x", 1);
	write(p[1], &me, sizeof(me));
	snprintf(cfd, sizeof(cfd), "%d", p[0]);
	snprintf(kfd, sizeof(kfd), "%d", kept);
	char *args[] = { "exec-child-name", "child", "2", cfd, kfd, self,
			 "with space", "", NULL };
	char *env[] = { "ONE=1", "TWO=two words", "EMPTY=", NULL };
	say("parent: exec");
	fflush(stdout);
	execve(self, args, env);
	say("execve failed: %s", errname(errno));
	return 3;
}

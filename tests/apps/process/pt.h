/*
 * tests/apps/process/pt.h: helpers of the pt_*.c programs (processes:
 * fork, vfork, execve, wait). Layer: tests (built for Linux, glibc and
 * musl). Included after check.h as "pt.h" (the folder of the program).
 *
 * Every pt_ program makes processes, so it carries the directive
 * NEEDS: fork (tests/apps/run.sh: its Skiff checks are skipped while the
 * fork probe says Skiff has no fork). Output rules for processes: nothing
 * printed depends on a pid; a child never prints while its parent may,
 * it reports through its exit status or a pipe, or the parent waits for
 * it before printing again; stdout is flushed before every fork (a copied
 * stdio buffer would be printed twice).
 *
 * Interface:
 *   pt_fork()            fflush, fork; a failure prints "fork = -1 ENAME"
 *                        and exits 1
 *   pt_status(st)        "exited N", "killed SIGX", "killed SIGX (core)",
 *                        "stopped SIGX", "continued"
 *   pt_reap(pid)         waitpid(pid, 0): the status text, or "-1 ENAME"
 *   pt_signame(sig)      "SIGTERM" for SIGTERM (a few), else "SIG#N"
 *   pt_exe()             the program's own path (/proc/self/exe), for
 *                        executing itself in another mode
 *   pt_exec_self(mode, ...) execv(pt_exe(), {argv0, mode, ..., NULL});
 *                        returns only on failure
 *   pt_write_all, pt_read_all  loops over write and read
 */
#ifndef TESTS_APPS_PROCESS_PT_H
#define TESTS_APPS_PROCESS_PT_H

#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>

static inline const char *pt_signame(int sig)
{
	static char buf[16];

	switch (sig) {
	case SIGHUP: return "SIGHUP";
	case SIGINT: return "SIGINT";
	case SIGQUIT: return "SIGQUIT";
	case SIGABRT: return "SIGABRT";
	case SIGKILL: return "SIGKILL";
	case SIGSEGV: return "SIGSEGV";
	case SIGPIPE: return "SIGPIPE";
	case SIGALRM: return "SIGALRM";
	case SIGTERM: return "SIGTERM";
	case SIGUSR1: return "SIGUSR1";
	case SIGUSR2: return "SIGUSR2";
	case SIGCHLD: return "SIGCHLD";
	case SIGCONT: return "SIGCONT";
	case SIGSTOP: return "SIGSTOP";
	case SIGTSTP: return "SIGTSTP";
	}
	snprintf(buf, sizeof(buf), "SIG#%d", sig);
	return buf;
}

static inline const char *pt_status(int st)
{
	static char buf[64];

	if (WIFEXITED(st))
		snprintf(buf, sizeof(buf), "exited %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof(buf), "killed %s%s", pt_signame(WTERMSIG(st)),
			 WCOREDUMP(st) ? " (core)" : "");
	else if (WIFSTOPPED(st))
		snprintf(buf, sizeof(buf), "stopped %s", pt_signame(WSTOPSIG(st)));
	else if (WIFCONTINUED(st))
		snprintf(buf, sizeof(buf), "continued");
	else
		snprintf(buf, sizeof(buf), "status %#x", st);
	return buf;
}

static inline pid_t pt_fork(void)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		printf("fork = -1 %s\n", errname(errno));
		exit(1);
	}
	return pid;
}

static inline const char *pt_reap(pid_t pid)
{
	static char buf[64];
	int st = 0;
	pid_t r;

	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (r < 0) {
		snprintf(buf, sizeof(buf), "-1 %s", errname(errno));
		return buf;
	}
	if (r != pid)
		return "another pid";
	return pt_status(st);
}

static inline const char *pt_exe(void)
{
	static char path[4096];
	ssize_t n;

	if (path[0])
		return path;
	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0) {
		printf("readlink /proc/self/exe: %s\n", errname(errno));
		exit(1);
	}
	path[n] = 0;
	return path;
}

/* execv of this program with argv {"pt-child", mode, args..., NULL}. */
static inline int pt_exec_self(const char *mode, ...)
{
	const char *argv[16] = { "pt-child", mode };
	int n = 2;
	va_list ap;

	va_start(ap, mode);
	while (n < 15 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	return execv(pt_exe(), (char **)argv);
}

static inline int pt_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Reads until len bytes or end of file; the count read, -1 on error. */
static inline ssize_t pt_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += n;
	}
	return got;
}

#endif

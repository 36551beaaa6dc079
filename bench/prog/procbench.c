/*
 * procbench.c: the process measurements of microbench (mode `proc`, part
 * of `all`): what fork, vfork, execve and pipes between processes cost.
 *
 * Layer: bench/, an ordinary Linux x86_64 program, not part of Skiff.
 * Interface (microbench.h): bench_proc() prints
 *   fork_exit_wait_us     fork, the child _exits, the parent waits; µs
 *   vfork_exec_wait_us    vfork, the child execs this program (static) in
 *                         mode `true`, which exits at once; wait; µs
 *   pipe_proc_mb_s        64 MiB through a pipe from a child to its parent
 *                         in 64 KiB writes; MB/s (higher is better)
 *   ctx_switch_proc_ns    two processes ping-pong a byte over two pipes; ns
 *                         per switch (half a round trip), beside the
 *                         threads' ctx_switch_ns
 * each "name value", or "missing name reason" when the kernel has no fork
 * (ENOSYS) or the exec fails: the other figures still come.
 * proc_self is the path this program was started as (argv[0]: the Linux
 * guest runs it as /init and mounts no /proc).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "microbench.h"

#define PIPE_TOTAL (64UL << 20)
#define PIPE_CHUNK (64UL << 10)

const char *proc_self;
static int proc_err;	/* the first errno a measurement met, 0 if none */

static void note(int err)
{
	if (!proc_err)
		proc_err = err;
}

static void reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		note(ECHILD);
}

static void run_fork(unsigned long n)
{
	while (n-- && !proc_err) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0)
			note(errno);
		else
			reap(pid);
	}
}

static void run_vfork_exec(unsigned long n)
{
	static char *argv[] = { NULL, "true", NULL };
	static char *envp[] = { NULL };

	argv[0] = (char *)proc_self;
	while (n-- && !proc_err) {
		pid_t pid = vfork();

		if (pid == 0) {
			execve(proc_self, argv, envp);
			_exit(127);
		}
		if (pid < 0)
			note(errno);
		else
			reap(pid);
	}
}

static char pipe_buf[PIPE_CHUNK];

static void run_pipe(unsigned long n)
{
	while (n-- && !proc_err) {
		unsigned long got = 0;
		int p[2];
		pid_t pid;

		if (pipe(p)) {
			note(errno);
			return;
		}
		pid = fork();
		if (pid == 0) {
			close(p[0]);
			for (unsigned long off = 0; off < PIPE_TOTAL; off += PIPE_CHUNK)
				if (write(p[1], pipe_buf, PIPE_CHUNK) != (ssize_t)PIPE_CHUNK)
					_exit(1);
			_exit(0);
		}
		close(p[1]);
		if (pid < 0) {
			note(errno);
			close(p[0]);
			return;
		}
		for (ssize_t r; (r = read(p[0], pipe_buf, PIPE_CHUNK)) > 0;)
			got += (unsigned long)r;
		close(p[0]);
		reap(pid);
		if (got != PIPE_TOTAL)
			note(EIO);
	}
}

/* One round trip is two switches on a one-CPU guest. */
static void run_ctxsw_proc(unsigned long n)
{
	int to_peer[2], to_main[2];
	char c = 'x';
	pid_t pid;

	if (pipe(to_peer) || pipe(to_main)) {
		note(errno);
		return;
	}
	pid = fork();
	if (pid == 0) {
		for (unsigned long i = 0; i < n; i++)
			if (read(to_peer[0], &c, 1) != 1 || write(to_main[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	if (pid < 0) {
		note(errno);
	} else {
		while (n--)
			if (write(to_peer[1], &c, 1) != 1 || read(to_main[0], &c, 1) != 1) {
				note(EIO);
				break;
			}
		reap(pid);
	}
	close(to_peer[0]);
	close(to_peer[1]);
	close(to_main[0]);
	close(to_main[1]);
}

/* measure() unless the first try fails: then "missing name reason". */
static void try_measure(const char *name, void (*fn)(unsigned long),
			unsigned long iters, double per, double div)
{
	proc_err = 0;
	fn(1);
	if (!proc_err)
		measure(name, fn, iters, per, div);
	if (proc_err)
		out("missing %s %s\n", name, strerror(proc_err));
}

void bench_proc(void)
{
	uint64_t t0;

	try_measure("fork_exit_wait_us", run_fork, 25 * scale, 25.0 * scale, 1e3);
	try_measure("vfork_exec_wait_us", run_vfork_exec, 25 * scale, 25.0 * scale, 1e3);
	/* MB/s: a rate, so the time of one 64 MiB transfer is inverted */
	proc_err = 0;
	run_pipe(1);	/* warm-up, and the ENOSYS probe */
	if (!proc_err) {
		double best[5];

		for (int i = 0; i < 5 && !proc_err; i++) {
			t0 = now_ns();
			run_pipe(1);
			best[i] = (double)PIPE_TOTAL / 1e6 / ((double)(now_ns() - t0) / 1e9);
		}
		if (!proc_err) {
			/* the median of five */
			for (int i = 0; i < 5; i++)
				for (int j = i + 1; j < 5; j++)
					if (best[j] < best[i]) {
						double t = best[i];

						best[i] = best[j];
						best[j] = t;
					}
			out("pipe_proc_mb_s %.1f\n", best[2]);
		}
	}
	if (proc_err)
		out("missing pipe_proc_mb_s %s\n", strerror(proc_err));
	try_measure("ctx_switch_proc_ns", run_ctxsw_proc, 2500 * scale, 5000.0 * scale, 1);
}

/* Mode `true`: what vfork_exec_wait_us execs; nothing to do. */
void proc_true(void)
{
}

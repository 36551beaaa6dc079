/*
 * skiffinit: /init of the Linux guest that runs the program of a Skiff image
 * (`make bench`, the python3 benchmark). Static Linux program, not part of
 * Skiff. Built by bench/run.sh as build/bench/skiffinit.
 *
 * The initramfs is the image `skiff build` wrote (a cpio newc archive) with
 * a second archive holding this /init appended. /init reads what the Skiff
 * kernel reads (include/skiff/proto.h): the program from /.skiff/exe, its
 * argv from /.skiff/argv and environment from /.skiff/env (strings each
 * ending in NUL), its working directory from /.skiff/cwd (/ if that is not
 * in the image). It mounts nothing. As PID 1 it must not exit (Linux
 * panics), so it forks the program, waits for it, and powers off through
 * isa-debug-exit (port 0xf4) with the program's status, the way Skiff ends
 * a VM: QEMU then exits with (status << 1) | 1. Kernel arguments after
 * "--" are ignored. Messages go to the console, prefixed "skiffinit:".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define DEBUG_EXIT_PORT 0xf4
#define MAX_STRINGS 256

/* isa-debug-exit turns the value v into QEMU's exit status (v << 1) | 1. */
static void power_off(int status)
{
	tcdrain(1);	/* the serial port sends what the tty still holds */
	if (ioperm(DEBUG_EXIT_PORT, 4, 1) == 0)
		outl((unsigned)status, DEBUG_EXIT_PORT);
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static void fail(const char *what)
{
	dprintf(2, "skiffinit: %s failed\n", what);
	power_off(127);
}

/* Reads the whole file path into a NUL-terminated heap buffer; its length
 * (without that NUL) goes to *len. Returns NULL on error. */
static char *slurp(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf)
		return NULL;
	while ((r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += (size_t)r;
		if (cap - n == 1) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				return NULL;
		}
	}
	close(fd);
	if (r < 0)
		return NULL;
	buf[n] = 0;
	*len = n;
	return buf;
}

/* Splits the NUL-terminated strings of path into a NULL-ended vector. */
static char **strings(const char *path)
{
	static char *none[] = { NULL };
	char **v, *buf, *p;
	size_t len, i = 0;

	buf = slurp(path, &len);
	if (!buf)
		return none;
	v = calloc(MAX_STRINGS + 1, sizeof(*v));
	if (!v)
		fail("calloc");
	for (p = buf; p < buf + len && i < MAX_STRINGS; p += strlen(p) + 1)
		v[i++] = p;
	return v;
}

int main(void)
{
	char **argv = strings("/.skiff/argv"), **envp = strings("/.skiff/env");
	char *exe, *cwd;
	size_t len;
	pid_t pid;
	int st;

	exe = slurp("/.skiff/exe", &len);
	if (!exe || !argv[0])
		fail("reading /.skiff/exe and /.skiff/argv");
	cwd = slurp("/.skiff/cwd", &len);
	if (!cwd || chdir(cwd) < 0)
		if (chdir("/") < 0)
			fail("chdir");
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (pid == 0) {
		execve(exe, argv, envp);
		dprintf(2, "skiffinit: cannot run %s\n", exe);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			fail("waitpid");
	power_off(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/*
 * pipe: pipe and pipe2 through the raw system calls: data in order, EOF
 * once the writers are gone, EPIPE once the readers are (SIGPIPE ignored),
 * non-blocking EAGAIN, flags, a transfer larger than the pipe's buffer
 * split in chunks, and the errors (EFAULT, EINVAL, EBADF).
 */
#include <signal.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

static void basic(void)
{
	char buf[32] = { 0 };
	int p[2];

	SHOW(SYS(SYS_pipe, p));
	say("  fds %d %d", p[0], p[1]);
	SHOW(SYS(SYS_write, p[1], "hello", 5));
	SHOW(SYS(SYS_write, p[1], " pipe", 5));
	SHOW(SYS(SYS_read, p[0], buf, 3));
	SHOW(SYS(SYS_read, p[0], buf + 3, sizeof(buf) - 4));
	say("  read \"%s\"", buf);
	SHOW(SYS(SYS_read, p[1], buf, 1));
	SHOW(SYS(SYS_write, p[0], "x", 1));
	SHOW(SYS(SYS_lseek, p[0], 0L, SEEK_CUR));
	say("  F_GETFL read end %#lo, write end %#lo", SYS(SYS_fcntl, p[0], F_GETFL),
	    SYS(SYS_fcntl, p[1], F_GETFL));
	SHOW(SYS(SYS_close, p[1]));
	SHOW(SYS(SYS_read, p[0], buf, sizeof(buf)));
	SHOW(SYS(SYS_close, p[0]));

	SHOW(SYS(SYS_pipe, p));
	SHOW(SYS(SYS_close, p[0]));
	SHOW(SYS(SYS_write, p[1], "x", 1));
	SHOW(SYS(SYS_close, p[1]));
}

static void flags(void)
{
	char buf[8];
	int p[2];

	SHOW(SYS(SYS_pipe2, p, O_CLOEXEC | O_NONBLOCK));
	SHOW(SYS(SYS_fcntl, p[0], F_GETFD));
	SHOW(SYS(SYS_fcntl, p[1], F_GETFD));
	say("  F_GETFL read end %#lo", SYS(SYS_fcntl, p[0], F_GETFL));
	SHOW(SYS(SYS_read, p[0], buf, sizeof(buf)));
	SHOW(SYS(SYS_close, p[0]));
	SHOW(SYS(SYS_close, p[1]));
	SHOW(SYS(SYS_pipe2, p, 0));
	SHOW(SYS(SYS_fcntl, p[0], F_GETFD));
	SHOW(SYS(SYS_close, p[0]));
	SHOW(SYS(SYS_close, p[1]));
	SHOW(SYS(SYS_pipe2, p, O_APPEND));
	SHOW(SYS(SYS_pipe2, p, 0x10000000));
	SHOW(SYS(SYS_pipe2, NULL, 0));
	SHOW(SYS(SYS_pipe, NULL));
	SHOW(SYS(SYS_pipe, (void *)16));
}

static void big(void)
{
	static char out[200000], in[200000];
	long w = 0, r = 0, n, wcalls = 0, full = 0, i, bad = 0;
	int p[2];

	for (i = 0; i < (long)sizeof(out); i++)
		out[i] = (char)(i * 7 + i / 1000);
	SHOW(SYS(SYS_pipe2, p, O_NONBLOCK));
	/* one thread: fill until EAGAIN, drain, repeat */
	while (r < (long)sizeof(out)) {
		while (w < (long)sizeof(out)) {
			n = SYS(SYS_write, p[1], out + w, sizeof(out) - w);
			if (n < 0) {
				full += errno == EAGAIN;
				break;
			}
			w += n;
			wcalls++;
		}
		while ((n = SYS(SYS_read, p[0], in + r, sizeof(in) - r)) > 0)
			r += n;
	}
	for (i = 0; i < (long)sizeof(out); i++)
		bad += in[i] != out[i];
	say("moved %ld bytes, bad %ld", r, bad);
	yes("pipe filled up at least once (EAGAIN)", full > 0);
	yes("writes were partial", wcalls > 1);
	SHOW(SYS(SYS_close, p[0]));
	SHOW(SYS(SYS_close, p[1]));
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	basic();
	flags();
	big();
	return 0;
}

/*
 * ioctl: TCGETS and TIOCGWINSZ on the standard descriptors (the harness
 * redirects them, so none is a terminal in either run), on /dev/null, a
 * file, a pipe and a bad descriptor; FIONREAD and FIONBIO on a pipe.
 */
#include <sys/ioctl.h>
#include <termios.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

int main(void)
{
	struct termios t;
	struct winsize ws;
	int fd, p[2], n = -1, on = 1;
	char name[32];

	for (fd = 0; fd < 3; fd++) {
		snprintf(name, sizeof(name), "fd %d", fd);
		say("%s: TCGETS %s, TIOCGWINSZ %s, isatty %d", name,
		    SYS(SYS_ioctl, fd, TCGETS, &t) ? errname(errno) : "ok",
		    SYS(SYS_ioctl, fd, TIOCGWINSZ, &ws) ? errname(errno) : "ok", isatty(fd));
	}
	fd = open("/dev/null", O_RDWR);
	SHOW(SYS(SYS_ioctl, fd, TCGETS, &t));
	SHOW(SYS(SYS_ioctl, fd, TIOCGWINSZ, &ws));
	close(fd);
	scratch_enter("ioctl");
	fd = open("f", O_RDWR | O_CREAT, 0644);
	SHOW(SYS(SYS_ioctl, fd, TCGETS, &t));
	SHOW(SYS(SYS_ioctl, fd, TIOCGWINSZ, &ws));
	SHOW(SYS(SYS_ioctl, fd, 0x12345678, 0));
	close(fd);
	scratch_leave();
	SHOW(pipe(p));
	SHOW(SYS(SYS_ioctl, p[0], TCGETS, &t));
	SHOW(SYS(SYS_write, p[1], "12345", 5));
	SHOW(SYS(SYS_ioctl, p[0], FIONREAD, &n));
	say("  FIONREAD: %d", n);
	SHOW(SYS(SYS_ioctl, p[0], FIONBIO, &on));
	say("  O_NONBLOCK now set: %s", fcntl(p[0], F_GETFL) & O_NONBLOCK ? "yes" : "no");
	close(p[0]);
	close(p[1]);
	SHOW(SYS(SYS_ioctl, 99, TCGETS, &t));
	SHOW(SYS(SYS_ioctl, -1, TIOCGWINSZ, &ws));
	return 0;
}

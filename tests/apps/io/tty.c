/*
 * tty: run by the harness on a terminal of its own (tests/lib/ptyrun.py),
 * so the standard descriptors are a terminal in both runs (skiff then
 * tells the guest console to act as one): TCGETS succeeds, TIOCGWINSZ
 * gives the terminal's size, isatty is 1, and newlines reach the terminal
 * as CR LF.
 */
/* TTY */
#include <sys/ioctl.h>
#include <termios.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

int main(void)
{
	struct termios t;
	struct winsize ws;
	int fd;

	for (fd = 0; fd < 3; fd++) {
		memset(&ws, 0xff, sizeof(ws));
		say("fd %d: TCGETS %s, isatty %d", fd,
		    SYS(SYS_ioctl, fd, TCGETS, &t) ? errname(errno) : "ok", isatty(fd));
		if (SYS(SYS_ioctl, fd, TIOCGWINSZ, &ws))
			say("  TIOCGWINSZ %s", errname(errno));
		else
			say("  TIOCGWINSZ ok: %ux%u", ws.ws_col, ws.ws_row);
	}
	SHOW(SYS(SYS_ioctl, 1, TCGETS, NULL));
	SHOW(SYS(SYS_ioctl, 1, TIOCGWINSZ, (void *)16));
	fflush(stdout);
	SHOW(SYS(SYS_write, 1, "raw\nlines\n", 10L));
	return 4;
}

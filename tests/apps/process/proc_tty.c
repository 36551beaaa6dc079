/*
 * proc_tty: job control on a terminal: the foreground process group
 * (tcgetpgrp, tcsetpgrp to a child's group and back, with SIGTTOU
 * ignored so a background caller may), the session of the terminal
 * (tcgetsid), tcsetpgrp's errors.
 */
/* TTY */
#include "check.h"
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>

int main(void)
{
	int st;

	yes("stdin is a tty", isatty(0));
	yes("foreground group is ours", tcgetpgrp(0) == getpgrp());
	yes("terminal's session is ours", tcgetsid(0) == getsid(0));
	signal(SIGTTOU, SIG_IGN);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	SHOW(setpgid(c, c));
	SHOW(tcsetpgrp(0, c));
	yes("foreground group is the child's", tcgetpgrp(0) == c);
	SHOW(tcsetpgrp(0, getpgrp()));
	yes("foreground group is ours again", tcgetpgrp(0) == getpgrp());
	SHOW(tcsetpgrp(0, -1));
	SHOW(tcsetpgrp(0, 0x7ffffff0));
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	SHOW(tcsetpgrp(0, c));
	return 0;
}

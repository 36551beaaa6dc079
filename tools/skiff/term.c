/*
 * The host terminal while a VM runs with it as stdin: raw mode, so that
 * every key reaches the guest as typed and the guest's line discipline
 * (fs/devfs/tty.c) does echo, line editing and the signal keys, as a
 * terminal in `docker run -it` does; restored on every way out (skiff's
 * normal return, exit(), and before skiff ends itself by a signal).
 */
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>
#include "skiff.h"

static struct termios saved;
static bool is_raw;

void term_restore(void)
{
	if (is_raw)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	is_raw = false;
}

bool term_raw(void)
{
	static bool registered;
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved))
		return false;
	t = saved;
	cfmakeraw(&t);
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &t))
		return false;
	is_raw = true;
	if (!registered)
		atexit(term_restore);
	registered = true;
	return true;
}

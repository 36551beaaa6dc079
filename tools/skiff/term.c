/*
 * The host terminal while a VM runs with it as stdin: raw mode, so that
 * every key reaches the guest as typed and the guest's line discipline
 * (fs/devfs/tty.c) does echo, line editing and the signal keys, as a
 * terminal in `docker run -it` does; restored on every way out (skiff's
 * normal return, exit(), and before skiff ends itself by a signal).
 *
 * Typeahead: what reached the terminal before raw mode was taken by the
 * host's own line discipline, in canonical mode. A completed line is
 * read as it is; an end of file typed there (VEOF on an empty line, as
 * script(1) writes when its stdin ends) is kept in the terminal's queue
 * as a NUL marker, which a switch to raw mode turns into a real NUL byte
 * (the guest saw ^@ where it should have seen an end of file). So term_raw
 * first reads what canonical mode completed, an end of file becoming the
 * VEOF byte again, and term_typeahead hands it to the relay before
 * anything it reads afterwards. What is left is an unfinished line,
 * which raw mode passes on byte for byte.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "skiff.h"

static struct termios saved;
static bool is_raw;
static u8 ahead[4096];		/* typeahead for the guest */
static size_t ahead_len, ahead_off;

void term_restore(void)
{
	if (is_raw)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	is_raw = false;
}

/* Completed canonical input into ahead; an end of file as VEOF. */
static void take_typeahead(void)
{
	u8 veof = saved.c_cc[VEOF] ? saved.c_cc[VEOF] : 4;

	if (!(saved.c_lflag & ICANON))
		return;
	while (ahead_len < sizeof(ahead)) {
		struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
		ssize_t n;

		/* Readable in canonical mode: a whole line, or an EOF. */
		if (poll(&p, 1, 0) != 1 || p.revents != POLLIN)
			break;
		n = read(STDIN_FILENO, ahead + ahead_len,
			 sizeof(ahead) - ahead_len);
		if (n < 0)
			break;
		if (n == 0)
			ahead[ahead_len++] = veof;
		ahead_len += n;
	}
}

bool term_raw(void)
{
	static bool registered;
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved))
		return false;
	take_typeahead();
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

size_t term_typeahead(u8 *buf, size_t cap)
{
	size_t n = MIN(cap, ahead_len - ahead_off);

	memcpy(buf, ahead + ahead_off, n);
	ahead_off += n;
	return n;
}

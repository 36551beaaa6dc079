/*
 * fs/devfs/tty.c: the line discipline of the console terminal, used when
 * the host's stdin is a terminal (boot_opts.tty_mask bit 0): skiff then
 * puts the host terminal in raw mode, and this file does what the host's
 * tty driver did, by the termios of fs/devfs/console.c (tty_termios):
 * input CR/NL mapping (ICRNL, INLCR, IGNCR), the signal keys (ISIG: VINTR
 * sends SIGINT, VQUIT SIGQUIT, VSUSP SIGTSTP to the foreground process
 * group; a SIGTSTP whose action is to stop a group no shell could
 * continue, pid 1's own, is dropped by linux/sigdeliver.c as on Linux,
 * so a Ctrl-Z at a program run alone does nothing unless it has a
 * handler, and stops a job of a shell in the guest), canonical lines (ICANON: VERASE,
 * VWERASE, VKILL, VEOF, IUTF8 erasing whole characters) and their echo
 * (ECHO, ECHOE, ECHOK, ECHOKE, ECHONL, ECHOCTL), and output's NL -> CR NL
 * (OPOST ONLCR). Layer: devices as files, over skiff/console.h.
 *
 * Input is taken from the console as it arrives (tty_input_ready, from
 * the console's receive interrupt), so a ^C reaches the program while it
 * reads nothing. Echo goes to the host terminal without sleeping (dropped
 * while the output queue is full). Readers sleep on tty_wq.
 */
#include <skiff/console.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/proto.h>
#include <skiff/sched.h>
#include "devfs.h"

#define I_IGNCR 0x80
#define I_ICRNL 0x100
#define I_INLCR 0x40
#define I_IUTF8 0x4000
#define O_OPOST 0x1
#define O_ONLCR 0x4
#define L_ISIG 0x1
#define L_ICANON 0x2
#define L_ECHO 0x8
#define L_ECHOE 0x10
#define L_ECHOK 0x20
#define L_ECHONL 0x40
#define L_NOFLSH 0x80
#define L_ECHOCTL 0x200
#define L_ECHOKE 0x800
#define V_INTR 0
#define V_QUIT 1
#define V_ERASE 2
#define V_KILL 3
#define V_EOF 4
#define V_MIN 6
#define V_SUSP 10
#define V_EOL 11
#define V_WERASE 14
#define SIG_INT 2
#define SIG_QUIT 3
#define SIG_TSTP 20

static struct spinlock lock = SPINLOCK_INIT;
static struct waitq tty_wq = { SPINLOCK_INIT, { &tty_wq.sleepers,
						&tty_wq.sleepers } };
static u8 ready[8192];		/* bytes a read may take */
static u32 r_head, r_tail;	/* free-running */
static u8 line[4096];		/* the canonical line being edited */
static u32 line_len;
static u32 eofs;		/* ^D at a line's start: reads returning 0 */
static bool host_eof;		/* the host's stdin ended */
static u8 echo[512];		/* echo of the input being handled */
static u32 echo_len;

bool tty_active(void)
{
	return boot_opts.tty_mask & 1;
}

static void put_echo(u8 c)
{
	if (echo_len < sizeof(echo))
		echo[echo_len++] = c;
}

/* Echo of an input byte: a control character as ^X with ECHOCTL. */
static void echo_char(u8 c)
{
	u32 l = tty_termios.c_lflag;

	if (!(l & L_ECHO)) {
		if (c == '\n' && (l & L_ECHONL) && (l & L_ICANON))
			put_echo(c);
		return;
	}
	if ((l & L_ECHOCTL) && (c < 0x20 || c == 0x7f) && c != '\n' &&
	    c != '\t') {
		put_echo('^');
		put_echo(c == 0x7f ? '?' : c + 0x40);
		return;
	}
	put_echo(c);
}

static void push_ready(const u8 *p, u32 n)
{
	for (u32 i = 0; i < n && r_head - r_tail < sizeof(ready); i++)
		ready[r_head++ % sizeof(ready)] = p[i];
}

/* Erases the line's last character (a UTF-8 one whole), echoing it away. */
static bool erase_one(void)
{
	u32 cols = 1;
	u8 c;

	if (!line_len)
		return false;
	c = line[--line_len];
	if (tty_termios.c_iflag & I_IUTF8)
		while (line_len && (c & 0xc0) == 0x80)
			c = line[--line_len];
	if ((c < 0x20 || c == 0x7f) && (tty_termios.c_lflag & L_ECHOCTL))
		cols = 2;
	if ((tty_termios.c_lflag & (L_ECHO | L_ECHOE)) == (L_ECHO | L_ECHOE))
		while (cols--) {
			put_echo('\b');
			put_echo(' ');
			put_echo('\b');
		}
	return true;
}

static void erase_word(void)
{
	while (line_len && (line[line_len - 1] == ' ' ||
			    line[line_len - 1] == '\t'))
		erase_one();
	while (line_len && line[line_len - 1] != ' ' &&
	       line[line_len - 1] != '\t')
		erase_one();
}

/* One byte in canonical mode. */
static void canon(u8 c)
{
	const u8 *cc = tty_termios.c_cc;

	if (c == cc[V_ERASE] || c == '\b') {
		erase_one();
	} else if (c == cc[V_WERASE]) {
		erase_word();
	} else if (c == cc[V_KILL]) {
		if (tty_termios.c_lflag & L_ECHOKE) {
			while (erase_one())
				;
		} else {
			line_len = 0;
			echo_char(c);
			if (tty_termios.c_lflag & L_ECHOK)
				put_echo('\n');
		}
	} else if (c == cc[V_EOF]) {
		if (!line_len)
			eofs++;
		push_ready(line, line_len);
		line_len = 0;
	} else if (c == '\n' || (cc[V_EOL] && c == cc[V_EOL])) {
		echo_char(c);
		line[line_len++] = c;
		push_ready(line, line_len);
		line_len = 0;
	} else if (line_len < sizeof(line) - 1) {
		line[line_len++] = c;
		echo_char(c);
	}
}

/* One input byte; returns a signal it raises, or 0. */
static int input_byte(u8 c)
{
	u32 i = tty_termios.c_iflag, l = tty_termios.c_lflag;
	const u8 *cc = tty_termios.c_cc;

	if (c == '\r' && (i & I_IGNCR))
		return 0;
	if (c == '\r' && (i & I_ICRNL))
		c = '\n';
	else if (c == '\n' && (i & I_INLCR))
		c = '\r';
	if ((l & L_ISIG) && c && (c == cc[V_INTR] || c == cc[V_QUIT] ||
				  c == cc[V_SUSP])) {
		if (!(l & L_NOFLSH)) {
			line_len = 0;
			r_tail = r_head;
		}
		echo_char(c);
		return c == cc[V_INTR] ? SIG_INT :
		       c == cc[V_QUIT] ? SIG_QUIT : SIG_TSTP;
	}
	if (l & L_ICANON) {
		canon(c);
		return 0;
	}
	push_ready(&c, 1);
	echo_char(c);
	return 0;
}

/* Takes what the console received; from its receive interrupt. */
void tty_input_ready(void)
{
	u8 buf[256];
	long n;

	if (!tty_active())
		return;
	while ((n = console_read_nowait(buf, sizeof(buf))) != -EAGAIN) {
		u64 sigs = 0;
		spin_lock(&lock);
		if (n <= 0)
			host_eof = true;
		for (long k = 0; k < n; k++) {
			int s = input_byte(buf[k]);
			if (s)
				sigs |= 1ull << s;
		}
		u32 elen = echo_len;
		u8 e[sizeof(echo)];
		memcpy(e, echo, elen);
		echo_len = 0;
		spin_unlock(&lock);
		if (elen)
			tty_output(boot_opts.tty_mask & 2 ? PROTO_CH_STDOUT :
				   PROTO_CH_STDERR, e, elen, false);
		for (int s = 1; s < 64; s++)
			if (sigs & (1ull << s))
				console_tty_signal(s);
		if (n <= 0)
			break;
	}
	waitq_wake_all(&tty_wq);
}

void tty_set_termios(const struct ktermios *t, bool flush)
{
	spin_lock(&lock);
	bool was_canon = tty_termios.c_lflag & L_ICANON;
	tty_termios = *t;
	if (flush) {
		r_tail = r_head;
		line_len = 0;
	}
	/* Leaving canonical mode: the line being edited becomes input. */
	if (was_canon && !(t->c_lflag & L_ICANON)) {
		push_ready(line, line_len);
		line_len = 0;
	}
	spin_unlock(&lock);
	waitq_wake_all(&tty_wq);
}

static bool readable_locked(void)
{
	return r_head != r_tail || eofs || host_eof ||
	       (!(tty_termios.c_lflag & L_ICANON) && !tty_termios.c_cc[V_MIN]);
}

bool tty_readable(void)
{
	spin_lock(&lock);
	bool r = readable_locked();
	spin_unlock(&lock);
	return r;
}

long tty_read(u8 *buf, size_t len, bool nonblock)
{
	size_t n = 0;

	spin_lock(&lock);
	while (!readable_locked()) {
		int err = nonblock ? -EAGAIN : waitq_sleep(&tty_wq, &lock, 0);
		if (err) {
			spin_unlock(&lock);
			return err;
		}
	}
	if (r_head == r_tail && eofs) {
		eofs--;
		spin_unlock(&lock);
		return 0;
	}
	/* A canonical read ends at a line's end. */
	while (n < len && r_tail != r_head) {
		u8 c = ready[r_tail++ % sizeof(ready)];
		buf[n++] = c;
		if (c == '\n' && (tty_termios.c_lflag & L_ICANON))
			break;
	}
	spin_unlock(&lock);
	return n;
}

long tty_output(int ch, const u8 *p, size_t len, bool may_sleep)
{
	u8 out[1024];
	size_t done = 0;

	/*
	 * stdout and stderr both on the terminal: one stream, as one
	 * terminal keeps their order (docker -t does the same). Over the
	 * virtio console the two are separate ports that the host reads
	 * apart: bash's prompt and echo (stderr) came after the output of a
	 * command (stdout) written later.
	 */
	if (ch == PROTO_CH_STDERR && (boot_opts.tty_mask & 6) == 6)
		ch = PROTO_CH_STDOUT;

	if ((tty_termios.c_oflag & (O_OPOST | O_ONLCR)) != (O_OPOST | O_ONLCR))
		return may_sleep ? console_write_out(ch, p, len) :
				   console_write_nowait(ch, p, len);
	while (done < len) {
		size_t k = 0, from = done;
		while (done < len && k < sizeof(out) - 1) {
			if (p[done] == '\n')
				out[k++] = '\r';
			out[k++] = p[done++];
		}
		long r = may_sleep ? console_write_out(ch, out, k) :
				     console_write_nowait(ch, out, k);
		if (r < 0)
			return from ? (long)from : r;
	}
	return len;
}

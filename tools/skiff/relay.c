/*
 * The relay between skiff's stdio and a running VM, one poll loop:
 *   skiff's stdin  -> escaped (proto.h) -> QEMU's stdin -> guest COM1
 *   guest COM1 -> QEMU's stdout -> proto.c -> output queue -> skiff's
 *                                 stdout (channel 1) / stderr (2, and the
 *                                 kernel log with --verbose)
 *   QEMU's stderr -> kept for error messages (and stderr with --verbose)
 *
 * Nothing blocks while the other direction could fill: QEMU's stdin is
 * non-blocking, skiff's stdout/stderr are written (at most PIPE_BUF bytes at
 * a time) only when poll says they can take it, and QEMU's output is read
 * only while the output queue is under OUT_LIMIT, so a slow reader of
 * skiff's stdout slows the guest down instead of growing memory. The queue
 * is one ordered list, so stdout and stderr keep the guest's order.
 *
 * skiff's stdin is read only after the guest's first byte (skiff/proto.h).
 *
 * The loop ends when QEMU closes its stdout and stderr (it exited), a
 * little after the guest sent its final record if QEMU lingers, or when
 * skiff's stdout is a closed pipe (then skiff ends like a program killed by
 * SIGPIPE). A first SIGINT, SIGTERM, SIGHUP or SIGQUIT to skiff is
 * forwarded to the program (PROTO_IN_SIGNAL), as `docker stop` sends
 * SIGTERM to a container's process: the program may clean up and exit. The
 * loop ends anyway STOP_GRACE_MS later (docker stop's 10 s), on a second
 * signal, or at once if the guest has not started (nothing to forward to).
 * A SIGWINCH (the terminal resized) sends its new size to the guest
 * ("winsize" on the control port, skiff/proto.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <skiff/proto.h>
#include "skiff.h"

#define OUT_LIMIT (256 * 1024) /* queued output above which QEMU waits */
#define CHUNK_CAP 65536
#define READ_SIZE 65536
#define RECORD_GRACE_MS 3000  /* QEMU's time to exit after the final record */
#define STOP_GRACE_MS 10000   /* the program's time to exit after a signal */

struct chunk {
	struct chunk *next;
	int fd;			/* 1 or 2 */
	size_t len, off;	/* bytes in data, bytes already written */
	u8 data[CHUNK_CAP];
};

struct relay {
	struct qemu *q;
	bool verbose;
	s64 launch_ns;
	struct relay_result *r;
	struct proto_demux demux;
	struct chunk *head, *tail;	/* output queue */
	size_t queued;			/* bytes in it */
	u8 inq[2 * READ_SIZE + 2];	/* escaped stdin for QEMU */
	size_t in_len, in_off;
	u8 sigq[3];			/* a forwarded signal for QEMU */
	size_t sig_len, sig_off;
	int forwarded;			/* the signal forwarded, 0: none yet */
	s64 stop_deadline;		/* when the program's grace ends */
	bool typeahead;			/* term_typeahead may have bytes */
	bool stdin_eof;			/* read; the EOF marker is in inq */
	bool stdin_dead;		/* QEMU's stdin is closed: stop */
	bool out_eof, err_eof;		/* QEMU closed its stdout / stderr */
	/* The virtio console's ports (skiff/proto.h), when q->port[1] >= 0:
	 * stdin goes raw to port 1, and control lines to port 4. */
	bool vc;
	struct proto_demux vdemux;	/* port 4's records */
	u64 stdin_total;		/* bytes of stdin read */
	char ctlq[96];			/* lines for port 4 */
	size_t ctl_len, ctl_off;
	bool vout_eof, verr_eof, vctl_eof; /* QEMU closed ports 2, 3, 4 */
	size_t err_len, log_len;	/* bytes in r->qemu_err, r->log_tail */
};

static volatile sig_atomic_t caught_signal;

/* A detached instance's keeper (keeper.c) drives the loop too (skiff.h). */
volatile sig_atomic_t relay_end_now;
u64 relay_pending_signals;
int relay_boot_fd = -1;
int relay_log_fd = -1;
volatile sig_atomic_t relay_send_time;
static volatile sig_atomic_t winch; /* the host terminal was resized */

static void on_winch(int signo)
{
	winch = 1;
}
static sigset_t run_mask; /* the mask ppoll runs with: signals open */

static void on_signal(int signo)
{
	caught_signal = signo;
}

void relay_catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	sigemptyset(&block);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		sigaddset(&block, sigs[i]);
		sigaction(sigs[i], &sa, NULL);
	}
	sigaddset(&block, SIGWINCH);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	sigprocmask(SIG_BLOCK, &block, &run_mask);
	signal(SIGPIPE, SIG_IGN);
}

s64 relay_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (s64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Keeps the last size-1 bytes of a stream in buf. */
static void keep_tail(char *buf, size_t size, size_t *len, const u8 *p,
		      size_t n)
{
	if (n >= size - 1) {
		p += n - (size - 1);
		n = size - 1;
	}
	if (*len + n > size - 1) {
		size_t drop = *len + n - (size - 1);

		memmove(buf, buf + drop, *len - drop);
		*len -= drop;
	}
	memcpy(buf + *len, p, n);
	*len += n;
	buf[*len] = '\0';
}

static void enqueue(struct relay *rl, int fd, const u8 *p, size_t n)
{
	while (n) {
		struct chunk *t = rl->tail;
		size_t k;

		if (!t || t->fd != fd || t->len == CHUNK_CAP) {
			t = xmalloc(sizeof(*t));
			t->next = NULL;
			t->fd = fd;
			t->len = t->off = 0;
			if (rl->tail)
				rl->tail->next = t;
			else
				rl->head = t;
			rl->tail = t;
		}
		k = MIN(n, CHUNK_CAP - t->len);
		memcpy(t->data + t->len, p, k);
		t->len += k;
		rl->queued += k;
		p += k;
		n -= k;
	}
}

/* proto.c's sink: guest data by channel. */
static void on_guest_data(void *ctx, int channel, const u8 *p, size_t n)
{
	struct relay *rl = ctx;

	if (channel == PROTO_CH_STDOUT || channel == PROTO_CH_STDERR) {
		if (rl->r->first_output_ns < 0)
			rl->r->first_output_ns = relay_now_ns() - rl->launch_ns;
		enqueue(rl, channel, p, n);
		return;
	}
	if (channel == PROTO_CH_LOG)
		keep_tail(rl->r->log_tail, sizeof(rl->r->log_tail),
			  &rl->log_len, p, n);
	if (rl->verbose)
		enqueue(rl, 2, p, n);
}

static void pop_chunk(struct relay *rl)
{
	struct chunk *c = rl->head;

	rl->queued -= c->len - c->off;
	rl->head = c->next;
	if (!rl->head)
		rl->tail = NULL;
	free(c);
}

/*
 * How much a write to fd may carry without blocking, poll having said it
 * is writable: a pipe's free room (its size less what is unread), else
 * PIPE_BUF (a terminal; a file takes any size, but PIPE_BUF is enough).
 */
static size_t write_room(int fd)
{
	int size = fcntl(fd, F_GETPIPE_SZ), unread = 0;

	if (size <= 0 || ioctl(fd, FIONREAD, &unread) < 0 || unread >= size)
		return PIPE_BUF;
	return MAX((size_t)(size - unread), (size_t)PIPE_BUF);
}

/* One write of the head of the queue; poll said its fd is writable. */
static void write_head(struct relay *rl)
{
	struct chunk *c = rl->head;
	/* One look at the room: MIN evaluates its arguments twice, and the
	 * reader may take data in between (a write past the chunk). */
	size_t room = write_room(c->fd);
	ssize_t n = write(c->fd, c->data + c->off, MIN(c->len - c->off, room));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		if (errno == EPIPE)
			rl->r->broken_pipe = true;
		/* Output that cannot be written is dropped, like a native
		 * program's writes to a full disk. */
		pop_chunk(rl);
		return;
	}
	if (relay_log_fd >= 0 && write(relay_log_fd, c->data + c->off, n) < 0)
		relay_log_fd = -1; /* a full disk: the program runs on */
	c->off += n;
	rl->queued -= n;
	if (c->off == c->len)
		pop_chunk(rl);
}

/* Queues a line for the guest's control port (dropped if it is full). */
static void __attribute__((format(printf, 2, 3)))
ctl_line(struct relay *rl, const char *fmt, ...)
{
	size_t room = sizeof(rl->ctlq) - rl->ctl_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(rl->ctlq + rl->ctl_len, room, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < room)
		rl->ctl_len += n;
}

static void write_ctl(struct relay *rl)
{
	ssize_t n = write(rl->q->port[PROTO_VPORT_CTL], rl->ctlq + rl->ctl_off,
			  rl->ctl_len - rl->ctl_off);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		rl->ctl_off = rl->ctl_len = 0;
		return;
	}
	rl->ctl_off += n;
	if (rl->ctl_off == rl->ctl_len)
		rl->ctl_off = rl->ctl_len = 0;
}

/* Stdin for the guest: the terminal's typeahead, else (when poll said
 * so: readable) what a read gives. */
static void read_stdin(struct relay *rl, bool readable)
{
	u8 buf[READ_SIZE];
	/* What the terminal took before raw mode comes first (term.c). */
	ssize_t n = (ssize_t)term_typeahead(buf, sizeof(buf));

	if (!n) {
		rl->typeahead = false;
		if (!readable)
			return;
		n = read(0, buf, sizeof(buf));
	}

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	rl->in_off = 0;
	if (rl->vc) {
		if (n <= 0) {
			rl->stdin_eof = true;
			ctl_line(rl, "eof %llu\n",
				 (unsigned long long)rl->stdin_total);
			return;
		}
		memcpy(rl->inq, buf, n);
		rl->in_len = n;
		rl->stdin_total += n;
		return;
	}
	if (n <= 0) {
		rl->stdin_eof = true;
		rl->inq[0] = PROTO_ESC;
		rl->inq[1] = PROTO_IN_EOF;
		rl->in_len = 2;
		return;
	}
	rl->in_len = proto_escape_input(buf, n, rl->inq);
}

/*
 * Writes escaped stdin, or the forwarded signal once stdin's queue is empty:
 * inq holds whole escape sequences, so the signal never splits one.
 */
static void write_guest_stdin(struct relay *rl)
{
	bool sig = rl->in_len == rl->in_off;
	const u8 *p = sig ? rl->sigq + rl->sig_off : rl->inq + rl->in_off;
	size_t len = sig ? rl->sig_len - rl->sig_off : rl->in_len - rl->in_off;
	ssize_t n = write(rl->vc ? rl->q->port[PROTO_VPORT_STDIN] : rl->q->in,
			  p, len);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		rl->stdin_dead = true;
		return;
	}
	if (sig) {
		rl->sig_off += n;
		return;
	}
	rl->in_off += n;
	if (rl->in_off == rl->in_len)
		rl->in_off = rl->in_len = 0;
}

/*
 * A signal to skiff: the first is forwarded to a running program and gives
 * it STOP_GRACE_MS; false when the loop must end now.
 */
static bool forward_signal(struct relay *rl)
{
	int signo = caught_signal;

	if (rl->forwarded || rl->stdin_dead || rl->r->first_byte_ns < 0)
		return false;
	if (rl->vc)
		ctl_line(rl, "signal %d\n", signo);
	else
		rl->sig_len = 3;
	rl->sigq[0] = PROTO_ESC;
	rl->sigq[1] = PROTO_IN_SIGNAL;
	rl->sigq[2] = signo;
	rl->forwarded = signo;
	rl->stop_deadline = relay_now_ns() + STOP_GRACE_MS * 1000000ll;
	caught_signal = 0;
	return true;
}

static void read_qemu_out(struct relay *rl)
{
	u8 buf[READ_SIZE];
	ssize_t n = read(rl->q->out, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		rl->out_eof = true;
		return;
	}
	if (rl->r->first_byte_ns < 0)
		rl->r->first_byte_ns = relay_now_ns() - rl->launch_ns;
	if (relay_boot_fd >= 0) {
		/* If the starter is gone, nobody waits: no error. */
		ssize_t ignored = write(relay_boot_fd, "b", 1);

		(void)ignored;
		close(relay_boot_fd);
		relay_boot_fd = -1;
	}
	proto_feed(&rl->demux, buf, n);
}

static void read_qemu_err(struct relay *rl)
{
	u8 buf[READ_SIZE];
	ssize_t n = read(rl->q->err, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		rl->err_eof = true;
		return;
	}
	keep_tail(rl->r->qemu_err, sizeof(rl->r->qemu_err), &rl->err_len, buf, n);
	if (rl->verbose)
		enqueue(rl, 2, buf, n);
}

/* Reads a port of the virtio console: stdout, stderr or the records. */
static void read_port(struct relay *rl, int port, bool *eof)
{
	u8 buf[READ_SIZE];
	ssize_t n = read(rl->q->port[port], buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		*eof = true;
		return;
	}
	if (port == PROTO_VPORT_CTL) {
		proto_feed(&rl->vdemux, buf, n);
		return;
	}
	if (rl->r->first_output_ns < 0)
		rl->r->first_output_ns = relay_now_ns() - rl->launch_ns;
	enqueue(rl, port == PROTO_VPORT_STDERR ? 2 : 1, buf, n);
}

enum { P_STDIN, P_QIN, P_QOUT, P_QERR, P_OUT, P_VOUT, P_VERR, P_VCTL,
       P_COUNT };

static void set_pollfds(const struct relay *rl, struct pollfd *p)
{
	bool feeding = !rl->stdin_dead && (rl->in_len > rl->in_off ||
					   rl->sig_len > rl->sig_off);
	int in_fd = rl->vc ? rl->q->port[PROTO_VPORT_STDIN] : rl->q->in;
	bool room = rl->queued < OUT_LIMIT;

	p[P_STDIN] = (struct pollfd){ -1, POLLIN, 0 };
	p[P_QIN] = (struct pollfd){ feeding ? in_fd : -1, POLLOUT, 0 };
	p[P_VOUT] = (struct pollfd){ -1, POLLIN, 0 };
	p[P_VERR] = (struct pollfd){ -1, POLLIN, 0 };
	p[P_VCTL] = (struct pollfd){ -1, POLLIN, 0 };
	if (rl->vc) {
		if (!rl->vout_eof && room)
			p[P_VOUT].fd = rl->q->port[PROTO_VPORT_STDOUT];
		if (!rl->verr_eof && room)
			p[P_VERR].fd = rl->q->port[PROTO_VPORT_STDERR];
		if (!rl->vctl_eof)
			p[P_VCTL].fd = rl->q->port[PROTO_VPORT_CTL];
		if (rl->ctl_len > rl->ctl_off)
			p[P_VCTL].events |= POLLOUT;
	}
	p[P_QOUT] = (struct pollfd){ -1, POLLIN, 0 };
	p[P_QERR] = (struct pollfd){ rl->err_eof ? -1 : rl->q->err, POLLIN, 0 };
	p[P_OUT] = (struct pollfd){ rl->head ? rl->head->fd : -1, POLLOUT, 0 };
	/* Input sent before the guest's first byte would be lost (proto.h). */
	if (!rl->stdin_eof && !rl->stdin_dead && rl->in_len == 0 &&
	    rl->r->first_byte_ns >= 0)
		p[P_STDIN].fd = 0;
	if (!rl->out_eof && room)
		p[P_QOUT].fd = rl->q->out;
}

/* A readiness event, or an error the next read or write will report. */
static bool ready(const struct pollfd *p)
{
	return p->fd >= 0 && p->revents;
}

/* QEMU closed everything it writes to: it exited. */
static bool qemu_closed(const struct relay *rl)
{
	return rl->out_eof && rl->err_eof &&
	       (!rl->vc || (rl->vout_eof && rl->verr_eof && rl->vctl_eof));
}

/* The guest's first record, from COM1 or the control port. */
static const struct proto_record *record(const struct relay *rl)
{
	return rl->demux.rec.kind != REC_NONE ? &rl->demux.rec : &rl->vdemux.rec;
}

/* Waits for and handles one round of events; false when the loop is over. */
static bool relay_step(struct relay *rl, s64 deadline)
{
	struct pollfd p[P_COUNT];
	struct timespec ts, *tsp = NULL;

	if (caught_signal && !forward_signal(rl))
		return false;
	if (relay_end_now)
		return false;
	if (relay_send_time && rl->vc) {
		struct timespec rt;

		relay_send_time = 0;
		clock_gettime(CLOCK_REALTIME, &rt);
		ctl_line(rl, "time %llu\n", (unsigned long long)rt.tv_sec *
			 1000000000ull + (unsigned long long)rt.tv_nsec);
	}
	for (u64 fwd = __atomic_exchange_n(&relay_pending_signals, 0,
					   __ATOMIC_SEQ_CST), s = 1;
	     fwd && s <= 64; s++)
		if (rl->vc && (fwd & (1ull << (s - 1))))
			ctl_line(rl, "signal %d\n", (int)s);
	if (winch && rl->vc) {
		struct winsize ws;

		winch = 0;
		for (int fd = 0; fd < 3; fd++)
			if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col &&
			    ws.ws_row) {
				ctl_line(rl, "winsize %u %u\n", ws.ws_col,
					 ws.ws_row);
				break;
			}
	}
	if (rl->r->broken_pipe || qemu_closed(rl))
		return false;
	if (rl->forwarded && (!deadline || rl->stop_deadline < deadline))
		deadline = rl->stop_deadline;
	if (deadline) {
		s64 left = deadline - relay_now_ns();

		if (left <= 0)
			return false;
		ts = (struct timespec){ left / 1000000000, left % 1000000000 };
		tsp = &ts;
	}
	set_pollfds(rl, p);
	if (p[P_STDIN].fd >= 0 && rl->typeahead) {
		ts = (struct timespec){ 0, 0 }; /* it is ready now */
		tsp = &ts;
	}
	if (ppoll(p, P_COUNT, tsp, &run_mask) < 0)
		return errno == EINTR;
	if (ready(&p[P_OUT]))
		write_head(rl);
	if (ready(&p[P_QIN]))
		write_guest_stdin(rl);
	if (ready(&p[P_STDIN]) || (p[P_STDIN].fd >= 0 && rl->typeahead))
		read_stdin(rl, ready(&p[P_STDIN]));
	if (ready(&p[P_QERR]))
		read_qemu_err(rl);
	if (ready(&p[P_QOUT]))
		read_qemu_out(rl);
	if (ready(&p[P_VOUT]))
		read_port(rl, PROTO_VPORT_STDOUT, &rl->vout_eof);
	if (ready(&p[P_VERR]))
		read_port(rl, PROTO_VPORT_STDERR, &rl->verr_eof);
	if (ready(&p[P_VCTL]) && (p[P_VCTL].revents & POLLOUT))
		write_ctl(rl);
	if (ready(&p[P_VCTL]) && (p[P_VCTL].revents & ~POLLOUT))
		read_port(rl, PROTO_VPORT_CTL, &rl->vctl_eof);
	return true;
}

/* After the loop: what is left of the output, written in full unless the
 * reader is gone or a signal says stop. */
static void drain(struct relay *rl)
{
	/*
	 * The guest sends its final record only once the device took all its
	 * output, so what a slow reader left in the stdout and stderr ports
	 * (the loop reads them only while the queue is short) is complete
	 * there: take it all, the ports being non-blocking.
	 */
	for (int port = PROTO_VPORT_STDOUT; rl->vc && port <= PROTO_VPORT_STDERR;
	     port++) {
		bool *eof = port == PROTO_VPORT_STDOUT ? &rl->vout_eof
						       : &rl->verr_eof;
		for (size_t before = ~(size_t)0; !*eof && rl->queued != before;) {
			before = rl->queued;
			read_port(rl, port, eof);
		}
	}
	while (rl->head && !rl->r->broken_pipe && !caught_signal) {
		struct pollfd p = { rl->head->fd, POLLOUT, 0 };

		if (ppoll(&p, 1, NULL, &run_mask) > 0)
			write_head(rl);
	}
	while (rl->head)
		pop_chunk(rl);
}

int relay_run(struct qemu *q, bool verbose, s64 launch_ns,
	      struct relay_result *r)
{
	struct relay rl = { .q = q, .verbose = verbose,
			    .launch_ns = launch_ns, .r = r };
	s64 deadline = 0;

	memset(r, 0, sizeof(*r));
	r->first_byte_ns = r->first_output_ns = -1;
	proto_init(&rl.demux, on_guest_data, &rl);
	proto_init(&rl.vdemux, on_guest_data, &rl);
	rl.vdemux.channel = PROTO_CH_CTL; /* port 4 carries records only */
	rl.vc = q->port[PROTO_VPORT_STDIN] >= 0;
	rl.typeahead = true;
	for (;;) {
		if (record(&rl)->kind != REC_NONE && !deadline)
			deadline = relay_now_ns() + RECORD_GRACE_MS * 1000000ll;
		if (!relay_step(&rl, deadline))
			break;
	}
	r->qemu_closed = qemu_closed(&rl);
	drain(&rl);
	r->rec = *record(&rl);
	/* Ended by skiff's signal: a second one, or the grace ran out with
	 * no record from the guest. */
	r->signo = caught_signal ? caught_signal :
		   r->rec.kind == REC_NONE ? rl.forwarded : 0;
	return 0;
}

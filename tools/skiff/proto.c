/*
 * The host end of the console protocol of skiff/proto.h.
 *
 * proto_feed() takes the bytes QEMU relays from the guest's COM1, undoes the
 * escaping, hands data of channels other than PROTO_CH_CTL to a sink, and
 * parses the control channel into records; the first complete record is
 * kept in d->rec. proto_escape_input() does the escaping in the other
 * direction, for the program's stdin. No I/O here.
 */
#include <stdlib.h>
#include <string.h>
#include <skiff/proto.h>
#include "skiff.h"

void proto_init(struct proto_demux *d, proto_sink sink, void *ctx)
{
	memset(d, 0, sizeof(*d));
	d->channel = PROTO_CH_LOG;
	d->sink = sink;
	d->ctx = ctx;
}

/* Parses a decimal (base 10) or hex (base 16, optional 0x) number that ends
 * at a space or at the end of the string. */
static bool parse_num(const char **s, int base, u64 *v)
{
	char *end;

	bool hex = base == 16 && **s && strchr("abcdefABCDEF", **s);

	if (!(**s >= '0' && **s <= '9') && !hex)
		return false;
	*v = strtoull(*s, &end, base);
	if (*end && *end != ' ')
		return false;
	*s = *end ? end + 1 : end;
	return true;
}

static void copy_msg(struct proto_record *r, const char *msg)
{
	snprintf(r->msg, sizeof(r->msg), "%s", msg);
}

bool proto_parse_record(const char *line, struct proto_record *r)
{
	u64 a, b, c;

	memset(r, 0, sizeof(*r));
	if (!strncmp(line, "exit ", 5)) {
		line += 5;
		if (!parse_num(&line, 10, &a) || *line || a > 255)
			return false;
		r->kind = REC_EXIT;
		r->status = a;
	} else if (!strncmp(line, "signal ", 7)) {
		line += 7;
		if (!parse_num(&line, 10, &a) || !parse_num(&line, 16, &b) ||
		    !parse_num(&line, 16, &c) || *line || a == 0 || a > 64)
			return false;
		r->kind = REC_SIGNAL;
		r->status = a;
		r->addr = b;
		r->rip = c;
	} else if (!strncmp(line, "error ", 6)) {
		r->kind = REC_ERROR;
		copy_msg(r, line + 6);
	} else if (!strcmp(line, "panic") || !strncmp(line, "panic ", 6)) {
		r->kind = REC_PANIC;
		copy_msg(r, line[5] ? line + 6 : "");
	} else {
		return false;
	}
	return true;
}

static void ctl_byte(struct proto_demux *d, u8 b)
{
	struct proto_record r;

	if (b != '\n') {
		if (d->line_len < sizeof(d->line) - 1)
			d->line[d->line_len++] = b;
		return;
	}
	d->line[d->line_len] = '\0';
	d->line_len = 0;
	if (d->rec.kind == REC_NONE && proto_parse_record(d->line, &r))
		d->rec = r;
}

static void emit(struct proto_demux *d, const u8 *buf, size_t n)
{
	if (!n)
		return;
	if (d->channel != PROTO_CH_CTL) {
		d->sink(d->ctx, d->channel, buf, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		ctl_byte(d, buf[i]);
}

void proto_feed(struct proto_demux *d, const u8 *buf, size_t n)
{
	static const u8 esc = PROTO_ESC;
	size_t run = 0; /* start of the current run of plain data */

	for (size_t i = 0; i < n; i++) {
		if (d->esc) {
			d->esc = false;
			if (buf[i] == PROTO_ESC)
				emit(d, &esc, 1);
			else if (buf[i] < 16)
				d->channel = buf[i];
			/* Other escapes are undefined: dropped. */
			run = i + 1;
		} else if (buf[i] == PROTO_ESC) {
			emit(d, buf + run, i - run);
			d->esc = true;
			run = i + 1;
		}
	}
	emit(d, buf + run, n - run);
}

size_t proto_escape_input(const u8 *in, size_t n, u8 *out)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		out[len++] = in[i];
		if (in[i] == PROTO_ESC)
			out[len++] = PROTO_ESC;
	}
	return len;
}

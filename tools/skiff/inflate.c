/*
 * A gzip decoder (RFC 1952 around RFC 1951's DEFLATE), written for skiff
 * run IMAGE on a compressed image: host side, streamed from one file
 * descriptor to another, with every length, distance, code and the CRC-32
 * and size of each member checked, so that a damaged image is a clear
 * error, never a hang or a crash. Interface: gz_decompress in skiff.h.
 *
 * Huffman codes are decoded canonically (RFC 1951 3.2.2): for each code
 * length, how many codes have it and the symbols in order; a code of up to
 * FAST_BITS bits is found by one look-up in a table of the next input
 * bits, a longer one bit by bit against those counts.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "skiff.h"

#define GZ_WINDOW 32768
#define GZ_OUT_BUF (1u << 20) /* the output buffer; the window lies in it */
#define MAXBITS 15

#define FAST_BITS 9 /* codes this short are decoded by one table look-up */

struct huff {
	u16 count[MAXBITS + 1]; /* codes of each length */
	u16 symbol[288];	/* symbols ordered by code */
	/* the next FAST_BITS input bits -> symbol | length << 9, 0 when the
	 * code is longer (then read bit by bit) */
	u16 fast[1 << FAST_BITS];
};

struct gz {
	int in_fd, out_fd;
	u8 in[65536];
	size_t in_len, in_pos;
	bool in_eof;
	u32 bitbuf;		/* bits not yet used, low bit first */
	int bitcnt;
	u8 *out;		/* GZ_OUT_BUF bytes: flushed, the last GZ_WINDOW kept */
	size_t out_pos;		/* bytes in out */
	u64 total;		/* bytes of the member output so far */
	u32 crc;
	const char *why;	/* what is wrong, for the message */
	int err;		/* -errno of a read or write */
};

static u32 crc_table[256];

static void crc_init(void)
{
	for (u32 n = 0; n < 256; n++) {
		u32 c = n;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
}

static u32 crc_update(u32 crc, const u8 *p, size_t n)
{
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* The next input byte, or -1 at the end of the file (or a read error). */
static int next_byte(struct gz *g)
{
	if (g->in_pos == g->in_len) {
		ssize_t n;

		if (g->in_eof)
			return -1;
		do
			n = read(g->in_fd, g->in, sizeof(g->in));
		while (n < 0 && errno == EINTR);
		if (n <= 0) {
			if (n < 0)
				g->err = -errno;
			g->in_eof = true;
			return -1;
		}
		g->in_len = n;
		g->in_pos = 0;
	}
	return g->in[g->in_pos++];
}

/* need bits (<= 16), low first; false at a truncated stream. */
static bool bits(struct gz *g, int need, u32 *v)
{
	while (g->bitcnt < need) {
		int c = next_byte(g);

		if (c < 0) {
			g->why = "it ends too early (truncated)";
			return false;
		}
		g->bitbuf |= (u32)c << g->bitcnt;
		g->bitcnt += 8;
	}
	*v = g->bitbuf & ((1u << need) - 1);
	g->bitbuf >>= need;
	g->bitcnt -= need;
	return true;
}

static bool flush_out(struct gz *g, size_t keep)
{
	size_t off = 0, n = g->out_pos - keep;

	g->crc = crc_update(g->crc, g->out, n);
	while (off < n) {
		ssize_t w = write(g->out_fd, g->out + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			g->err = -errno;
			return false;
		}
		off += w;
	}
	memmove(g->out, g->out + n, keep);
	g->out_pos = keep;
	return true;
}

static bool put_byte(struct gz *g, u8 c)
{
	if (g->out_pos == GZ_OUT_BUF && !flush_out(g, GZ_WINDOW))
		return false;
	g->out[g->out_pos++] = c;
	g->total++;
	return true;
}

/* h->fast from the canonical codes: a code is sent high bit first, the
 * stream is read low bit first, so the table is indexed by the code's bits
 * reversed, every value of the bits after it pointing at it too. */
static void fast_table(struct huff *h)
{
	unsigned code = 0, index = 0;

	for (unsigned l = 1; l <= FAST_BITS; l++) {
		for (unsigned i = 0; i < h->count[l]; i++, code++, index++) {
			unsigned rev = 0;

			for (unsigned b = 0; b < l; b++)
				rev |= ((code >> b) & 1) << (l - 1 - b);
			for (unsigned k = rev; k < (1u << FAST_BITS); k += 1u << l)
				h->fast[k] = h->symbol[index] | l << 9;
		}
		code <<= 1;
	}
}

/* Builds h from lengths; false if oversubscribed, or incomplete with more
 * than one code (RFC 1951 allows one code of one bit alone). */
static bool huff_build(struct huff *h, const u8 *len, int n)
{
	u16 offs[MAXBITS + 2];
	int left = 1;

	memset(h->count, 0, sizeof(h->count));
	memset(h->fast, 0, sizeof(h->fast));
	for (int s = 0; s < n; s++)
		h->count[len[s]]++;
	if (h->count[0] == n)
		return true; /* no codes: valid, if never used */
	for (int l = 1; l <= MAXBITS; l++) {
		left = (left << 1) - h->count[l];
		if (left < 0)
			return false;
	}
	offs[1] = 0;
	for (int l = 1; l <= MAXBITS; l++)
		offs[l + 1] = offs[l] + h->count[l];
	for (int s = 0; s < n; s++)
		if (len[s])
			h->symbol[offs[len[s]]++] = s;
	fast_table(h);
	return left == 0 || n - h->count[0] == 1;
}

/* One symbol of h, or -1 (bad code or truncated). */
static int decode(struct gz *g, const struct huff *h)
{
	int code = 0, first = 0, index = 0;

	/* the fast path, when the input holds FAST_BITS bits more */
	while (g->bitcnt < FAST_BITS) {
		int c = next_byte(g);

		if (c < 0)
			break;
		g->bitbuf |= (u32)c << g->bitcnt;
		g->bitcnt += 8;
	}
	if (g->bitcnt >= FAST_BITS) {
		u16 e = h->fast[g->bitbuf & ((1u << FAST_BITS) - 1)];

		if (e) {
			g->bitbuf >>= e >> 9;
			g->bitcnt -= e >> 9;
			return e & 0x1ff;
		}
	}

	for (int l = 1; l <= MAXBITS; l++) {
		u32 b;

		if (!bits(g, 1, &b))
			return -1;
		code |= b;
		int count = h->count[l];
		if (code - count < first)
			return h->symbol[index + (code - first)];
		index += count;
		first = (first + count) << 1;
		code <<= 1;
	}
	g->why = "it holds an invalid Huffman code";
	return -1;
}

static const u16 len_base[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17,
	19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227,
	258 };
static const u8 len_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2,
	2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const u16 dist_base[30] = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49,
	65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
	6145, 8193, 12289, 16385, 24577 };
static const u8 dist_extra[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5,
	6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

/* A length/distance pair: copied from the window of output. */
static bool copy_match(struct gz *g, int sym, const struct huff *dist)
{
	u32 extra, len, d;
	int ds;

	sym -= 257;
	if (sym >= 29) {
		g->why = "it holds an invalid length code";
		return false;
	}
	if (!bits(g, len_extra[sym], &extra))
		return false;
	len = len_base[sym] + extra;
	ds = decode(g, dist);
	if (ds < 0)
		return false;
	if (ds >= 30) {
		g->why = "it holds an invalid distance code";
		return false;
	}
	if (!bits(g, dist_extra[ds], &extra))
		return false;
	d = dist_base[ds] + extra;
	if (d > g->total || d > g->out_pos + 0u) {
		g->why = "it refers to data before its start";
		return false;
	}
	while (len--) {
		/* put_byte may flush, which keeps GZ_WINDOW >= d bytes */
		u8 c = g->out[g->out_pos - d];

		if (!put_byte(g, c))
			return false;
	}
	return true;
}

static bool codes(struct gz *g, const struct huff *lit, const struct huff *dist)
{
	for (;;) {
		int sym = decode(g, lit);

		if (sym < 0)
			return false;
		if (sym < 256) {
			if (!put_byte(g, sym))
				return false;
		} else if (sym == 256) {
			return true;
		} else if (!copy_match(g, sym, dist)) {
			return false;
		}
	}
}

static bool stored(struct gz *g)
{
	u8 hdr[4];

	g->bitbuf = 0; /* to a byte boundary */
	g->bitcnt = 0;
	for (int i = 0; i < 4; i++) {
		int c = next_byte(g);

		if (c < 0) {
			g->why = "it ends too early (truncated)";
			return false;
		}
		hdr[i] = c;
	}
	u32 len = hdr[0] | hdr[1] << 8, nlen = hdr[2] | hdr[3] << 8;
	if ((len ^ nlen) != 0xffff) {
		g->why = "a stored block's length is damaged";
		return false;
	}
	while (len--) {
		int c = next_byte(g);

		if (c < 0) {
			g->why = "it ends too early (truncated)";
			return false;
		}
		if (!put_byte(g, c))
			return false;
	}
	return true;
}

static bool fixed(struct gz *g)
{
	static struct huff lit, dist;
	static bool built;

	if (!built) {
		u8 l[288];

		for (int s = 0; s < 288; s++)
			l[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
		huff_build(&lit, l, 288);
		memset(l, 5, 30);
		huff_build(&dist, l, 30);
		built = true;
	}
	return codes(g, &lit, &dist);
}

/* The code lengths of a dynamic block's two codes (RFC 1951 3.2.7). */
static bool dyn_lengths(struct gz *g, u8 *lens, int n, const struct huff *cl)
{
	for (int i = 0; i < n;) {
		int sym = decode(g, cl);
		u32 rep, v;
		u8 fill = 0;

		if (sym < 0)
			return false;
		if (sym < 16) {
			lens[i++] = sym;
			continue;
		}
		if (sym == 16) {
			if (i == 0)
				goto bad;
			fill = lens[i - 1];
			if (!bits(g, 2, &v))
				return false;
			rep = 3 + v;
		} else if (sym == 17) {
			if (!bits(g, 3, &v))
				return false;
			rep = 3 + v;
		} else {
			if (!bits(g, 7, &v))
				return false;
			rep = 11 + v;
		}
		if (i + rep > (u32)n)
			goto bad;
		while (rep--)
			lens[i++] = fill;
	}
	return true;
bad:
	g->why = "a dynamic block's code lengths are damaged";
	return false;
}

static bool dynamic(struct gz *g)
{
	static const u8 order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4,
				      12, 3, 13, 2, 14, 1, 15 };
	struct huff cl, lit, dist;
	u8 lens[320] = { 0 };
	u32 nlen, ndist, ncode, v;

	if (!bits(g, 5, &nlen) || !bits(g, 5, &ndist) || !bits(g, 4, &ncode))
		return false;
	nlen += 257;
	ndist += 1;
	ncode += 4;
	if (nlen > 286 || ndist > 30) {
		g->why = "a dynamic block has too many codes";
		return false;
	}
	for (u32 i = 0; i < ncode; i++) {
		if (!bits(g, 3, &v))
			return false;
		lens[order[i]] = v;
	}
	if (!huff_build(&cl, lens, 19))
		goto bad;
	memset(lens, 0, sizeof(lens));
	if (!dyn_lengths(g, lens, nlen + ndist, &cl))
		return false;
	if (lens[256] == 0 || !huff_build(&lit, lens, nlen) ||
	    !huff_build(&dist, lens + nlen, ndist))
		goto bad;
	return codes(g, &lit, &dist);
bad:
	g->why = "a dynamic block's Huffman codes are invalid";
	return false;
}

static bool skip_string(struct gz *g)
{
	int c;

	while ((c = next_byte(g)) > 0)
		;
	return c == 0;
}

/* The member header (RFC 1952 2.3): false if it is not gzip's. */
static bool header(struct gz *g)
{
	u8 h[10];
	int c;

	for (int i = 0; i < 10; i++) {
		if ((c = next_byte(g)) < 0)
			goto bad;
		h[i] = c;
	}
	if (h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 || (h[3] & 0xe0))
		goto bad;
	if (h[3] & 4) { /* FEXTRA */
		int lo = next_byte(g), hi = next_byte(g);

		if (lo < 0 || hi < 0)
			goto bad;
		for (int n = lo | hi << 8; n > 0; n--)
			if (next_byte(g) < 0)
				goto bad;
	}
	if (((h[3] & 8) && !skip_string(g)) || ((h[3] & 16) && !skip_string(g)))
		goto bad;
	if ((h[3] & 2) && (next_byte(g) < 0 || next_byte(g) < 0))
		goto bad;
	return true;
bad:
	g->why = "its gzip header is damaged";
	return false;
}

/* The trailer: CRC-32 and size modulo 2^32 of the member's output. */
static bool trailer(struct gz *g)
{
	u32 v[2] = { 0, 0 };

	g->bitbuf = 0;
	g->bitcnt = 0;
	for (int i = 0; i < 8; i++) {
		int c = next_byte(g);

		if (c < 0) {
			g->why = "it ends too early (truncated)";
			return false;
		}
		v[i / 4] |= (u32)c << (8 * (i % 4));
	}
	if (!flush_out(g, 0))
		return false;
	if (v[0] != g->crc || v[1] != (u32)g->total) {
		g->why = "its data does not match its checksum (damaged)";
		return false;
	}
	return true;
}

static bool member(struct gz *g)
{
	u32 last = 0, type;

	g->crc = 0;
	g->total = 0;
	if (!header(g))
		return false;
	while (!last) {
		bool ok;

		if (!bits(g, 1, &last) || !bits(g, 2, &type))
			return false;
		if (type == 0)
			ok = stored(g);
		else if (type == 1)
			ok = fixed(g);
		else if (type == 2)
			ok = dynamic(g);
		else {
			g->why = "it holds an invalid block type";
			ok = false;
		}
		if (!ok)
			return false;
	}
	return trailer(g);
}

int gz_decompress(int in_fd, int out_fd, const char *name)
{
	struct gz *g = calloc(1, sizeof(*g));
	int c, status = 0;

	if (!g || !(g->out = malloc(GZ_OUT_BUF))) {
		free(g);
		skiff_err("out of memory");
		return SKIFF_EXIT_FAILED;
	}
	if (!crc_table[1])
		crc_init();
	g->in_fd = in_fd;
	g->out_fd = out_fd;
	/* Members one after the other, as gzip -d reads them. */
	do {
		if (!member(g)) {
			status = 1;
			break;
		}
		while ((c = next_byte(g)) == 0)
			; /* zero padding after the last member */
		if (c >= 0)
			g->in_pos--;
	} while (c >= 0);
	if (g->err) {
		skiff_err("%s: %s", name, strerror(-g->err));
		status = SKIFF_EXIT_FAILED;
	} else if (status) {
		skiff_err("%s: the compressed image is corrupt: %s", name,
			  g->why ? g->why : "it cannot be decoded");
		status = SKIFF_EXIT_CANNOT_RUN;
	}
	free(g->out);
	free(g);
	return status;
}

/*
 * An LZ4 frame decoder (LZ4 Frame Format 1.6.x around the LZ4 Block
 * Format), the compression of skiff build's images: host side, from an
 * mmap'd file to a file descriptor, every length and offset checked
 * against the input and the output so far, and the frame's header,
 * blocks and content checked against their xxHash32 checksums when the
 * frame carries them (lz4(1) writes the content checksum by default), so
 * a damaged image is a clear error, never a crash. Interface in skiff.h
 * (lz4_decompress).
 *
 * A block is a run of sequences: a token (literal length in its high
 * nibble, match length - 4 in its low one, 15 meaning more bytes follow,
 * each adding up to 255), the literals, a 2-byte little-endian offset
 * back into the output, and the match; the last sequence has literals
 * only. Linked blocks may refer to the 64 KiB before them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "skiff.h"

#define LZ4_MAGIC 0x184d2204u
#define LZ4_SKIP_MAGIC 0x184d2a50u /* 0x184d2a50 .. 0x184d2a5f */
#define HIST (64u << 10)
#define MIN_MATCH 4

#define P1 2654435761u
#define P2 2246822519u
#define P3 3266489917u
#define P4 668265263u
#define P5 374761393u

/* xxHash32, streamed (its specification, xxhash_spec.md). */
struct xxh32 {
	u32 v[4];
	u64 total;
	u8 buf[16];
	size_t used;
};

static u32 rotl(u32 x, int r)
{
	return x << r | x >> (32 - r);
}

static u32 le32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static void xxh_init(struct xxh32 *h)
{
	memset(h, 0, sizeof(*h));
	h->v[0] = P1 + P2;
	h->v[1] = P2;
	h->v[2] = 0;
	h->v[3] = -P1;
}

static void xxh_stripe(struct xxh32 *h, const u8 *p)
{
	for (int i = 0; i < 4; i++)
		h->v[i] = rotl(h->v[i] + le32(p + 4 * i) * P2, 13) * P1;
}

static void xxh_update(struct xxh32 *h, const u8 *p, size_t n)
{
	h->total += n;
	if (h->used) {
		size_t k = MIN(n, 16 - h->used);

		memcpy(h->buf + h->used, p, k);
		h->used += k;
		p += k;
		n -= k;
		if (h->used < 16)
			return;
		xxh_stripe(h, h->buf);
		h->used = 0;
	}
	for (; n >= 16; p += 16, n -= 16)
		xxh_stripe(h, p);
	memcpy(h->buf, p, n);
	h->used = n;
}

static u32 xxh_final(const struct xxh32 *h)
{
	u32 r = h->total >= 16 ? rotl(h->v[0], 1) + rotl(h->v[1], 7) +
					 rotl(h->v[2], 12) + rotl(h->v[3], 18)
			       : P5;
	size_t i = 0;

	r += (u32)h->total;
	for (; i + 4 <= h->used; i += 4)
		r = rotl(r + le32(h->buf + i) * P3, 17) * P4;
	for (; i < h->used; i++)
		r = rotl(r + h->buf[i] * P5, 11) * P1;
	r ^= r >> 15;
	r *= P2;
	r ^= r >> 13;
	r *= P3;
	return r ^ r >> 16;
}

static u32 xxh32(const u8 *p, size_t n)
{
	struct xxh32 h;

	xxh_init(&h);
	xxh_update(&h, p, n);
	return xxh_final(&h);
}

struct unlz4 {
	const u8 *in, *end;	/* the input not yet read */
	int out_fd;
	u8 *buf;		/* HIST bytes of history, then a block */
	size_t pos;		/* bytes in buf */
	size_t bmax;		/* the frame's largest block */
	bool linked;		/* blocks may refer to earlier ones */
	struct xxh32 content;
	const char *why;
	int err;		/* -errno of a write */
};

/* A length's extra bytes (15 in the nibble): false if the input ends. */
static bool more_len(const u8 **p, const u8 *end, size_t *len)
{
	u8 b;

	do {
		if (*p >= end)
			return false;
		b = *(*p)++;
		*len += b;
	} while (b == 255);
	return true;
}

/* One compressed block (n bytes at p) appended at z->buf + z->pos. */
static bool block(struct unlz4 *z, const u8 *p, size_t n)
{
	const u8 *end = p + n;
	size_t start = z->pos, limit = z->pos + z->bmax;
	size_t floor = z->linked ? 0 : start;

	while (p < end) {
		u8 token = *p++;
		size_t lit = token >> 4, mlen = token & 15, off;

		if ((lit == 15 && !more_len(&p, end, &lit)) ||
		    lit > (size_t)(end - p) || lit > limit - z->pos)
			goto bad;
		memcpy(z->buf + z->pos, p, lit);
		z->pos += lit;
		p += lit;
		if (p == end)
			return true; /* the last sequence: literals only */
		if (end - p < 2)
			goto bad;
		off = p[0] | p[1] << 8;
		p += 2;
		if (mlen == 15 && !more_len(&p, end, &mlen))
			goto bad;
		mlen += MIN_MATCH;
		if (off == 0 || off > z->pos - floor || mlen > limit - z->pos)
			goto bad;
		for (size_t i = 0; i < mlen; i++, z->pos++) /* may overlap */
			z->buf[z->pos] = z->buf[z->pos - off];
	}
	/* the block ended with a match: its last sequence is missing */
bad:
	z->why = "a block's data is damaged";
	return false;
}

/* Writes what the last block added, keeps HIST bytes of history. */
static bool emit(struct unlz4 *z, size_t from)
{
	for (size_t off = from; off < z->pos;) {
		ssize_t w = write(z->out_fd, z->buf + off, z->pos - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			z->err = -errno;
			return false;
		}
		off += w;
	}
	xxh_update(&z->content, z->buf + from, z->pos - from);
	if (z->pos > HIST) {
		memmove(z->buf, z->buf + z->pos - HIST, HIST);
		z->pos = HIST;
	}
	return true;
}

/* The frame descriptor after the magic; flags into *flg. */
static bool descriptor(struct unlz4 *z, u8 *flg)
{
	const u8 *d = z->in;
	size_t n = 2;

	if (z->end - d < 3)
		goto bad;
	*flg = d[0];
	if ((d[0] >> 6) != 1 || (d[0] & 2) || (d[1] & 0x8f) ||
	    ((d[1] >> 4) & 7) < 4)
		goto bad;
	n += (d[0] & 8 ? 8 : 0) + (d[0] & 1 ? 4 : 0);
	if ((size_t)(z->end - d) < n + 1 || ((xxh32(d, n) >> 8) & 0xff) != d[n])
		goto bad;
	z->bmax = (size_t)1 << (8 + 2 * ((d[1] >> 4) & 7));
	z->linked = !(d[0] & 0x20);
	z->in += n + 1;
	return true;
bad:
	z->why = "its frame header is damaged";
	return false;
}

static bool frame(struct unlz4 *z)
{
	u8 flg;

	if (!descriptor(z, &flg))
		return false;
	free(z->buf);
	z->buf = malloc(HIST + z->bmax);
	if (!z->buf) {
		z->err = -ENOMEM;
		return false;
	}
	z->pos = 0;
	xxh_init(&z->content);
	for (;;) {
		if (z->end - z->in < 4)
			goto truncated;
		u32 size = le32(z->in), n = size & 0x7fffffff;
		const u8 *data = z->in + 4;
		size_t check = flg & 0x10 ? 4 : 0, from = z->pos;

		z->in += 4;
		if (size == 0)
			break;
		if (n > z->bmax) {
			z->why = "a block is larger than its frame allows";
			return false;
		}
		if ((size_t)(z->end - data) < n + check)
			goto truncated;
		if (check && xxh32(data, n) != le32(data + n)) {
			z->why = "a block does not match its checksum (damaged)";
			return false;
		}
		if (size & 0x80000000u) { /* stored as it is */
			memcpy(z->buf + z->pos, data, n);
			z->pos += n;
		} else if (!block(z, data, n)) {
			return false;
		}
		z->in = data + n + check;
		if (!emit(z, from))
			return false;
	}
	if (flg & 4) {
		if (z->end - z->in < 4)
			goto truncated;
		if (le32(z->in) != xxh_final(&z->content)) {
			z->why = "its data does not match its checksum (damaged)";
			return false;
		}
		z->in += 4;
	}
	return true;
truncated:
	z->why = "it ends too early (truncated)";
	return false;
}

/* Frames one after the other; skippable frames skipped. */
static bool frames(struct unlz4 *z)
{
	do {
		if (z->end - z->in < 4)
			goto bad;
		u32 magic = le32(z->in);

		z->in += 4;
		if ((magic & 0xfffffff0u) == LZ4_SKIP_MAGIC) {
			if (z->end - z->in < 4 ||
			    (u64)(z->end - z->in - 4) < le32(z->in))
				goto bad;
			z->in += 4 + le32(z->in);
		} else if (magic != LZ4_MAGIC || !frame(z)) {
			if (!z->why && !z->err)
				goto bad;
			return false;
		}
	} while (z->in < z->end);
	return true;
bad:
	z->why = "it is not an LZ4 frame";
	return false;
}

int lz4_decompress(int in_fd, int out_fd, const char *name)
{
	struct unlz4 z = { .out_fd = out_fd };
	struct stat st;
	void *map = NULL;
	int status = 0;

	if (fstat(in_fd, &st) < 0) {
		skiff_err("%s: %s", name, strerror(errno));
		return SKIFF_EXIT_FAILED;
	}
	if (st.st_size > 0) {
		map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, in_fd, 0);
		if (map == MAP_FAILED) {
			skiff_err("%s: %s", name, strerror(errno));
			return SKIFF_EXIT_FAILED;
		}
	}
	z.in = map;
	z.end = z.in + st.st_size;
	if (!frames(&z))
		status = 1;
	if (z.err) {
		skiff_err("%s: %s", name, strerror(-z.err));
		status = SKIFF_EXIT_FAILED;
	} else if (status) {
		skiff_err("%s: the compressed image is corrupt: %s", name, z.why);
		status = SKIFF_EXIT_CANNOT_RUN;
	}
	if (map)
		munmap(map, st.st_size);
	free(z.buf);
	return status;
}

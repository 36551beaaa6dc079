/*
 * lib/cpio.c: the cpio newc parser of skiff/cpio.h. Layer: lib (kernel and
 * host tests). Header: 6 bytes of magic, then 13 fields of 8 hex digits
 * (ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor
 * rdevminor namesize check); the name follows and is padded so the data
 * starts 4-aligned; the data is padded to 4 too.
 */
#include <skiff/cpio.h>
#include <skiff/errno.h>
#include <skiff/lib.h>

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_SIZE, F_DEVMAJ,
       F_DEVMIN, F_RDEVMAJ, F_RDEVMIN, F_NAMESIZE, F_CHECK, F_COUNT };

void cpio_iter_init(struct cpio_iter *it, const void *buf, size_t len)
{
	it->buf = buf;
	it->len = len;
	it->off = 0;
}

static bool parse_hex8(const u8 *s, u32 *out)
{
	u32 v = 0;

	for (int i = 0; i < 8; i++) {
		u8 c = s[i];
		u32 d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* Skips the NUL padding between concatenated archives; false at the end. */
static bool skip_padding(struct cpio_iter *it)
{
	while (it->off < it->len && it->buf[it->off] == 0)
		it->off++;
	return it->off < it->len;
}

static int parse_header(const u8 *h, u32 f[F_COUNT])
{
	if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2'))
		return -EINVAL;
	for (int i = 0; i < F_COUNT; i++)
		if (!parse_hex8(h + 6 + 8 * i, &f[i]))
			return -EINVAL;
	return 0;
}

static void fill_entry(struct cpio_entry *e, const u32 f[F_COUNT])
{
	e->ino = f[F_INO];
	e->mode = f[F_MODE];
	e->uid = f[F_UID];
	e->gid = f[F_GID];
	e->nlink = f[F_NLINK];
	e->mtime = f[F_MTIME];
	e->devmajor = f[F_DEVMAJ];
	e->devminor = f[F_DEVMIN];
	e->rdevmajor = f[F_RDEVMAJ];
	e->rdevminor = f[F_RDEVMIN];
	e->size = f[F_SIZE];
}

/* Parses one entry at it->off; returns 1 for a member, 2 for a trailer. */
static int parse_entry(struct cpio_iter *it, struct cpio_entry *e)
{
	u32 f[F_COUNT];
	size_t left = it->len - it->off, name_end, data_off, data_end;
	const u8 *h = it->buf + it->off;

	if (left < CPIO_HDR_SIZE || parse_header(h, f) < 0)
		return -EINVAL;
	if (f[F_NAMESIZE] < 2 || f[F_NAMESIZE] > CPIO_NAME_MAX)
		return -EINVAL;
	name_end = CPIO_HDR_SIZE + f[F_NAMESIZE];
	if (name_end > left)
		return -EINVAL;
	e->name = (const char *)h + CPIO_HDR_SIZE;
	e->namelen = f[F_NAMESIZE] - 1;
	if (e->name[e->namelen] != 0 ||
	    strnlen(e->name, e->namelen) != e->namelen)
		return -EINVAL;
	data_off = ALIGN_UP(name_end, 4);
	data_end = data_off + f[F_SIZE];
	if (data_off > left || f[F_SIZE] > left - data_off)
		return -EINVAL;
	fill_entry(e, f);
	e->data = h + data_off;
	it->off += MIN(ALIGN_UP(data_end, 4), left);
	return strcmp(e->name, "TRAILER!!!") == 0 ? 2 : 1;
}

int cpio_next(struct cpio_iter *it, struct cpio_entry *e)
{
	int r;

	do {
		if (!skip_padding(it))
			return 0;
		r = parse_entry(it, e);
		if (r < 0)
			return r;
	} while (r == 2);
	return 1;
}

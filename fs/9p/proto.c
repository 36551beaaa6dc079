/*
 * fs/9p/proto.c: 9P2000.L messages: building T-messages and reading
 * R-messages, every field bounds checked. Layer: fs. Interface: fs/9p/9p.h
 * (p9_put*, p9_get*, p9_check_reply, p9_parse_*). No state, no locks;
 * built for the guest and for tests/unit/test_9p.c.
 *
 * Invariant: a reader never touches a byte at or past b->len (the bytes
 * the host wrote, as the reply's size field says, itself checked against
 * what the device reported); a writer never past b->len (the buffer's
 * capacity). A field that does not fit sets b->bad and reads as 0.
 */
#include <skiff/lib.h>
#include "9p.h"

static bool room(struct p9_buf *b, u32 n)
{
	if (b->bad || n > b->len || b->at > b->len - n) {
		b->bad = true;
		return false;
	}
	return true;
}

void p9_begin(struct p9_buf *b, void *p, u32 cap, u8 type)
{
	*b = (struct p9_buf){ .p = p, .len = cap };
	p9_put32(b, 0);
	p9_put8(b, type);
	p9_put16(b, P9_NOTAG);
}

int p9_end(struct p9_buf *b)
{
	if (b->bad)
		return -EINVAL;
	b->len = b->at;
	b->at = 0;
	p9_put32(b, b->len);
	b->at = b->len;
	return 0;
}

static void put(struct p9_buf *b, u64 v, u32 n)
{
	if (!room(b, n))
		return;
	for (u32 i = 0; i < n; i++)
		b->p[b->at + i] = (u8)(v >> (8 * i));
	b->at += n;
}

void p9_put8(struct p9_buf *b, u8 v) { put(b, v, 1); }
void p9_put16(struct p9_buf *b, u16 v) { put(b, v, 2); }
void p9_put32(struct p9_buf *b, u32 v) { put(b, v, 4); }
void p9_put64(struct p9_buf *b, u64 v) { put(b, v, 8); }

void p9_putstr(struct p9_buf *b, const char *s)
{
	size_t n = strlen(s);

	if (n > 0xffff) {
		b->bad = true;
		return;
	}
	p9_put16(b, (u16)n);
	if (room(b, (u32)n)) {
		memcpy(b->p + b->at, s, n);
		b->at += n;
	}
}

void *p9_putspace(struct p9_buf *b, u32 n)
{
	void *p;

	if (!room(b, n))
		return NULL;
	p = b->p + b->at;
	b->at += n;
	return p;
}

static u64 get(struct p9_buf *b, u32 n)
{
	u64 v = 0;

	if (!room(b, n))
		return 0;
	for (u32 i = 0; i < n; i++)
		v |= (u64)b->p[b->at + i] << (8 * i);
	b->at += n;
	return v;
}

u8 p9_get8(struct p9_buf *b) { return (u8)get(b, 1); }
u16 p9_get16(struct p9_buf *b) { return (u16)get(b, 2); }
u32 p9_get32(struct p9_buf *b) { return (u32)get(b, 4); }
u64 p9_get64(struct p9_buf *b) { return get(b, 8); }

void p9_getqid(struct p9_buf *b, struct p9_qid *q)
{
	q->type = p9_get8(b);
	q->version = p9_get32(b);
	q->path = p9_get64(b);
}

const void *p9_getspace(struct p9_buf *b, u32 n)
{
	const void *p;

	if (!room(b, n))
		return NULL;
	p = b->p + b->at;
	b->at += n;
	return p;
}

const char *p9_getstr(struct p9_buf *b, u16 *len)
{
	*len = p9_get16(b);
	return b->bad ? NULL : p9_getspace(b, *len);
}

int p9_check_reply(struct p9_buf *b, void *rx, u32 len, u8 ttype, u16 tag)
{
	u32 size;
	u8 type;

	*b = (struct p9_buf){ .p = rx, .len = len };
	size = p9_get32(b);
	type = p9_get8(b);
	if (b->bad || size < P9_HDR || size > len || p9_get16(b) != tag)
		return -EIO;
	b->len = size;
	if (type == P9_RLERROR) {
		u32 e = p9_get32(b);

		return b->bad || e == 0 || e > 4095 ? -EIO : -(int)e;
	}
	return type == (u8)(ttype + 1) ? 0 : -EIO;
}

static struct vfs_time get_time(struct p9_buf *b)
{
	struct vfs_time t;

	t.sec = (s64)p9_get64(b);
	t.nsec = (s64)p9_get64(b);
	if (t.nsec < 0 || t.nsec >= 1000000000)
		b->bad = true;
	return t;
}

int p9_parse_getattr(struct p9_buf *b, struct p9_attr *a)
{
	u64 valid = p9_get64(b);

	p9_getqid(b, &a->qid);
	a->mode = p9_get32(b);
	a->uid = p9_get32(b);
	a->gid = p9_get32(b);
	a->nlink = p9_get64(b);
	a->rdev = p9_get64(b);
	a->size = p9_get64(b);
	a->blksize = p9_get64(b);
	a->blocks = p9_get64(b);
	a->atime = get_time(b);
	a->mtime = get_time(b);
	a->ctime = get_time(b);
	/* btime, gen, data_version follow; not used. */
	if (b->bad || (valid & P9_GETATTR_BASIC) != P9_GETATTR_BASIC)
		return -EIO;
	if (!(a->mode & S_IFMT) || (s64)a->size < 0 || a->nlink > 0xffffffffu)
		return -EIO;
	return 0;
}

int p9_parse_statfs(struct p9_buf *b, struct p9_statfs *s)
{
	s->type = p9_get32(b);
	s->bsize = p9_get32(b);
	s->blocks = p9_get64(b);
	s->bfree = p9_get64(b);
	s->bavail = p9_get64(b);
	s->files = p9_get64(b);
	s->ffree = p9_get64(b);
	s->fsid = p9_get64(b);
	s->namelen = p9_get32(b);
	return b->bad ? -EIO : 0;
}

int p9_parse_walk(struct p9_buf *b, u16 nwname, struct p9_qid *qids,
		  u16 *nwqid)
{
	u16 n = p9_get16(b);

	if (b->bad || n > nwname)
		return -EIO;
	for (u16 i = 0; i < n; i++)
		p9_getqid(b, &qids[i]);
	*nwqid = n;
	return b->bad ? -EIO : 0;
}

bool p9_name_ok(const char *s, u16 len)
{
	if (!len || len > NAME_MAX)
		return false;
	for (u16 i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == 0)
			return false;
	return true;
}

int p9_parse_dirent(struct p9_buf *b, struct p9_qid *qid, u64 *off,
		    u8 *type, char *name)
{
	const char *s;
	u16 len;

	if (b->at == b->len)
		return 1;
	p9_getqid(b, qid);
	*off = p9_get64(b);
	*type = p9_get8(b);
	s = p9_getstr(b, &len);
	if (b->bad || !s || !p9_name_ok(s, len) || *type > 15)
		return -EIO;
	memcpy(name, s, len);
	name[len] = 0;
	return 0;
}

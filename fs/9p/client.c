/*
 * fs/9p/client.c: the 9P2000.L client: requests with tags over a channel
 * (skiff/p9chan.h), one call per message type. Layer: fs. Interface:
 * fs/9p/9p.h, part "client.c".
 *
 * A call builds its T-message in a buffer of its own, takes a free tag
 * (256 of them; it sleeps until one is free), submits, and sleeps until
 * its reply is in; any number of threads have calls in flight, the host
 * answers them in any order. One spinlock (interrupts off) serializes the
 * channel's submit/kick/reap and the tags; the channel's interrupt wakes
 * every waiter, and each reaps for all and sleeps again until its own is
 * done (as fs/blkio.c). Sleeps are uninterruptible: the device owns a
 * request's buffers until it answers. The reply is checked
 * (p9_check_reply) before any field is used.
 */
#include <skiff/alloc.h>
#include <skiff/lib.h>
#include <skiff/paging.h>
#include "9p.h"

#define SMALL 2000		/* kmalloc up to this, else whole pages */
#define NTAGS 256

struct call {
	struct p9_req req;
	struct p9_buf b;	/* the T-message, then the reply */
	u8 type;
};

static void *mem_alloc(u32 n)
{
	return n <= SMALL ? kmalloc(n)
			  : page_alloc_dirty(ALIGN_UP(n, PAGE_SIZE) / PAGE_SIZE);
}

static void mem_free(void *p, u32 n)
{
	if (!p)
		return;
	if (n <= SMALL)
		kfree(p);
	else
		page_free(p, ALIGN_UP(n, PAGE_SIZE) / PAGE_SIZE);
}

static void call_end(struct call *k)
{
	mem_free(k->req.tx, k->req.txlen);
	mem_free(k->req.rx, k->req.rxcap);
}

/* Buffers for a T-message of type of at most tx bytes, a reply of rx. */
static int call_begin(struct call *k, u8 type, u32 tx, u32 rx)
{
	*k = (struct call){ .type = type };
	k->req.txlen = tx;
	k->req.rxcap = MAX(rx, 64u); /* room for an Rlerror whatever the call */
	k->req.tx = mem_alloc(k->req.txlen);
	k->req.rx = mem_alloc(k->req.rxcap);
	if (!k->req.tx || !k->req.rx) {
		call_end(k);
		return -ENOMEM;
	}
	p9_begin(&k->b, k->req.tx, tx, type);
	return 0;
}

static int tag_get(struct p9_client *c)
{
	for (int i = 0; i < NTAGS; i++)
		if (!(c->tags[i / 64] & (1ull << (i % 64)))) {
			c->tags[i / 64] |= 1ull << (i % 64);
			return i;
		}
	return -1;
}

static void tag_put(struct p9_client *c, int tag)
{
	if (tag >= 0)
		c->tags[tag / 64] &= ~(1ull << (tag % 64));
}

/* Sends k and sleeps until its reply; c->lock held. 0 or -EIO. */
static int exchange(struct p9_client *c, struct call *k, bool notag)
{
	struct p9_chan *ch = c->chan;
	int tag = -1, r;

	while (!notag && (tag = tag_get(c)) < 0)
		waitq_sleep(&c->wq, &c->lock, 0);
	k->req.tx = k->b.p;
	((u8 *)k->req.tx)[5] = notag ? 0xff : (u8)tag;
	((u8 *)k->req.tx)[6] = notag ? 0xff : 0;
	k->req.txlen = k->b.len;
	if ((r = ch->submit(ch, &k->req))) {
		tag_put(c, tag);
		return r;
	}
	ch->kick(ch);
	for (;;) {
		if (ch->reap(ch))
			waitq_wake_all(&c->wq);
		if (__atomic_load_n(&k->req.done, __ATOMIC_ACQUIRE))
			break;
		waitq_sleep(&c->wq, &c->lock, 0);
	}
	tag_put(c, tag);
	waitq_wake_all(&c->wq); /* a thread may wait for a tag */
	return k->req.status;
}

/* Runs the call built in k->b: 0 with k->b reading the reply, -Exxx. */
static int call_run(struct p9_client *c, struct call *k, bool notag)
{
	u32 cap = k->req.txlen;
	bool was;
	int r;

	if (p9_end(&k->b))
		return -EINVAL;
	if (c->dead)
		return -EIO;
	was = thread_set_uninterruptible(thread_current(), true);
	spin_lock(&c->lock);
	r = exchange(c, k, notag);
	spin_unlock(&c->lock);
	thread_set_uninterruptible(thread_current(), was);
	k->req.txlen = cap; /* what mem_free must see */
	if (r) {
		c->dead = true;
		klog("9p: %s: the transport failed: every call now fails",
		     c->chan->tag);
		return -EIO;
	}
	return p9_check_reply(&k->b, k->req.rx, k->req.rxlen, k->type,
			      notag ? P9_NOTAG : ((u8 *)k->req.tx)[5]);
}

static void client_irq(struct p9_chan *ch)
{
	struct p9_client *c = ch->user;

	spin_lock(&c->lock);
	waitq_wake_all(&c->wq);
	spin_unlock(&c->lock);
}

u32 p9_fid_new(struct p9_client *c)
{
	u32 f = __atomic_fetch_add(&c->next_fid, 1, __ATOMIC_RELAXED);

	/* 2^32 fids before a number comes back; P9_NOFID is never one. */
	return f == P9_NOFID ? __atomic_fetch_add(&c->next_fid, 1,
						  __ATOMIC_RELAXED)
			     : f;
}

u32 p9_iosize(struct p9_client *c)
{
	return c->msize - P9_IOHDR;
}

int p9_client_init(struct p9_client *c, struct p9_chan *chan)
{
	struct call k;
	const char *v;
	u16 vlen;
	int r;

	c->chan = chan;
	c->lock = (struct spinlock)SPINLOCK_INIT;
	waitq_init(&c->wq);
	c->next_fid = 1;
	chan->user = c;
	chan->irq = client_irq;
	if ((r = call_begin(&k, P9_TVERSION, 64, 64)))
		return r;
	p9_put32(&k.b, P9_MSIZE);
	p9_putstr(&k.b, P9_VERSION);
	if (!(r = call_run(c, &k, true))) {
		c->msize = p9_get32(&k.b);
		v = p9_getstr(&k.b, &vlen);
		if (k.b.bad || !v)
			r = -EIO;
		else if (vlen != strlen(P9_VERSION) ||
			 memcmp(v, P9_VERSION, vlen))
			r = -EPROTONOSUPPORT;
		else if (c->msize < P9_MIN_MSIZE || c->msize > P9_MSIZE)
			r = -EIO;
	}
	call_end(&k);
	return r;
}

int p9_attach(struct p9_client *c, u32 fid, struct p9_qid *qid)
{
	struct call k;
	int r = call_begin(&k, P9_TATTACH, 64, 20);

	if (r)
		return r;
	p9_put32(&k.b, fid);
	p9_put32(&k.b, P9_NOFID);
	p9_putstr(&k.b, "root");
	p9_putstr(&k.b, "");
	p9_put32(&k.b, 0);
	if (!(r = call_run(c, &k, false))) {
		p9_getqid(&k.b, qid);
		r = k.b.bad ? -EIO : 0;
	}
	call_end(&k);
	return r;
}

int p9_walk(struct p9_client *c, u32 fid, u32 newfid, unsigned n,
	    const char *const *names, struct p9_qid *qid)
{
	struct p9_qid qids[P9_MAXWELEM];
	u32 tx = P9_HDR + 10;
	struct call k;
	u16 got = 0;
	int r;

	if (n > P9_MAXWELEM)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		if (strlen(names[i]) > NAME_MAX)
			return -ENAMETOOLONG;
		tx += 2 + strlen(names[i]);
	}
	if ((r = call_begin(&k, P9_TWALK, tx, P9_HDR + 2 + P9_QID * n)))
		return r;
	p9_put32(&k.b, fid);
	p9_put32(&k.b, newfid);
	p9_put16(&k.b, (u16)n);
	for (unsigned i = 0; i < n; i++)
		p9_putstr(&k.b, names[i]);
	if (!(r = call_run(c, &k, false)) &&
	    !(r = p9_parse_walk(&k.b, (u16)n, qids, &got))) {
		if (got < n)
			r = -ENOENT; /* newfid was not made */
		else if (n && qid)
			*qid = qids[n - 1];
	}
	call_end(&k);
	return r;
}

/* A call whose T-message is fid[4] alone and whose reply has no fields. */
static int fid_call(struct p9_client *c, u8 type, u32 fid, u32 extra)
{
	struct call k;
	int r = call_begin(&k, type, P9_HDR + 8, P9_HDR);

	if (r)
		return r;
	p9_put32(&k.b, fid);
	if (type == P9_TFSYNC)
		p9_put32(&k.b, extra); /* datasync */
	r = call_run(c, &k, false);
	call_end(&k);
	return r;
}

int p9_clunk(struct p9_client *c, u32 fid)
{
	return fid == P9_NOFID ? 0 : fid_call(c, P9_TCLUNK, fid, 0);
}

int p9_fsync(struct p9_client *c, u32 fid)
{
	return fid_call(c, P9_TFSYNC, fid, 0);
}

int p9_getattr(struct p9_client *c, u32 fid, struct p9_attr *a)
{
	struct call k;
	int r = call_begin(&k, P9_TGETATTR, P9_HDR + 12, 256);

	if (r)
		return r;
	p9_put32(&k.b, fid);
	p9_put64(&k.b, P9_GETATTR_BASIC);
	if (!(r = call_run(c, &k, false)))
		r = p9_parse_getattr(&k.b, a);
	call_end(&k);
	return r;
}

int p9_setattr(struct p9_client *c, u32 fid, const struct p9_setattr *s)
{
	struct call k;
	int r = call_begin(&k, P9_TSETATTR, P9_HDR + 60, P9_HDR);

	if (r)
		return r;
	p9_put32(&k.b, fid);
	p9_put32(&k.b, s->valid);
	p9_put32(&k.b, s->mode);
	p9_put32(&k.b, s->uid);
	p9_put32(&k.b, s->gid);
	p9_put64(&k.b, s->size);
	p9_put64(&k.b, (u64)s->atime.sec);
	p9_put64(&k.b, (u64)s->atime.nsec);
	p9_put64(&k.b, (u64)s->mtime.sec);
	p9_put64(&k.b, (u64)s->mtime.nsec);
	r = call_run(c, &k, false);
	call_end(&k);
	return r;
}

/* Reads qid[13] iounit[4] of Rlopen and Rlcreate. */
static int open_reply(struct call *k, struct p9_qid *qid, u32 *iounit)
{
	struct p9_qid q;

	p9_getqid(&k->b, qid ? qid : &q);
	*iounit = p9_get32(&k->b);
	return k->b.bad ? -EIO : 0;
}

int p9_lopen(struct p9_client *c, u32 fid, u32 flags, u32 *iounit)
{
	struct call k;
	int r = call_begin(&k, P9_TLOPEN, P9_HDR + 8, P9_HDR + 17);

	if (r)
		return r;
	p9_put32(&k.b, fid);
	p9_put32(&k.b, flags);
	if (!(r = call_run(c, &k, false)))
		r = open_reply(&k, NULL, iounit);
	call_end(&k);
	return r;
}

int p9_lcreate(struct p9_client *c, u32 fid, const char *name, u32 flags,
	       u32 mode, struct p9_qid *qid, u32 *iounit)
{
	struct call k;
	int r = call_begin(&k, P9_TLCREATE, P9_HDR + 18 + strlen(name),
			   P9_HDR + 17);

	if (r)
		return r;
	p9_put32(&k.b, fid);
	p9_putstr(&k.b, name);
	p9_put32(&k.b, flags);
	p9_put32(&k.b, mode);
	p9_put32(&k.b, 0); /* gid */
	if (!(r = call_run(c, &k, false)))
		r = open_reply(&k, qid, iounit);
	call_end(&k);
	return r;
}

/* Runs k (a creation call) and checks its reply is one qid. */
static int qid_call(struct p9_client *c, struct call *k)
{
	struct p9_qid q;
	int r = call_run(c, k, false);

	if (!r) {
		p9_getqid(&k->b, &q);
		r = k->b.bad ? -EIO : 0;
	}
	call_end(k);
	return r;
}

int p9_mkdir(struct p9_client *c, u32 dfid, const char *name, u32 mode)
{
	struct call k;
	int r = call_begin(&k, P9_TMKDIR, P9_HDR + 14 + strlen(name),
			   P9_HDR + P9_QID);

	if (r)
		return r;
	p9_put32(&k.b, dfid);
	p9_putstr(&k.b, name);
	p9_put32(&k.b, mode);
	p9_put32(&k.b, 0);
	return qid_call(c, &k);
}

int p9_mknod(struct p9_client *c, u32 dfid, const char *name, u32 mode,
	     u64 rdev)
{
	struct call k;
	int r = call_begin(&k, P9_TMKNOD, P9_HDR + 22 + strlen(name),
			   P9_HDR + P9_QID);

	if (r)
		return r;
	p9_put32(&k.b, dfid);
	p9_putstr(&k.b, name);
	p9_put32(&k.b, mode);
	p9_put32(&k.b, DEV_MAJOR(rdev));
	p9_put32(&k.b, DEV_MINOR(rdev));
	p9_put32(&k.b, 0);
	return qid_call(c, &k);
}

int p9_symlink(struct p9_client *c, u32 dfid, const char *name,
	       const char *target)
{
	struct call k;
	int r = call_begin(&k, P9_TSYMLINK,
			   P9_HDR + 12 + strlen(name) + strlen(target),
			   P9_HDR + P9_QID);

	if (r)
		return r;
	p9_put32(&k.b, dfid);
	p9_putstr(&k.b, name);
	p9_putstr(&k.b, target);
	p9_put32(&k.b, 0);
	return qid_call(c, &k);
}

long p9_readlink(struct p9_client *c, u32 fid, char *buf, size_t size)
{
	struct call k;
	const char *s;
	u16 len;
	long r = call_begin(&k, P9_TREADLINK, P9_HDR + 4,
			    P9_HDR + 2 + PATH_MAX);

	if (r)
		return r;
	p9_put32(&k.b, fid);
	if (!(r = call_run(c, &k, false))) {
		s = p9_getstr(&k.b, &len);
		if (!s || !len || len >= PATH_MAX || memchr(s, 0, len)) {
			r = -EIO;
		} else {
			memcpy(buf, s, MIN(len, size));
			r = len;
		}
	}
	call_end(&k);
	return r;
}

int p9_link(struct p9_client *c, u32 dfid, u32 fid, const char *name)
{
	struct call k;
	int r = call_begin(&k, P9_TLINK, P9_HDR + 10 + strlen(name), P9_HDR);

	if (r)
		return r;
	p9_put32(&k.b, dfid);
	p9_put32(&k.b, fid);
	p9_putstr(&k.b, name);
	r = call_run(c, &k, false);
	call_end(&k);
	return r;
}

int p9_unlinkat(struct p9_client *c, u32 dfid, const char *name, u32 flags)
{
	struct call k;
	int r = call_begin(&k, P9_TUNLINKAT, P9_HDR + 10 + strlen(name),
			   P9_HDR);

	if (r)
		return r;
	p9_put32(&k.b, dfid);
	p9_putstr(&k.b, name);
	p9_put32(&k.b, flags);
	r = call_run(c, &k, false);
	call_end(&k);
	return r;
}

int p9_renameat(struct p9_client *c, u32 odfid, const char *oname, u32 ndfid,
		const char *nname)
{
	struct call k;
	int r = call_begin(&k, P9_TRENAMEAT,
			   P9_HDR + 12 + strlen(oname) + strlen(nname), P9_HDR);

	if (r)
		return r;
	p9_put32(&k.b, odfid);
	p9_putstr(&k.b, oname);
	p9_put32(&k.b, ndfid);
	p9_putstr(&k.b, nname);
	r = call_run(c, &k, false);
	call_end(&k);
	return r;
}

int p9_statfs(struct p9_client *c, u32 fid, struct p9_statfs *s)
{
	struct call k;
	int r = call_begin(&k, P9_TSTATFS, P9_HDR + 4, P9_HDR + 64);

	if (r)
		return r;
	p9_put32(&k.b, fid);
	if (!(r = call_run(c, &k, false)))
		r = p9_parse_statfs(&k.b, s);
	call_end(&k);
	return r;
}

/* Tread and Treaddir: fid[4] offset[8] count[4]. */
static void io_request(struct call *k, u32 fid, u64 off, u32 count)
{
	p9_put32(&k->b, fid);
	p9_put64(&k->b, off);
	p9_put32(&k->b, count);
}

/* The data of an Rread or Rreaddir of at most count bytes. */
static const void *io_data(struct call *k, u32 count, u32 *n)
{
	*n = p9_get32(&k->b);
	if (k->b.bad || *n > count)
		return NULL;
	return p9_getspace(&k->b, *n);
}

long p9_read(struct p9_client *c, u32 fid, u64 off, struct iobuf *io,
	     size_t at, u32 count, u32 *asked)
{
	const void *data;
	struct call k;
	u32 n;
	long r;

	count = MIN(count, p9_iosize(c));
	/* Fragmented memory: a smaller request needs a shorter page run. */
	while ((r = call_begin(&k, P9_TREAD, P9_HDR + 16, P9_HDR + 4 + count)) &&
	       r == -ENOMEM && count > SMALL)
		count /= 2;
	if (r)
		return r;
	*asked = count;
	io_request(&k, fid, off, count);
	if (!(r = call_run(c, &k, false))) {
		data = io_data(&k, count, &n);
		if (!data)
			r = -EIO;
		else
			r = iobuf_copy_out(io, at, data, n) ? -EFAULT : (long)n;
	}
	call_end(&k);
	return r;
}

long p9_write(struct p9_client *c, u32 fid, u64 off, struct iobuf *io,
	      size_t at, u32 count, u32 *asked)
{
	struct call k;
	void *space;
	long r;

	count = MIN(count, p9_iosize(c));
	while ((r = call_begin(&k, P9_TWRITE, P9_HDR + 16 + count, P9_HDR + 4)) &&
	       r == -ENOMEM && count > SMALL)
		count /= 2;
	if (r)
		return r;
	*asked = count;
	io_request(&k, fid, off, count);
	space = p9_putspace(&k.b, count);
	if (!space || iobuf_copy_in(io, at, space, count)) {
		call_end(&k);
		return -EFAULT;
	}
	if (!(r = call_run(c, &k, false))) {
		u32 n = p9_get32(&k.b);

		r = k.b.bad || n > count ? -EIO : (long)n;
	}
	call_end(&k);
	return r;
}

int p9_readdir(struct p9_client *c, u32 fid, u64 off, u32 count,
	       bool (*fn)(void *arg, const struct p9_qid *qid, u64 next,
			  u8 type, const char *name),
	       void *arg)
{
	char name[NAME_MAX + 1];
	struct p9_buf d;
	struct p9_qid qid;
	const void *data;
	struct call k;
	u64 next;
	u32 n;
	u8 type;
	int r, got = 0;

	count = MIN(count, p9_iosize(c));
	if ((r = call_begin(&k, P9_TREADDIR, P9_HDR + 16, P9_HDR + 4 + count)))
		return r;
	io_request(&k, fid, off, count);
	if ((r = call_run(c, &k, false)))
		goto out;
	if (!(data = io_data(&k, count, &n))) {
		r = -EIO;
		goto out;
	}
	d = (struct p9_buf){ .p = (u8 *)data, .len = n };
	while (!(r = p9_parse_dirent(&d, &qid, &next, &type, name))) {
		got++;
		if (!fn(arg, &qid, next, type, name))
			break;
	}
	r = r < 0 ? r : got;
out:
	call_end(&k);
	return r;
}

/*
 * fs/9p/super.c: a host directory shared over 9P2000.L as a filesystem:
 * mounting (Tversion, Tattach), the live inodes by identity, statfs and
 * eviction. Layer: fs. Interface: p9_mount (skiff/vfs.h); the rest is
 * fs/9p/9p.h.
 *
 * One struct inode per host file (its qid.path) while referenced, so
 * hard links share it. An inode holds a fid walked to its file (never
 * opened: QEMU's fids name paths) for getattr, setattr, readlink and
 * walks; each open file has a fid of its own. Nothing is cached but
 * names and attributes: reads and writes go to the host, and a cached
 * name is checked against the host at each walk through it (namei.c's
 * revalidate), so a file changed or removed on the host is seen.
 * Locks: fs->lock (a mutex) guards the hash; the client has its own.
 */
#include <skiff/alloc.h>
#include <skiff/kernel.h>
#include "9p.h"

static struct list *bucket(struct p9_fs *fs, u64 qpath)
{
	return &fs->ihash[qpath % ARRAY_SIZE(fs->ihash)];
}

void p9_fill(struct inode *ino, const struct p9_attr *a)
{
	u32 type = a->mode & S_IFMT;

	/* A file never changes type: a host file that did is another file
	 * (the caller compares qids); keep ours. */
	ino->mode = (ino->mode & S_IFMT ? ino->mode & S_IFMT : type) |
		    (a->mode & 07777);
	ino->nlink = (u32)a->nlink;
	ino->uid = a->uid;
	ino->gid = a->gid;
	ino->rdev = MKDEV(a->rdev >> 8 & 0xfff, a->rdev & 0xff);
	ino->size = a->size;
	ino->blocks = a->blocks;
	ino->blksize = a->blksize && a->blksize <= (1u << 20)
			       ? (u32)a->blksize : 4096;
	ino->atime = a->atime;
	ino->mtime = a->mtime;
	ino->ctime = a->ctime;
}

static void set_ops(struct inode *ino)
{
	if (S_ISDIR(ino->mode)) {
		ino->iops = &p9_dir_iops;
		ino->fops = &p9_dir_ops;
	} else if (S_ISREG(ino->mode)) {
		ino->iops = &p9_file_iops;
		ino->fops = &p9_file_ops;
	} else if (S_ISLNK(ino->mode)) {
		ino->iops = &p9_link_iops;
	} else {
		ino->iops = &p9_other_iops; /* devices: the guest's own */
		/* A FIFO on the share is not opened (p9_fifo_open). */
		if (S_ISFIFO(ino->mode))
			ino->fops = &p9_fifo_ops;
	}
}

/* A live inode of qpath with a new reference, or NULL; fs->lock held. One
 * whose last reference is going (ref 0, evict waiting for the lock) is
 * not taken back. */
static struct inode *find_live(struct p9_fs *fs, u64 qpath)
{
	struct list *b = bucket(fs, qpath);

	for (struct list *l = b->next; l != b; l = l->next) {
		struct p9_inode *pi = container_of(l, struct p9_inode, hash);
		struct inode *ino = pi->self;
		u32 ref = __atomic_load_n(&ino->ref, __ATOMIC_RELAXED);

		if (pi->qpath != qpath)
			continue;
		while (ref && !__atomic_compare_exchange_n(&ino->ref, &ref,
							   ref + 1, false,
							   __ATOMIC_ACQUIRE,
							   __ATOMIC_RELAXED))
			;
		if (ref)
			return ino;
	}
	return NULL;
}

int p9_iget(struct p9_fs *fs, u32 fid, const struct p9_attr *a,
	    struct inode **out)
{
	struct p9_inode *pi;
	struct inode *ino;
	u32 old = P9_NOFID;

	mutex_lock(&fs->lock);
	if ((ino = find_live(fs, a->qid.path))) {
		/* The newer walk names a path that exists now: keep it (the
		 * old one may be a hard link's name since removed). */
		pi = P9I(ino);
		old = pi->fid;
		pi->fid = fid;
		p9_fill(ino, a);
		mutex_unlock(&fs->lock);
		p9_clunk(&fs->c, old);
		*out = ino;
		return 0;
	}
	pi = kzalloc(sizeof(*pi));
	ino = pi ? inode_new(fs->sb, a->mode & S_IFMT) : NULL;
	if (!ino) {
		mutex_unlock(&fs->lock);
		kfree(pi);
		p9_clunk(&fs->c, fid);
		return -ENOMEM;
	}
	pi->self = ino;
	pi->fid = fid;
	pi->qpath = a->qid.path;
	pi->create_fid = P9_NOFID;
	ino->ino = a->qid.path;
	ino->priv = pi;
	p9_fill(ino, a);
	set_ops(ino);
	list_push_back(bucket(fs, pi->qpath), &pi->hash);
	mutex_unlock(&fs->lock);
	*out = ino;
	return 0;
}

int p9_lookup_inode(struct inode *dir, const char *name, struct inode **out)
{
	struct p9_fs *fs = P9FS(dir->sb);
	const char *names[1] = { name };
	u32 fid = p9_fid_new(&fs->c);
	struct p9_attr a;
	int r = p9_walk(&fs->c, P9I(dir)->fid, fid, 1, names, NULL);

	if (r)
		return r;
	if ((r = p9_getattr(&fs->c, fid, &a))) {
		p9_clunk(&fs->c, fid);
		return r;
	}
	return p9_iget(fs, fid, &a, out);
}

static void p9_evict(struct inode *ino)
{
	struct p9_fs *fs = P9FS(ino->sb);
	struct p9_inode *pi = P9I(ino);

	if (!pi)
		return;
	mutex_lock(&fs->lock);
	list_remove(&pi->hash);
	mutex_unlock(&fs->lock);
	p9_clunk(&fs->c, pi->fid);
	p9_clunk(&fs->c, pi->create_fid);
	kfree(pi);
}

static int p9_statfs_op(struct super *sb, struct vfs_statfs *st)
{
	struct p9_fs *fs = P9FS(sb);
	struct p9_statfs s;
	int r = p9_statfs(&fs->c, P9I(sb->root->inode)->fid, &s);

	if (r)
		return r;
	st->bsize = s.bsize ? s.bsize : 4096;
	st->blocks = s.blocks;
	st->bfree = s.bfree;
	st->bavail = s.bavail;
	st->files = s.files;
	st->ffree = s.ffree;
	st->ro = fs->ro;
	return 0;
}

static const struct super_ops p9_sops = {
	.evict = p9_evict,
	.statfs = p9_statfs_op, /* no sync: every write is on the host */
};

/* Attaches the root: its inode in *root. */
static int attach_root(struct p9_fs *fs, struct inode **root)
{
	u32 fid = p9_fid_new(&fs->c);
	struct p9_qid qid;
	struct p9_attr a;
	int r = p9_attach(&fs->c, fid, &qid);

	if (r)
		return r;
	if ((r = p9_getattr(&fs->c, fid, &a))) {
		p9_clunk(&fs->c, fid);
		return r;
	}
	if (!S_ISDIR(a.mode)) {
		p9_clunk(&fs->c, fid);
		return -ENOTDIR;
	}
	return p9_iget(fs, fid, &a, root);
}

int p9_mount(const char *tag, bool ro, struct super **out, char *why,
	     size_t wsize)
{
	struct p9_chan *ch = p9_chan_find(tag);
	struct p9_fs *fs;
	struct inode *root;
	int r;

	if (!ch || ch->user) {
		fmt_snprintf(why, wsize, "no 9p device with tag %s%s", tag,
			     ch ? " left (mounted already)" : "");
		return -ENODEV;
	}
	if (!(fs = kzalloc(sizeof(*fs))))
		return -ENOMEM;
	fs->ro = ro;
	mutex_init(&fs->lock);
	for (unsigned i = 0; i < ARRAY_SIZE(fs->ihash); i++)
		list_init(&fs->ihash[i]);
	if ((r = p9_client_init(&fs->c, ch))) {
		fmt_snprintf(why, wsize, "9p %s: version refused (error %d)",
			     tag, -r);
		return r; /* fs stays: the channel's irq points at it */
	}
	if (!(fs->sb = super_new(&p9_sops, P9_MAGIC)))
		return -ENOMEM;
	fs->sb->priv = fs;
	if ((r = attach_root(fs, &root))) {
		fmt_snprintf(why, wsize, "9p %s: attach failed (error %d)",
			     tag, -r);
		return r;
	}
	super_set_root(fs->sb, root);
	klog("9p: %s: 9P2000.L, msize %u%s", tag, fs->c.msize,
	     ro ? ", read-only" : "");
	*out = fs->sb;
	return 0;
}

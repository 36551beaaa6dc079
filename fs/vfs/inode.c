/*
 * fs/vfs/inode.c: inodes and filesystem instances (supers), and the
 * iobuf helpers that move file bytes to and from program memory.
 * Layer: VFS core. See skiff/vfs.h for the object lifetimes.
 */
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/time.h>
#include <skiff/vfs.h>
#include "internal.h"

struct mutex vfs_ns_lock;
static u64 next_dev = 0x10; /* anonymous devices 0:16 and up */

void vfs_time_now(struct vfs_time *t)
{
	u64 ns = time_realtime_ns();

	t->sec = ns / NSEC_PER_SEC;
	t->nsec = ns % NSEC_PER_SEC;
}

u64 super_next_ino(struct super *sb)
{
	return __atomic_fetch_add(&sb->next_ino, 1, __ATOMIC_RELAXED);
}

struct super *super_new(const struct super_ops *ops, u64 magic)
{
	struct super *sb = kzalloc(sizeof(*sb));

	if (!sb)
		return NULL;
	sb->ops = ops;
	sb->magic = magic;
	sb->dev = __atomic_fetch_add(&next_dev, 1, __ATOMIC_RELAXED);
	sb->next_ino = 1;
	return sb;
}

struct super *vfs_anon_super(void)
{
	static struct super *anon;
	static const struct super_ops anon_ops;

	if (!anon)
		anon = super_new(&anon_ops, 0x50495045 /* PIPEFS_MAGIC */);
	BUG_ON(!anon);
	return anon;
}

/* The root gets a dentry that is its own parent, linked for good. */
void super_set_root(struct super *sb, struct inode *root)
{
	struct dentry *d = dentry_alloc(NULL, "/", root);

	BUG_ON(!d);
	d->linked = true;
	sb->root = d;
}

struct inode *inode_new(struct super *sb, u32 mode)
{
	struct inode *ino = kzalloc(sizeof(*ino));

	if (!ino)
		return NULL;
	ino->ino = super_next_ino(sb);
	ino->mode = mode;
	ino->nlink = 1;
	ino->ref = 1;
	ino->blksize = PAGE_SIZE;
	ino->sb = sb;
	mutex_init(&ino->lock);
	ino->poll_lock = (struct spinlock)SPINLOCK_INIT;
	list_init(&ino->watchers);
	vfs_time_now(&ino->mtime);
	ino->atime = ino->ctime = ino->mtime;
	return ino;
}

struct inode *inode_get(struct inode *ino)
{
	__atomic_add_fetch(&ino->ref, 1, __ATOMIC_RELAXED);
	return ino;
}

void inode_put(struct inode *ino)
{
	if (!ino || __atomic_sub_fetch(&ino->ref, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (ino->sb && ino->sb->ops && ino->sb->ops->evict)
		ino->sb->ops->evict(ino);
	kfree(ino);
}

/* ctime (and mtime) become now: a change of data or of the inode. */
void inode_touch(struct inode *ino, bool mtime)
{
	vfs_time_now(&ino->ctime);
	if (mtime)
		ino->mtime = ino->ctime;
}

unsigned vfs_dtype(u32 mode)
{
	return (mode & S_IFMT) >> 12; /* DT_* are the S_IF* type bits */
}

int iobuf_check(struct iobuf *io, size_t at, size_t n, bool write, void **p)
{
	if (at > io->len || n > io->len - at)
		return -EFAULT;
	*p = io->base + at;
	if (io->user && n && user_check(io->base + at, n, write) < 0)
		return -EFAULT;
	return 0;
}

int iobuf_copy_out(struct iobuf *io, size_t at, const void *src, size_t n)
{
	void *p;
	int r = iobuf_check(io, at, n, true, &p);

	if (r == 0 && io->user)
		return uaccess_copy(p, src, n);
	if (r == 0)
		memcpy(p, src, n);
	return r;
}

int iobuf_copy_in(struct iobuf *io, size_t at, void *dst, size_t n)
{
	void *p;
	int r = iobuf_check(io, at, n, false, &p);

	if (r == 0 && io->user)
		return uaccess_copy(dst, p, n);
	if (r == 0)
		memcpy(dst, p, n);
	return r;
}

int iobuf_zero(struct iobuf *io, size_t at, size_t n)
{
	void *p;
	int r = iobuf_check(io, at, n, true, &p);

	if (r == 0 && io->user)
		return uaccess_zero(p, n);
	if (r == 0)
		memset(p, 0, n);
	return r;
}

/*
 * Anonymous inode files (eventfd, epoll, timerfd, signalfd): each has an
 * inode of its own in the anonymous filesystem, so that readiness watches
 * (struct poll_watch) can hang on it, with Linux's mode 0600 and no file
 * type. inode->priv is the name /proc/self/fd shows. They are streams
 * (lseek gives 0 with Linux's noop_llseek, pread -ESPIPE).
 */
int anon_file_open(const char *name, const struct file_ops *ops, void *priv,
		   int flags, struct file **out)
{
	struct inode *ino = inode_new(vfs_anon_super(), 0600);
	int r;

	if (!ino)
		return -ENFILE;
	ino->fops = ops;
	ino->priv = (void *)name;
	r = file_open_inode(ino, NULL, O_RDWR | flags, out);
	if (r == 0) {
		(*out)->priv = priv;
		(*out)->fmode |= FMODE_STREAM;
	}
	inode_put(ino);
	return r;
}

const char *anon_file_name(struct inode *ino)
{
	if (ino->sb != vfs_anon_super() || (ino->mode & S_IFMT))
		return NULL;
	return ino->priv;
}

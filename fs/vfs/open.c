/*
 * fs/vfs/open.c: opening paths, open file descriptions, and the generic
 * read/write/lseek paths. Layer: VFS core.
 *
 * A struct file holds a reference on its dentry (or, for anonymous files,
 * its inode). Reads and writes of seekable files hold f->pos_lock so that
 * threads sharing a file see consistent offsets; streams (pipes, the
 * console) do not use the offset.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "internal.h"

/* Flags that F_GETFL shows (Linux drops the open-time-only ones). */
#define FILE_FLAGS_KEPT (~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC))

struct file *file_get(struct file *f)
{
	__atomic_add_fetch(&f->ref, 1, __ATOMIC_RELAXED);
	return f;
}

void file_put(struct file *f)
{
	if (!f || __atomic_sub_fetch(&f->ref, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (!list_empty(&f->epitems))
		eventpoll_release(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	if (f->dentry)
		dentry_put(f->dentry);
	else
		inode_put(f->inode);
	kfree(f);
}

/* d (may be NULL) and ino: the file takes a new reference on one of them. */
int file_open_inode(struct inode *ino, struct dentry *d, int flags,
		    struct file **out)
{
	struct file *f = kzalloc(sizeof(*f));
	int r;

	if (!f)
		return -ENOMEM;
	f->ref = 1;
	f->flags = flags & FILE_FLAGS_KEPT;
	if (flags & O_PATH)
		f->fmode = FMODE_PATH;
	else if ((flags & O_ACCMODE) != O_WRONLY)
		f->fmode |= FMODE_READ;
	if (!(flags & O_PATH) && (flags & O_ACCMODE) != O_RDONLY)
		f->fmode |= FMODE_WRITE;
	if ((flags & O_ACCMODE) == 3)
		f->fmode &= ~(FMODE_READ | FMODE_WRITE);
	f->inode = ino;
	f->dentry = d;
	f->ops = ino->fops;
	if (S_ISCHR(ino->mode) && !ino->fops)
		f->ops = chrdev_ops(ino->rdev);
	if (S_ISFIFO(ino->mode) && !ino->fops)
		f->ops = &fifo_ops;
	mutex_init(&f->pos_lock);
	list_init(&f->epitems);
	if (!(flags & O_PATH)) {
		r = !f->ops ? -ENXIO : f->ops->open ? f->ops->open(ino, f) : 0;
		if (r < 0) {
			kfree(f);
			return r;
		}
	}
	if (d)
		dentry_get(d);
	else
		inode_get(ino);
	*out = f;
	return 0;
}

/* Opens the file d names: the checks Linux makes after the lookup. */
int open_dentry(struct dentry *d, int flags, bool created, struct file **out)
{
	struct inode *ino = d->inode;
	int r;

	if (flags & O_PATH)
		return file_open_inode(ino, d, flags, out);
	if (S_ISDIR(ino->mode) && ((flags & O_ACCMODE) != O_RDONLY ||
				   (flags & (O_CREAT | O_TRUNC))))
		return -EISDIR;
	if ((flags & O_DIRECTORY) && !S_ISDIR(ino->mode))
		return -ENOTDIR;
	if (S_ISLNK(ino->mode))
		return -ELOOP;
	/* Sockets and anonymous inodes (eventfd & co.) cannot be reopened. */
	if (S_ISSOCK(ino->mode) || !(ino->mode & S_IFMT))
		return -ENXIO;
	if ((flags & O_TRUNC) && !created && S_ISREG(ino->mode)) {
		r = vfs_truncate(ino, 0);
		if (r < 0)
			return r;
	}
	return file_open_inode(ino, d, flags, out);
}

/*
 * O_CREAT: walks to the parent, follows a final symlink (even a dangling
 * one, whose target gets created) unless O_EXCL or O_NOFOLLOW.
 */
static int open_create(struct walk *w, struct dentry *base, const char *path,
		       int flags, u32 mode, struct dentry **out, bool *created)
{
	struct last l;
	struct dentry *d;
	int r;

	for (;;) {
		r = walk_parent(w, base, path, &l);
		if (r < 0)
			return r;
		if (l.type != LAST_NORM || l.slash)
			return -EISDIR;
		d = walk_last(&l, &r);
		if (r < 0)
			return r;
		if (!d)
			break;
		if (flags & O_EXCL)
			return -EEXIST;
		if (!S_ISLNK(d->inode->mode) || (flags & O_NOFOLLOW)) {
			*out = d;
			return 0;
		}
		r = walk_magic(w, d, out);
		if (r)
			return r < 0 ? r : 0;
		r = walk_readlink(w, d, &path);
		if (r < 0)
			return r;
		base = l.dir;
	}
	if (!l.dir->linked)
		return -ENOENT;
	if (!l.dir->inode->iops || !l.dir->inode->iops->create)
		return -EACCES;
	*created = true;
	mode = S_IFREG | (mode & 07777 & ~vfs_get_umask());
	return vfs_create_last(&l, mode, 0, out);
}

static int open_walk(struct dentry *base, const char *path, int flags,
		     u32 mode, struct dentry **out, bool *created)
{
	unsigned wf = flags & O_NOFOLLOW ? 0 : WALK_FOLLOW;
	struct walk w;
	int r;

	if (flags & O_DIRECTORY)
		wf |= WALK_DIRECTORY;
	walk_init(&w);
	mutex_lock(&vfs_ns_lock);
	if ((flags & O_CREAT) && !(flags & O_PATH))
		r = open_create(&w, base, path, flags, mode, out, created);
	else
		r = walk_path(&w, base, path, wf, out);
	if (r == 0 && S_ISLNK((*out)->inode->mode) && !(flags & O_PATH))
		r = -ELOOP;
	if (r == 0)
		dentry_get(*out);
	mutex_unlock(&vfs_ns_lock);
	walk_done(&w);
	return r;
}

/*
 * O_TMPFILE: a regular file in the directory dir, with no name (nlink 0);
 * it goes away on its last close. Returns an unlinked dentry for it.
 */
static int open_tmpfile(struct dentry *dir, u32 mode, bool linkable,
			struct dentry **out)
{
	const struct inode_ops *iops = dir->inode->iops;
	struct inode *ino;
	int r;

	if (!iops || !iops->create || !iops->unlink)
		return -EOPNOTSUPP;
	mutex_lock(&vfs_ns_lock);
	r = dir->linked ? iops->create(dir->inode, "", S_IFREG | mode, 0, &ino)
			: -ENOENT;
	if (r == 0) {
		iops->unlink(dir->inode, "", ino);
		if (linkable)
			ino->flags |= I_LINKABLE;
	}
	mutex_unlock(&vfs_ns_lock);
	if (r < 0)
		return r;
	*out = dentry_alloc(dir, "#tmpfile", ino);
	if (!*out) {
		inode_put(ino);
		return -ENOMEM;
	}
	return 0;
}

int vfs_openat(struct dentry *base, const char *path, int flags, int mode,
	       struct file **out)
{
	struct dentry *d, *cwd = NULL;
	bool created = false;
	int r;

	if (flags & O_PATH)
		flags &= O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;
	if (!base)
		base = cwd = vfs_cwd();
	r = open_walk(base, path, flags & ~(O_TMPFILE & ~O_DIRECTORY), mode,
		      &d, &created);
	if (cwd)
		dentry_put(cwd);
	if (r < 0)
		return r;
	if ((flags & O_TMPFILE) == O_TMPFILE) {
		struct dentry *dir = d;

		r = open_tmpfile(dir, mode & 07777 & ~vfs_get_umask(),
				 !(flags & O_EXCL), &d);
		dentry_put(dir);
		if (r < 0)
			return r;
		flags &= ~O_DIRECTORY;
		created = true;
	}
	r = open_dentry(d, flags, created, out);
	dentry_put(d);
	return r;
}

int vfs_open(const char *path, int flags, int mode, struct file **out)
{
	return vfs_openat(NULL, path, flags, mode, out);
}

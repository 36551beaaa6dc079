/*
 * fs/vfs/ops.c: changes to the namespace: mkdir, mknod, rmdir, unlink,
 * symlink, link, readlink, and attribute changes. rename is in rename.c.
 * Layer: VFS core. Each entry takes vfs_ns_lock, walks, checks every Linux
 * error condition in Linux's order, then asks the filesystem.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "internal.h"

/* Locks the namespace and resolves a NULL base to the working directory. */
static struct dentry *ns_begin(struct dentry *base, struct walk *w)
{
	walk_init(w);
	if (!base)
		base = vfs_cwd();
	else
		dentry_get(base);
	mutex_lock(&vfs_ns_lock);
	return base;
}

static void ns_end(struct dentry *base, struct walk *w)
{
	mutex_unlock(&vfs_ns_lock);
	walk_done(w);
	dentry_put(base);
}

/*
 * The checks before creating the last component of a path (Linux's
 * filename_create): "." ".." "/" and existing names give -EEXIST; a
 * trailing slash on something that is not a directory -ENOENT.
 */
static int create_prep(struct walk *w, struct dentry *base, const char *path,
		       bool dir, struct last *l)
{
	struct dentry *d;
	int r = walk_parent(w, base, path, l);

	if (r < 0)
		return r;
	if (l->type != LAST_NORM)
		return -EEXIST;
	d = walk_last(l, &r);
	if (r < 0)
		return r;
	if (d)
		return -EEXIST;
	if (l->slash && !dir)
		return -ENOENT;
	if (!l->dir->linked)
		return -ENOENT;
	if (!l->dir->inode->iops || !l->dir->inode->iops->create)
		return -EPERM;
	return 0;
}

/* Links a new dentry for ino (whose reference it takes) under l->dir. */
static int add_entry(struct last *l, struct inode *ino, struct dentry **out)
{
	struct dentry *d = dentry_alloc(l->dir, l->cname, ino);

	if (!d) {
		inode_put(ino);
		return -ENOMEM;
	}
	dentry_link(d);
	if (out)
		*out = d;
	return 0;
}

/* Creates the last component of l (checked by create_prep). */
int vfs_create_last(struct last *l, u32 mode, u64 rdev, struct dentry **out)
{
	struct inode *dir = l->dir->inode, *ino;
	int r = dir->iops->create(dir, l->cname, mode, rdev, &ino);

	if (r < 0)
		return r;
	return add_entry(l, ino, out);
}

int vfs_mknod(struct dentry *base, const char *path, u32 mode, u64 rdev)
{
	struct walk w;
	struct last l;
	bool dir = S_ISDIR(mode);
	int r;

	if (dir)
		mode = S_IFDIR | (mode & 01777 & ~vfs_get_umask());
	else
		mode = (mode & S_IFMT) | (mode & 07777 & ~vfs_get_umask());
	base = ns_begin(base, &w);
	r = create_prep(&w, base, path, dir, &l);
	if (r == 0)
		r = vfs_create_last(&l, mode, rdev, NULL);
	ns_end(base, &w);
	return r;
}

int vfs_mkdir(struct dentry *base, const char *path, u32 mode)
{
	return vfs_mknod(base, path, S_IFDIR | (mode & 07777), 0);
}

/* The existing last component for rmdir/unlink. */
static struct dentry *remove_prep(struct walk *w, struct dentry *base,
				  const char *path, struct last *l, int *err)
{
	struct dentry *d;

	*err = walk_parent(w, base, path, l);
	if (*err < 0)
		return NULL;
	if (l->type != LAST_NORM)
		return NULL;
	d = walk_last(l, err);
	if (!d && *err == 0)
		*err = -ENOENT;
	return d;
}

int vfs_rmdir(struct dentry *base, const char *path)
{
	struct walk w;
	struct last l;
	struct dentry *d;
	int r;

	base = ns_begin(base, &w);
	d = remove_prep(&w, base, path, &l, &r);
	if (r == 0 && !d)
		r = l.type == LAST_DOT ? -EINVAL :
		    l.type == LAST_DOTDOT ? -ENOTEMPTY : -EBUSY;
	else if (r == 0 && !S_ISDIR(d->inode->mode))
		r = -ENOTDIR;
	else if (r == 0 && d->covered)
		r = -EBUSY;
	else if (r == 0 && dentry_has_children(d))
		r = -ENOTEMPTY;
	else if (r == 0 && !l.dir->inode->iops->rmdir)
		r = -EPERM;
	if (r == 0)
		r = l.dir->inode->iops->rmdir(l.dir->inode, l.cname, d->inode);
	if (r == 0)
		dentry_unlink(d);
	ns_end(base, &w);
	return r;
}

int vfs_unlink(struct dentry *base, const char *path)
{
	struct walk w;
	struct last l;
	struct dentry *d;
	int r;

	base = ns_begin(base, &w);
	d = remove_prep(&w, base, path, &l, &r);
	if (r == 0 && !d)
		r = -EISDIR;
	else if (r == 0 && S_ISDIR(d->inode->mode))
		r = -EISDIR;
	else if (r == 0 && l.slash)
		r = -ENOTDIR;
	else if (r == 0 && d->covered)
		r = -EBUSY;
	else if (r == 0 && !l.dir->inode->iops->unlink)
		r = -EPERM;
	if (r == 0)
		r = l.dir->inode->iops->unlink(l.dir->inode, l.cname, d->inode);
	if (r == 0)
		dentry_unlink(d);
	ns_end(base, &w);
	return r;
}

int vfs_symlink(const char *target, struct dentry *base, const char *path)
{
	struct walk w;
	struct last l;
	struct inode *ino;
	int r;

	if (!target[0])
		return -ENOENT;
	base = ns_begin(base, &w);
	r = create_prep(&w, base, path, false, &l);
	if (r == 0 && !l.dir->inode->iops->symlink)
		r = -EPERM;
	if (r == 0)
		r = l.dir->inode->iops->symlink(l.dir->inode, l.cname, target,
						&ino);
	if (r == 0)
		r = add_entry(&l, ino, NULL);
	ns_end(base, &w);
	return r;
}

int vfs_link(struct dentry *obase, const char *opath, struct dentry *nbase,
	     const char *npath, unsigned walk_flags)
{
	struct walk w;
	struct last l;
	struct dentry *old;
	int r;

	nbase = ns_begin(nbase, &w);
	if (!obase)
		obase = vfs_cwd();
	else
		dentry_get(obase);
	r = walk_path(&w, obase, opath, walk_flags, &old);
	if (r == 0)
		r = create_prep(&w, nbase, npath, false, &l);
	if (r == 0 && old->inode->sb != l.dir->inode->sb)
		r = -EXDEV;
	else if (r == 0 && !old->inode->nlink &&
		 !(old->inode->flags & I_LINKABLE))
		r = -ENOENT; /* unlinked */
	else if (r == 0 && S_ISDIR(old->inode->mode))
		r = -EPERM;
	else if (r == 0 && !l.dir->inode->iops->link)
		r = -EPERM;
	if (r == 0)
		r = l.dir->inode->iops->link(l.dir->inode, l.cname, old->inode);
	if (r == 0)
		old->inode->flags &= ~I_LINKABLE;
	if (r == 0)
		r = add_entry(&l, inode_get(old->inode), NULL);
	ns_end(nbase, &w);
	dentry_put(obase);
	return r;
}

long vfs_readlink(struct dentry *base, const char *path, char *buf,
		  size_t size, bool empty_path)
{
	struct walk w;
	struct dentry *d;
	struct inode *ino;
	long r;

	base = ns_begin(base, &w);
	r = walk_path(&w, base, path, empty_path ? WALK_EMPTY : 0, &d);
	if (r == 0) {
		ino = d->inode;
		if (!S_ISLNK(ino->mode) || !ino->iops || !ino->iops->readlink)
			r = -EINVAL;
		else
			r = ino->iops->readlink(ino, buf, size);
		if (r > (long)size)
			r = size;
	}
	ns_end(base, &w);
	return r;
}

int vfs_access(struct inode *ino, int mode)
{
	if ((mode & X_OK) && !S_ISDIR(ino->mode) && !(ino->mode & 0111))
		return -EACCES;
	return 0;
}

/* The filesystem's say on a change (inode->lock held): 0 or -Exxx. */
static int fs_setattr(struct inode *ino, const struct vfs_setattr *a)
{
	if (!ino->iops || !ino->iops->setattr)
		return 0;
	return ino->iops->setattr(ino, a);
}

int vfs_chmod(struct inode *ino, u32 mode)
{
	struct vfs_setattr a = { .valid = VFS_ATTR_MODE, .mode = mode & 07777 };
	int r;

	mutex_lock(&ino->lock);
	if (!(r = fs_setattr(ino, &a))) {
		ino->mode = (ino->mode & S_IFMT) | (mode & 07777);
		inode_touch(ino, false);
	}
	mutex_unlock(&ino->lock);
	return r;
}

int vfs_chown(struct inode *ino, u32 uid, u32 gid)
{
	struct vfs_setattr a = { .uid = uid, .gid = gid };
	int r;

	a.valid = (uid != (u32)-1 ? VFS_ATTR_UID : 0) |
		  (gid != (u32)-1 ? VFS_ATTR_GID : 0);
	mutex_lock(&ino->lock);
	if (!(r = a.valid ? fs_setattr(ino, &a) : 0)) {
		if (uid != (u32)-1)
			ino->uid = uid;
		if (gid != (u32)-1)
			ino->gid = gid;
		inode_touch(ino, false);
	}
	mutex_unlock(&ino->lock);
	return r;
}

int vfs_utimes(struct inode *ino, const struct vfs_time *atime,
	       const struct vfs_time *mtime)
{
	struct vfs_setattr a = { .valid = VFS_ATTR_ATIME | VFS_ATTR_MTIME };
	struct vfs_time now;
	int r;

	vfs_time_now(&now);
	a.atime = atime ? *atime : now;
	a.mtime = mtime ? *mtime : now;
	mutex_lock(&ino->lock);
	if (!(r = fs_setattr(ino, &a))) {
		ino->atime = a.atime;
		ino->mtime = a.mtime;
		ino->ctime = now;
	}
	mutex_unlock(&ino->lock);
	return r;
}

int vfs_truncate(struct inode *ino, s64 len)
{
	int r;

	if (len < 0)
		return -EINVAL;
	if (S_ISDIR(ino->mode))
		return -EISDIR;
	if (!S_ISREG(ino->mode) || !ino->iops || !ino->iops->setsize)
		return -EINVAL;
	mutex_lock(&ino->lock);
	r = ino->iops->setsize(ino, len);
	if (r == 0)
		inode_touch(ino, true);
	mutex_unlock(&ino->lock);
	return r;
}

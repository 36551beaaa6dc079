/*
 * fs/vfs/namei.c: path walk. Layer: VFS core.
 *
 * Linux rules: "/" restarts at the root, "//" is "/", "." stays, ".." goes
 * up (the root is its own parent; a mounted root goes to its mountpoint's
 * parent), a component longer than NAME_MAX gives -ENAMETOOLONG, walking
 * through a non-directory -ENOTDIR, a missing name -ENOENT. Symlinks are
 * followed inside a path, at its end when asked (WALK_FOLLOW) or when the
 * path ends with '/', and at most VFS_MAX_LINKS times in one walk (-ELOOP). A
 * trailing '/' requires a directory. Everything runs with vfs_ns_lock held.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "internal.h"

void walk_init(struct walk *w)
{
	w->links = 0;
	w->nbufs = 0;
	w->npins = 0;
}

void walk_done(struct walk *w)
{
	while (w->nbufs > 0)
		kfree(w->bufs[--w->nbufs]);
	while (w->npins > 0)
		dentry_put(w->pins[--w->npins]);
}

static bool is_dir(struct dentry *d)
{
	return S_ISDIR(d->inode->mode);
}

/* Asks the filesystem for a name missing from the dcache of dir. */
static struct dentry *fs_lookup(struct dentry *dir, const char *name,
				size_t len, int *err)
{
	struct inode *ino;
	struct dentry *d;
	char cname[NAME_MAX + 1];

	memcpy(cname, name, len);
	cname[len] = 0;
	*err = dir->inode->iops->lookup(dir->inode, cname, &ino);
	if (*err < 0)
		return NULL;
	d = dentry_alloc(dir, cname, ino);
	if (!d) {
		inode_put(ino);
		*err = -ENOMEM;
		return NULL;
	}
	dentry_link(d);
	return d;
}

/* One step from dir by name; NULL with *err = 0 when the name is absent. */
static struct dentry *step(struct dentry *dir, const char *name, size_t len,
			   int *err)
{
	struct dentry *d;

	*err = 0;
	if (len == 1 && name[0] == '.')
		return dir;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return dir == vfs_root() ? dir : dentry_dotdot(dir);
	d = dentry_child(dir, name, len);
	if (d && dir->inode->iops && dir->inode->iops->revalidate &&
	    !dir->inode->iops->revalidate(d)) {
		dentry_unlink(d);
		d = NULL;
	}
	if (!d && dir->inode->iops && dir->inode->iops->lookup && dir->linked) {
		d = fs_lookup(dir, name, len, err);
		if (*err == -ENOENT)
			*err = 0;
	}
	while (d && d->mounted)
		d = d->mounted;
	return d;
}

int walk_readlink(struct walk *w, struct dentry *link, const char **target)
{
	struct inode *ino = link->inode;
	char *buf;
	long n;

	if (++w->links > VFS_MAX_LINKS || w->nbufs >= (int)ARRAY_SIZE(w->bufs))
		return -ELOOP;
	if (!ino->iops || !ino->iops->readlink)
		return -EINVAL;
	buf = kmalloc(PATH_MAX);
	if (!buf)
		return -ENOMEM;
	n = ino->iops->readlink(ino, buf, PATH_MAX - 1);
	if (n < 0 || n == 0) {
		kfree(buf);
		return n < 0 ? (int)n : -ENOENT;
	}
	buf[MIN((size_t)n, PATH_MAX - 1)] = 0;
	w->bufs[w->nbufs++] = buf;
	*target = buf;
	return 0;
}

int walk_magic(struct walk *w, struct dentry *link, struct dentry **out)
{
	const struct inode_ops *iops = link->inode->iops;
	struct file *f;
	struct dentry *d;
	int r;

	if (!iops || !iops->get_file)
		return 0;
	if (++w->links > VFS_MAX_LINKS || w->npins >= (int)ARRAY_SIZE(w->pins))
		return -ELOOP;
	r = iops->get_file(link->inode, &f);
	if (r < 0)
		return r;
	if (f->dentry) {
		d = dentry_get(f->dentry);
	} else {
		/* An anonymous file (a pipe): a dentry of its own, unlinked. */
		d = dentry_alloc(NULL, "anon", inode_get(f->inode));
		if (!d)
			inode_put(f->inode);
	}
	file_put(f);
	if (!d)
		return -ENOMEM;
	w->pins[w->npins++] = d;
	*out = d;
	return 1;
}

static int walk_n(struct walk *w, struct dentry *dir, const char *path,
		  size_t plen, unsigned flags, struct dentry **out);

/* Replaces *d, a symlink found in dir, by what it points to. */
static int follow(struct walk *w, struct dentry *dir, struct dentry **d)
{
	const char *target;
	int r = walk_magic(w, *d, d);

	if (r)
		return r < 0 ? r : 0;
	r = walk_readlink(w, *d, &target);
	if (r < 0)
		return r;
	return walk_n(w, dir, target, strlen(target), WALK_FOLLOW, d);
}

/* Walks the first plen bytes of path from dir. plen 0 gives dir. */
static int walk_n(struct walk *w, struct dentry *dir, const char *path,
		  size_t plen, unsigned flags, struct dentry **out)
{
	const char *p = path, *end = path + plen;
	bool slash = plen > 0 && path[plen - 1] == '/';
	int r;

	if (plen > 0 && path[0] == '/')
		dir = vfs_root();
	for (;;) {
		const char *s;
		struct dentry *next;
		bool last;

		while (p < end && *p == '/')
			p++;
		if (p == end)
			break;
		for (s = p; p < end && *p != '/'; p++)
			;
		if (!is_dir(dir))
			return -ENOTDIR;
		if (p - s > NAME_MAX)
			return -ENAMETOOLONG;
		next = step(dir, s, p - s, &r);
		if (!next)
			return r ? r : -ENOENT;
		last = true;
		for (const char *q = p; q < end; q++)
			last = last && *q == '/';
		if (S_ISLNK(next->inode->mode) &&
		    (!last || slash || (flags & WALK_FOLLOW))) {
			r = follow(w, dir, &next);
			if (r < 0)
				return r;
		}
		dir = next;
	}
	if ((slash || (flags & WALK_DIRECTORY)) && !is_dir(dir))
		return -ENOTDIR;
	*out = dir;
	return 0;
}

int walk_path(struct walk *w, struct dentry *base, const char *path,
	      unsigned flags, struct dentry **out)
{
	if (!base)
		return -EBADF;
	if (!path[0]) {
		if (!(flags & WALK_EMPTY))
			return -ENOENT;
		*out = base;
		return 0;
	}
	return walk_n(w, base, path, strlen(path), flags, out);
}

int walk_parent(struct walk *w, struct dentry *base, const char *path,
		struct last *l)
{
	size_t end = strlen(path), start;
	int r;

	if (!path[0])
		return -ENOENT;
	while (end > 0 && path[end - 1] == '/')
		end--;
	for (start = end; start > 0 && path[start - 1] != '/'; start--)
		;
	l->slash = path[end] != 0;
	l->name = path + start;
	l->len = end - start;
	if (end == 0) {
		l->type = LAST_ROOT;
		l->dir = vfs_root();
		l->name = "/";
		l->len = 1;
	} else {
		r = walk_n(w, base, path, start, WALK_FOLLOW, &l->dir);
		if (r < 0)
			return r;
		if (!is_dir(l->dir))
			return -ENOTDIR;
		l->type = LAST_NORM;
		if (l->len == 1 && l->name[0] == '.')
			l->type = LAST_DOT;
		else if (l->len == 2 && l->name[0] == '.' && l->name[1] == '.')
			l->type = LAST_DOTDOT;
	}
	if (l->len > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(l->cname, l->name, l->len);
	l->cname[l->len] = 0;
	return 0;
}

struct dentry *walk_last(struct last *l, int *err)
{
	return step(l->dir, l->name, l->len, err);
}

int vfs_lookup(struct dentry *base, const char *path, unsigned flags,
	       struct dentry **out)
{
	struct walk w;
	struct dentry *cwd = NULL;
	int r;

	if (!base)
		base = cwd = vfs_cwd();
	walk_init(&w);
	mutex_lock(&vfs_ns_lock);
	r = walk_path(&w, base, path, flags, out);
	if (r == 0)
		dentry_get(*out);
	mutex_unlock(&vfs_ns_lock);
	walk_done(&w);
	if (cwd)
		dentry_put(cwd);
	return r;
}

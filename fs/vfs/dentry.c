/*
 * fs/vfs/dentry.c: the tree of names (dentries), mounts, paths of dentries,
 * and readdir of dcache-complete directories. Layer: VFS core.
 *
 * A dentry holds a reference on its inode and on its parent. The tree holds
 * one reference on each linked dentry, dropped by dentry_unlink; a dentry is
 * freed when its count reaches zero. Tree changes need vfs_ns_lock.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "internal.h"

static struct dentry *root_dentry;

struct dentry *vfs_root(void)
{
	return root_dentry;
}

static int dentry_set_name(struct dentry *d, const char *name)
{
	size_t len = strlen(name);
	char *n = d->iname;

	if (len >= sizeof(d->iname)) {
		n = kmalloc(len + 1);
		if (!n)
			return -ENOMEM;
	}
	memcpy(n, name, len + 1);
	if (d->name && d->name != d->iname)
		kfree(d->name);
	d->name = n;
	return 0;
}

/* A new unlinked dentry with one reference, taking over ino's reference. */
struct dentry *dentry_alloc(struct dentry *parent, const char *name,
			    struct inode *ino)
{
	struct dentry *d = kzalloc(sizeof(*d));

	if (!d || dentry_set_name(d, name) < 0) {
		kfree(d);
		return NULL;
	}
	d->parent = parent ? dentry_get(parent) : d;
	d->inode = ino;
	d->ref = 1;
	list_init(&d->children);
	list_init(&d->sibling);
	return d;
}

struct dentry *dentry_get(struct dentry *d)
{
	__atomic_add_fetch(&d->ref, 1, __ATOMIC_RELAXED);
	return d;
}

void dentry_put(struct dentry *d)
{
	while (d && __atomic_sub_fetch(&d->ref, 1, __ATOMIC_ACQ_REL) == 0) {
		struct dentry *parent = d->parent == d ? NULL : d->parent;

		inode_put(d->inode);
		if (d->name != d->iname)
			kfree(d->name);
		kfree(d);
		d = parent;
	}
}

struct dentry *dentry_child(struct dentry *dir, const char *name, size_t len)
{
	list_for_each(it, &dir->children) {
		struct dentry *c = list_entry(it, struct dentry, sibling);

		if (strncmp(c->name, name, len) == 0 && c->name[len] == 0)
			return c;
	}
	return NULL;
}

/* d comes with the reference that becomes the tree's. */
void dentry_link(struct dentry *d)
{
	struct dentry *p = d->parent;

	d->seq = p->next_seq++;
	d->linked = true;
	list_push_back(&p->children, &d->sibling);
}

struct dentry *dentry_add(struct dentry *dir, const char *name,
			  struct inode *ino)
{
	struct dentry *d = dentry_alloc(dir, name, ino);

	if (!d) {
		inode_put(ino);
		return NULL;
	}
	dentry_link(d);
	return d;
}

void dentry_unlink(struct dentry *d)
{
	if (!d->linked)
		return;
	d->linked = false;
	list_remove(&d->sibling);
	dentry_put(d);
}

/* d is unlinked and referenced by the caller; it gets linked under parent. */
int dentry_move(struct dentry *d, struct dentry *parent, const char *name)
{
	struct dentry *old = d->parent;
	int r = dentry_set_name(d, name);

	if (r < 0)
		return r;
	if (old != parent) {
		d->parent = dentry_get(parent);
		dentry_put(old);
	}
	dentry_get(d);
	dentry_link(d);
	return 0;
}

bool dentry_is_ancestor(struct dentry *a, struct dentry *d)
{
	for (;;) {
		if (d == a)
			return true;
		if (d->parent != d)
			d = d->parent;
		else if (d->covered)
			d = d->covered;
		else
			return false;
	}
}

bool dentry_has_children(struct dentry *d)
{
	return !list_empty(&d->children);
}

struct dentry *dentry_dotdot(struct dentry *d)
{
	while (d->parent == d && d->covered)
		d = d->covered;
	return d->parent;
}

int vfs_mount(const char *path, struct super *sb)
{
	struct dentry *d;
	int r;

	if (!root_dentry) {
		root_dentry = sb->root;
		return 0;
	}
	r = vfs_lookup(root_dentry, path, WALK_FOLLOW | WALK_DIRECTORY, &d);
	if (r < 0)
		return r;
	mutex_lock(&vfs_ns_lock);
	if (d->mounted) {
		r = -EBUSY;
	} else {
		d->mounted = dentry_get(sb->root);
		sb->root->covered = dentry_get(d);
	}
	mutex_unlock(&vfs_ns_lock);
	dentry_put(d);
	return r;
}

/* Prepends "/name" at the end part of buf; false when it does not fit. */
static bool prepend(char *buf, size_t *at, const char *name)
{
	size_t len = strlen(name);

	if (*at < len + 1)
		return false;
	*at -= len;
	memcpy(buf + *at, name, len);
	buf[--*at] = '/';
	return true;
}

long dentry_path_locked(struct dentry *d, char *buf, size_t size)
{
	size_t at = size, len;

	if (size < 2)
		return -ERANGE;
	buf[--at] = 0;
	while (d != root_dentry) {
		if (d->parent == d && d->covered) {
			d = d->covered;
			continue;
		}
		if (!d->linked || d->parent == d)
			return -ENOENT;
		if (!prepend(buf, &at, d->name))
			return -ERANGE;
		d = d->parent;
	}
	if (at == size - 1)
		buf[--at] = '/';
	len = size - 1 - at;
	memmove(buf, buf + at, len + 1);
	return len;
}

long dentry_path(struct dentry *d, char *buf, size_t size)
{
	long r;

	mutex_lock(&vfs_ns_lock);
	r = dentry_path_locked(d, buf, size);
	mutex_unlock(&vfs_ns_lock);
	return r;
}

/* Emits "." and ".." then the children from ctx->pos (pos 2 + seq). */
int dcache_iterate(struct file *f, struct dir_ctx *ctx)
{
	struct dentry *d = f->dentry;
	int r = 0;

	mutex_lock(&vfs_ns_lock);
	if (!d->linked) {
		r = -ENOENT;
		goto out;
	}
	if (ctx->pos == 0 && !ctx->emit(ctx, ".", 1, d->inode->ino, DT_DIR, 1))
		goto out;
	if (ctx->pos == 0)
		ctx->pos = 1;
	if (ctx->pos == 1 && !ctx->emit(ctx, "..", 2,
					dentry_dotdot(d)->inode->ino, DT_DIR, 2))
		goto out;
	if (ctx->pos == 1)
		ctx->pos = 2;
	list_for_each(it, &d->children) {
		struct dentry *c = list_entry(it, struct dentry, sibling);

		if (c->seq + 2 < ctx->pos)
			continue;
		if (!ctx->emit(ctx, c->name, strlen(c->name), c->inode->ino,
			       vfs_dtype(c->inode->mode), c->seq + 3))
			break;
		ctx->pos = c->seq + 3;
	}
out:
	mutex_unlock(&vfs_ns_lock);
	return r;
}

/*
 * fs/initrd.c: unpacks the cpio newc initrd into the root ramfs at boot.
 * Layer: fs. Regular file data stays in the initrd (which stays reserved)
 * and is copied on the first write. Names may start with "./" or "/";
 * missing parent directories are made (0755); a later entry replaces an
 * earlier one of the same name. Hard links (nlink > 1, same ino) become
 * links. A corrupt archive gives -EINVAL, never a crash.
 */
#include <skiff/cpio.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/proto.h>
#include <skiff/vfs.h>
#include "boot.h"
#include "ramfs/ramfs.h"

/* Regular files seen with nlink > 1, for hard links. */
struct hardlink {
	u32 ino;
	char *path;
};

struct unpack {
	struct hardlink *links;
	size_t nlinks, cap;
	char path[PATH_MAX];
};

static const char *skip_prefix(const char *name)
{
	for (;;) {
		if (name[0] == '/')
			name++;
		else if (name[0] == '.' && name[1] == '/')
			name += 2;
		else
			return name;
	}
}

/* mkdir -p of path's parent. */
static int make_parents(char *path)
{
	char *slash = strrchr(path, '/');
	int r;

	if (!slash)
		return 0;
	*slash = 0;
	r = vfs_mkdir_p(path, 0755);
	*slash = '/';
	return r;
}

static void set_times(const char *path, u32 mtime)
{
	struct dentry *d;
	struct vfs_time t = { mtime, 0 };

	if (vfs_lookup(vfs_root(), path, 0, &d) == 0) {
		d->inode->mtime = d->inode->atime = d->inode->ctime = t;
		dentry_put(d);
	}
}

static const char *hardlink_find(struct unpack *u, u32 ino)
{
	for (size_t i = 0; i < u->nlinks; i++)
		if (u->links[i].ino == ino)
			return u->links[i].path;
	return NULL;
}

static void hardlink_add(struct unpack *u, u32 ino, const char *path)
{
	size_t len = strlen(path);
	char *copy;

	if (u->nlinks == u->cap) {
		size_t cap = u->cap ? 2 * u->cap : 16;
		void *n = krealloc(u->links, cap * sizeof(*u->links));

		if (!n)
			return;
		u->links = n;
		u->cap = cap;
	}
	copy = kmalloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, path, len + 1);
	u->links[u->nlinks].ino = ino;
	u->links[u->nlinks++].path = copy;
}

static int unpack_file(struct unpack *u, const struct cpio_entry *e)
{
	const char *first = e->nlink > 1 ? hardlink_find(u, e->ino) : NULL;
	struct dentry *d;
	int r;

	if (first)
		r = vfs_link(vfs_root(), first, vfs_root(), u->path, 0);
	else
		r = vfs_mknod(vfs_root(), u->path,
			      S_IFREG | (e->mode & 07777), 0);
	if (r < 0)
		return r;
	if (e->nlink > 1 && !first)
		hardlink_add(u, e->ino, u->path);
	if (!e->size)
		return 0;
	r = vfs_lookup(vfs_root(), u->path, 0, &d);
	if (r < 0)
		return r;
	ramfs_set_data(d->inode, e->data, e->size);
	dentry_put(d);
	return 0;
}

static int unpack_symlink(struct unpack *u, const struct cpio_entry *e)
{
	char *target;
	int r;

	if (e->size == 0 || e->size >= PATH_MAX)
		return -EINVAL;
	target = kmalloc(e->size + 1);
	if (!target)
		return -ENOMEM;
	memcpy(target, e->data, e->size);
	target[e->size] = 0;
	r = strlen(target) == e->size ? vfs_symlink(target, vfs_root(), u->path)
				      : -EINVAL;
	kfree(target);
	return r;
}

/* Replaces what is at the path already, except a directory by a directory. */
static int make_room(struct unpack *u, u32 type)
{
	struct dentry *d;
	u32 mode;

	if (vfs_lookup(vfs_root(), u->path, 0, &d) < 0)
		return 0;
	mode = d->inode->mode;
	dentry_put(d);
	if (S_ISDIR(mode))
		return type == S_IFDIR ? 0 : vfs_rmdir(vfs_root(), u->path);
	return vfs_unlink(vfs_root(), u->path);
}

static int unpack_entry(struct unpack *u, const struct cpio_entry *e)
{
	u32 type = e->mode & S_IFMT;
	int r;

	str_lcpy(u->path, skip_prefix(e->name), sizeof(u->path));
	if (!u->path[0] || strcmp(u->path, ".") == 0)
		return 0;
	r = make_parents(u->path);
	if (r == 0)
		r = make_room(u, type);
	if (r < 0)
		return r;
	switch (type) {
	case S_IFDIR:
		r = fs_make_dir(u->path, e->mode & 07777);
		break;
	case S_IFREG:
		r = unpack_file(u, e);
		break;
	case S_IFLNK:
		r = unpack_symlink(u, e);
		break;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
		r = vfs_mknod(vfs_root(), u->path, e->mode,
			      MKDEV(e->rdevmajor, e->rdevminor));
		break;
	default:
		klog("initrd: %s: unsupported type %o, skipped", u->path, type);
		return 0;
	}
	if (r == 0)
		set_times(u->path, e->mtime);
	return r;
}

int initrd_unpack(const void *buf, size_t len)
{
	struct unpack *u = kzalloc(sizeof(*u));
	struct cpio_iter it;
	struct cpio_entry e;
	u32 umask;
	int r;

	if (!u)
		return -ENOMEM;
	umask = vfs_set_umask(0);
	cpio_iter_init(&it, buf, len);
	while ((r = cpio_next(&it, &e)) > 0) {
		/* skiff's padding, which page-aligns the next file's data */
		if (!strcmp(skip_prefix(e.name), PROTO_PAD_NAME))
			continue;
		r = unpack_entry(u, &e);
		if (r < 0) {
			klog("initrd: %s: error %d", e.name, r);
			break;
		}
	}
	vfs_set_umask(umask);
	for (size_t i = 0; i < u->nlinks; i++)
		kfree(u->links[i].path);
	kfree(u->links);
	kfree(u);
	return r;
}

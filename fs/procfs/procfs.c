/*
 * fs/procfs/procfs.c: the engine of the generated filesystems /proc and
 * /sys (see procfs.h). Layer: filesystem. Names are looked up in the
 * node tables when first walked and kept in the dcache; entries of a
 * dynamic directory are checked again on every walk (revalidate), so a
 * closed fd or an ended thread disappears. Files show st_size 0, as on
 * Linux, and are read from the snapshot their open made. Nothing can be
 * created or removed.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "procfs.h"

/* ---- text buffers ---- */

static bool pb_room(struct pbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 1024;
	char *p;

	if (b->oom)
		return false;
	if (b->len + n + 1 <= b->cap)
		return true;
	while (cap < b->len + n + 1)
		cap *= 2;
	p = krealloc(b->buf, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->buf = p;
	b->cap = cap;
	return true;
}

void pb_write(struct pbuf *b, const void *p, size_t n)
{
	if (pb_room(b, n)) {
		memcpy(b->buf + b->len, p, n);
		b->len += n;
	}
}

void pb_printf(struct pbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !pb_room(b, n))
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(b->buf + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

/* ---- inodes ---- */

struct proc_inode {
	const struct proc_node *n;
	long arg;
};

static const struct inode_ops dir_iops, dyn_iops, link_iops, magic_iops;
static const struct file_ops dir_fops, file_fops;

static const struct proc_node *node_of(struct inode *ino)
{
	return ((struct proc_inode *)ino->priv)->n;
}

static long arg_of(struct inode *ino)
{
	return ((struct proc_inode *)ino->priv)->arg;
}

static void proc_evict(struct inode *ino)
{
	kfree(ino->priv);
}

static const struct super_ops proc_sops = {
	.evict = proc_evict,
};

static struct inode *make_inode(struct super *sb, const struct proc_node *n,
				long arg, u32 mode)
{
	struct proc_inode *pi = kmalloc(sizeof(*pi));
	struct inode *ino = pi ? inode_new(sb, mode) : NULL;

	if (!ino) {
		kfree(pi);
		return NULL;
	}
	*pi = (struct proc_inode){ n, arg };
	ino->priv = pi;
	ino->blksize = 1024;
	if (S_ISDIR(mode)) {
		ino->nlink = 2;
		ino->iops = n->dyn ? &dyn_iops : &dir_iops;
		ino->fops = &dir_fops;
	} else if (S_ISLNK(mode)) {
		ino->iops = n->get_file ? &magic_iops : &link_iops;
		ino->size = n->get_file ? 64 : 0; /* fd links: 64, as Linux */
	} else {
		ino->fops = &file_fops;
	}
	return ino;
}

/* Parses a canonical decimal name ("0", "17"; not "017" or "+1"). */
static long parse_num(const char *name)
{
	u64 v;
	size_t n = str_to_u64(name, &v);

	if (!n || name[n] || (name[0] == '0' && name[1]) || name[0] == '+' ||
	    (name[0] == '0' && name[1] == 'x') || v > 0x7fffffff)
		return -1;
	return v;
}

static int proc_lookup(struct inode *dir, const char *name, struct inode **out)
{
	const struct proc_node *n = node_of(dir);
	long arg;

	if (n->dir) {
		for (const struct proc_node *c = n->dir; c->name; c++) {
			if (strcmp(c->name, name))
				continue;
			arg = n->keep_arg ? arg_of(dir) : 0;
			*out = make_inode(dir->sb, c, arg, c->mode);
			return *out ? 0 : -ENOMEM;
		}
		if (!n->dyn)
			return -ENOENT;
	}
	size_t plen = n->dyn->prefix ? strlen(n->dyn->prefix) : 0;
	if (plen && strncmp(name, n->dyn->prefix, plen))
		return -ENOENT;
	arg = parse_num(name + plen);
	if (arg < 0 || !n->dyn->exists(arg_of(dir), arg))
		return -ENOENT;
	if (n->dyn->pair)
		arg = PROC_PAIR(arg_of(dir), arg);
	*out = make_inode(dir->sb, n->dyn->node, arg,
			  n->dyn->mode ? n->dyn->mode(arg) : n->dyn->node->mode);
	return *out ? 0 : -ENOMEM;
}

/* Still there, and the same (an fd closed and opened again may differ). */
static bool proc_revalidate(struct dentry *d)
{
	const struct proc_dyn *dyn = node_of(d->parent->inode)->dyn;
	long arg = arg_of(d->inode);

	if (node_of(d->inode) != dyn->node)
		return true; /* a static entry beside the numbered ones */
	if (!dyn->exists(arg_of(d->parent->inode),
			 dyn->pair ? PROC_PAIR_N(arg) : arg))
		return false;
	return !dyn->mode || dyn->mode(arg) == d->inode->mode;
}

static const struct inode_ops dir_iops = {
	.lookup = proc_lookup,
};

static const struct inode_ops dyn_iops = {
	.lookup = proc_lookup,
	.revalidate = proc_revalidate,
};

/* ---- directories ---- */

/* The child dentry named name, made if needed. vfs_ns_lock held. */
static struct dentry *child(struct dentry *dir, const char *name)
{
	struct dentry *d = dentry_child(dir, name, strlen(name));
	struct inode *ino;

	if (d && dir->inode->iops->revalidate && !proc_revalidate(d)) {
		dentry_unlink(d);
		d = NULL;
	}
	if (d)
		return d;
	if (proc_lookup(dir->inode, name, &ino) < 0)
		return NULL;
	return dentry_add(dir, name, ino);
}

static bool emit_child(struct dir_ctx *ctx, struct dentry *dir,
		       const char *name, u64 next_pos)
{
	struct dentry *c = child(dir, name);

	if (!c)
		return true; /* gone meanwhile: skip it */
	return ctx->emit(ctx, name, strlen(name), c->inode->ino,
			 vfs_dtype(c->inode->mode), next_pos);
}

/* Entries from ctx->pos: 0 ".", 1 "..", then 2 + index (or 2 + arg). */
static void iterate_locked(struct dentry *d, struct dir_ctx *ctx)
{
	const struct proc_node *n = node_of(d->inode);
	char name[24];

	if (ctx->pos == 0 && !ctx->emit(ctx, ".", 1, d->inode->ino, DT_DIR, 1))
		return;
	if (ctx->pos == 0)
		ctx->pos = 1;
	if (ctx->pos == 1 && !ctx->emit(ctx, "..", 2,
					d->parent->inode->ino, DT_DIR, 2))
		return;
	if (ctx->pos == 1)
		ctx->pos = 2;
	u64 count = 0;
	if (n->dir) {
		while (n->dir[count].name)
			count++;
		for (u64 i = ctx->pos - 2; i < count; i++) {
			if (!emit_child(ctx, d, n->dir[i].name, i + 3))
				return;
			ctx->pos = i + 3;
		}
		if (!n->dyn)
			return;
	}
	/* Numbered entries: position count + 2 + arg. */
	long parent = arg_of(d->inode);
	for (long a = n->dyn->next(parent, ctx->pos - 2 - count); a >= 0;
	     a = n->dyn->next(parent, a + 1)) {
		fmt_snprintf(name, sizeof(name), "%s%ld",
			     n->dyn->prefix ? n->dyn->prefix : "", a);
		if (!emit_child(ctx, d, name, count + a + 3))
			return;
		ctx->pos = count + a + 3;
	}
}

static int proc_iterate(struct file *f, struct dir_ctx *ctx)
{
	mutex_lock(&vfs_ns_lock);
	iterate_locked(f->dentry, ctx);
	mutex_unlock(&vfs_ns_lock);
	return 0;
}

static const struct file_ops dir_fops = {
	.iterate = proc_iterate,
	.llseek = generic_llseek,
};

/* ---- symlinks ---- */

static long proc_readlink(struct inode *ino, char *buf, size_t size)
{
	return node_of(ino)->readlink(arg_of(ino), buf, size);
}

static int proc_get_file(struct inode *ino, struct file **out)
{
	return node_of(ino)->get_file(arg_of(ino), out);
}

static const struct inode_ops link_iops = {
	.readlink = proc_readlink,
};

static const struct inode_ops magic_iops = {
	.readlink = proc_readlink,
	.get_file = proc_get_file,
};

/* ---- files: a snapshot made at open ---- */

static int file_open(struct inode *ino, struct file *f)
{
	const struct proc_node *n = node_of(ino);
	struct pbuf *b;
	int r;

	if ((f->fmode & FMODE_WRITE) && !n->write)
		return -EACCES;
	if (!(f->fmode & FMODE_READ) || !n->show)
		return 0;
	b = kzalloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	r = n->show(b, arg_of(ino));
	if (r == 0 && b->oom)
		r = -ENOMEM;
	if (r < 0) {
		kfree(b->buf);
		kfree(b);
		return r;
	}
	f->priv = b;
	return 0;
}

static void file_release(struct file *f)
{
	struct pbuf *b = f->priv;

	if (b)
		kfree(b->buf);
	kfree(b);
}

static long file_read_op(struct file *f, struct iobuf *io, u64 *pos)
{
	struct pbuf *b = f->priv;
	size_t n;
	int r;

	if (!b || *pos >= b->len)
		return 0;
	n = MIN(io->len, b->len - *pos);
	r = iobuf_copy_out(io, 0, b->buf + *pos, n);
	if (r < 0)
		return r;
	*pos += n;
	return n;
}

static long file_write_op(struct file *f, struct iobuf *io, u64 *pos)
{
	const struct proc_node *n = node_of(f->inode);
	char buf[256];
	size_t len = MIN(io->len, sizeof(buf));
	int r = iobuf_copy_in(io, 0, buf, len);

	if (r < 0)
		return r;
	return n->write(arg_of(f->inode), buf, len);
}

/* Seeks within the snapshot (SEEK_END is relative to its length). */
static s64 file_llseek(struct file *f, s64 off, int whence)
{
	struct pbuf *b = f->priv;
	s64 len = b ? (s64)b->len : 0;
	s64 base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (s64)f->pos :
		   whence == SEEK_END ? len : -1;

	if (base < 0 || __builtin_add_overflow(base, off, &base) || base < 0)
		return -EINVAL;
	return f->pos = base;
}

static const struct file_ops file_fops = {
	.open = file_open,
	.release = file_release,
	.read = file_read_op,
	.write = file_write_op,
	.llseek = file_llseek,
};

int procfs_mount(const char *path, const struct proc_node *root,
		 const struct proc_dyn *dyn, u64 magic)
{
	static struct proc_node roots[4];
	static int nroots;
	struct super *sb = super_new(&proc_sops, magic);
	struct inode *ino;

	if (!sb || nroots == ARRAY_SIZE(roots))
		return -ENOMEM;
	roots[nroots] = (struct proc_node){ "", S_IFDIR | 0555, .dir = root,
					    .dyn = dyn };
	ino = make_inode(sb, &roots[nroots++], 0, S_IFDIR | 0555);
	if (!ino)
		return -ENOMEM;
	super_set_root(sb, ino);
	return vfs_mount(path, sb);
}

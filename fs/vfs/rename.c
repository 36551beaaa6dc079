/*
 * fs/vfs/rename.c: rename, renameat2 (RENAME_NOREPLACE, RENAME_EXCHANGE).
 * Layer: VFS core. The checks follow Linux's order in renameat2: flags,
 * both parent walks, -EXDEV, "." ".." "/" (-EBUSY), the source (-ENOENT),
 * the target for NOREPLACE/EXCHANGE, trailing slashes on non-directories
 * (-ENOTDIR), a directory moved under itself (-EINVAL) or onto an ancestor
 * (-ENOTEMPTY), then type mismatches, mountpoints and non-empty targets.
 */
#include <skiff/errno.h>
#include <skiff/vfs.h>
#include "internal.h"

struct rename_op {
	struct last o, n;
	struct dentry *od, *nd;	/* source and target (NULL: none) */
	unsigned flags;
};

static int check_names(struct rename_op *op)
{
	int r;

	if (op->o.dir->inode->sb != op->n.dir->inode->sb)
		return -EXDEV;
	if (op->o.type != LAST_NORM)
		return -EBUSY;
	if (op->n.type != LAST_NORM)
		return op->flags & RENAME_NOREPLACE ? -EEXIST : -EBUSY;
	op->od = walk_last(&op->o, &r);
	if (r < 0)
		return r;
	if (!op->od)
		return -ENOENT;
	op->nd = walk_last(&op->n, &r);
	if (r < 0)
		return r;
	if ((op->flags & RENAME_NOREPLACE) && op->nd)
		return -EEXIST;
	if ((op->flags & RENAME_EXCHANGE) && !op->nd)
		return -ENOENT;
	if (!(op->flags & RENAME_EXCHANGE) && !S_ISDIR(op->od->inode->mode) &&
	    (op->o.slash || op->n.slash))
		return -ENOTDIR;
	return 0;
}

static int check_types(struct rename_op *op)
{
	struct dentry *od = op->od, *nd = op->nd;
	bool odir = S_ISDIR(od->inode->mode);

	if (dentry_is_ancestor(od, op->n.dir))
		return -EINVAL;
	if (nd && dentry_is_ancestor(nd, op->o.dir))
		return op->flags & RENAME_EXCHANGE ? -EINVAL : -ENOTEMPTY;
	if (!nd)
		return 0;
	if (od->inode == nd->inode)
		return 1; /* the same file: nothing to do */
	if (!(op->flags & RENAME_EXCHANGE)) {
		if (S_ISDIR(nd->inode->mode) && !odir)
			return -EISDIR;
		if (!S_ISDIR(nd->inode->mode) && odir)
			return -ENOTDIR;
	}
	if (od->covered || nd->covered)
		return -EBUSY;
	if (!(op->flags & RENAME_EXCHANGE) && S_ISDIR(nd->inode->mode) &&
	    dentry_has_children(nd))
		return -ENOTEMPTY;
	return 0;
}

/* Moves the dentries after the filesystem has done its part. */
static int move_dentries(struct rename_op *op)
{
	struct dentry *od = dentry_get(op->od), *nd = op->nd;
	int r;

	if (nd && (op->flags & RENAME_EXCHANGE)) {
		dentry_get(nd);
		dentry_unlink(nd);
		dentry_unlink(od);
		r = dentry_move(nd, op->o.dir, op->o.cname);
		if (r == 0)
			r = dentry_move(od, op->n.dir, op->n.cname);
		dentry_put(nd);
		dentry_put(od);
		return r;
	}
	if (nd)
		dentry_unlink(nd);
	dentry_unlink(od);
	r = dentry_move(od, op->n.dir, op->n.cname);
	dentry_put(od);
	return r;
}

static int do_rename(struct rename_op *op)
{
	struct inode *odir = op->o.dir->inode, *ndir = op->n.dir->inode;
	int r = check_names(op);

	if (r == 0)
		r = check_types(op);
	if (r == 1 || r < 0)
		return r < 0 ? r : 0;
	if (op->od == op->nd)
		return 0;
	if (!odir->iops || !odir->iops->rename)
		return -EPERM;
	r = odir->iops->rename(odir, op->o.cname, ndir, op->n.cname,
			       op->od->inode, op->nd ? op->nd->inode : NULL,
			       op->flags);
	if (r < 0)
		return r;
	return move_dentries(op);
}

int vfs_rename(struct dentry *obase, const char *opath, struct dentry *nbase,
	       const char *npath, unsigned flags)
{
	struct rename_op op = { .flags = flags };
	struct walk w;
	int r;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_EXCHANGE) && (flags & ~RENAME_EXCHANGE))
		return -EINVAL;
	if (flags & RENAME_WHITEOUT)
		return -EINVAL;
	obase = obase ? dentry_get(obase) : vfs_cwd();
	nbase = nbase ? dentry_get(nbase) : vfs_cwd();
	walk_init(&w);
	mutex_lock(&vfs_ns_lock);
	r = walk_parent(&w, obase, opath, &op.o);
	if (r == 0)
		r = walk_parent(&w, nbase, npath, &op.n);
	if (r == 0)
		r = do_rename(&op);
	mutex_unlock(&vfs_ns_lock);
	walk_done(&w);
	dentry_put(obase);
	dentry_put(nbase);
	return r;
}

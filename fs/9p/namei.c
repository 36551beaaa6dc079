/*
 * fs/9p/namei.c: the directory, link and attribute ops of a 9p share
 * (struct inode_ops): lookup, revalidate, create (Tlcreate, Tmkdir,
 * Tmknod), symlink, link, unlink, rmdir, rename (Trenameat), readlink,
 * setsize and setattr (Tsetattr). Layer: fs. The VFS holds vfs_ns_lock
 * around the namespace ops. Every change is made on the host first; the
 * inode in memory follows only when the host said yes. A read-only mount
 * refuses every change with -EROFS before asking the host.
 */
#include <skiff/kernel.h>
#include "9p.h"

static int writable(struct inode *ino)
{
	return P9FS(ino->sb)->ro ? -EROFS : 0;
}

static int p9_lookup(struct inode *dir, const char *name, struct inode **out)
{
	return p9_lookup_inode(dir, name, out);
}

/*
 * A cached name is still the file it was: the host's attributes of the
 * inode's fid (QEMU's fids follow paths, and follow our renames) name the
 * same file. A file removed or replaced on the host is stale: the walk
 * drops the name and looks it up again.
 */
static bool p9_revalidate(struct dentry *d)
{
	struct inode *ino = d->inode;
	struct p9_attr a;

	if (!ino || ino->sb != d->parent->inode->sb || !P9I(ino))
		return true; /* a mount point or a name of another kind */
	if (p9_getattr(&P9FS(ino->sb)->c, P9I(ino)->fid, &a) ||
	    a.qid.path != P9I(ino)->qpath ||
	    (a.mode & S_IFMT) != (ino->mode & S_IFMT))
		return false;
	mutex_lock(&ino->lock);
	p9_fill(ino, &a);
	mutex_unlock(&ino->lock);
	return true;
}

/* A regular file: Tlcreate on a clone of dir's fid, kept open (O_RDWR)
 * for the open that follows: a file created 0444 must still be writable
 * through the descriptor that created it. */
static int create_file(struct p9_fs *fs, struct inode *dir, const char *name,
		       u32 mode, struct inode **out)
{
	u32 ofid = p9_fid_new(&fs->c), iounit;
	struct p9_qid qid;
	int r = p9_walk(&fs->c, P9I(dir)->fid, ofid, 0, NULL, NULL);

	if (r)
		return r;
	r = p9_lcreate(&fs->c, ofid, name, O_RDWR | O_EXCL, mode & 07777, &qid,
		       &iounit);
	if (!r)
		r = p9_lookup_inode(dir, name, out);
	if (r) {
		p9_clunk(&fs->c, ofid);
		return r;
	}
	mutex_lock(&(*out)->lock);
	if (P9I(*out)->create_fid == P9_NOFID) {
		P9I(*out)->create_fid = ofid;
		ofid = P9_NOFID;
	}
	mutex_unlock(&(*out)->lock);
	p9_clunk(&fs->c, ofid);
	return 0;
}

static int p9_create(struct inode *dir, const char *name, u32 mode, u64 rdev,
		     struct inode **out)
{
	struct p9_fs *fs = P9FS(dir->sb);
	int r = writable(dir);

	if (r)
		return r;
	if (!name[0])
		return -EOPNOTSUPP; /* O_TMPFILE: 9P has no nameless files */
	if (S_ISREG(mode))
		return create_file(fs, dir, name, mode, out);
	if (S_ISDIR(mode))
		r = p9_mkdir(&fs->c, P9I(dir)->fid, name, mode & 07777);
	else
		r = p9_mknod(&fs->c, P9I(dir)->fid, name, mode, rdev);
	if (!r)
		r = p9_lookup_inode(dir, name, out);
	if (!r && S_ISDIR(mode))
		dir->nlink++;
	if (!r)
		inode_touch(dir, true);
	return r;
}

static int p9_symlink_op(struct inode *dir, const char *name,
			 const char *target, struct inode **out)
{
	struct p9_fs *fs = P9FS(dir->sb);
	int r = writable(dir);

	if (!r)
		r = p9_symlink(&fs->c, P9I(dir)->fid, name, target);
	if (!r)
		r = p9_lookup_inode(dir, name, out);
	return r;
}

static long p9_readlink_op(struct inode *ino, char *buf, size_t size)
{
	return p9_readlink(&P9FS(ino->sb)->c, P9I(ino)->fid, buf, size);
}

static int p9_link_op(struct inode *dir, const char *name,
		      struct inode *target)
{
	struct p9_fs *fs = P9FS(dir->sb);
	int r = writable(dir);

	if (!r)
		r = p9_link(&fs->c, P9I(dir)->fid, P9I(target)->fid, name);
	if (!r) {
		target->nlink++;
		inode_touch(target, false);
	}
	return r;
}

static int p9_unlink_op(struct inode *dir, const char *name,
			struct inode *victim)
{
	int r = writable(dir);

	if (!r)
		r = p9_unlinkat(&P9FS(dir->sb)->c, P9I(dir)->fid, name, 0);
	if (!r && victim->nlink)
		victim->nlink--;
	return r;
}

static int p9_rmdir_op(struct inode *dir, const char *name,
		       struct inode *victim)
{
	int r = writable(dir);

	if (!r)
		r = p9_unlinkat(&P9FS(dir->sb)->c, P9I(dir)->fid, name,
				P9_AT_REMOVEDIR);
	if (!r) {
		victim->nlink = 0;
		if (dir->nlink > 2)
			dir->nlink--;
	}
	return r;
}

static int p9_rename_op(struct inode *odir, const char *oname,
			struct inode *ndir, const char *nname,
			struct inode *moved, struct inode *victim,
			unsigned flags)
{
	struct p9_fs *fs = P9FS(odir->sb);
	int r = writable(odir);

	if (r)
		return r;
	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL; /* DIVERGENCE: Trenameat has no flags */
	r = p9_renameat(&fs->c, P9I(odir)->fid, oname, P9I(ndir)->fid, nname);
	if (r)
		return r;
	if (victim && S_ISDIR(victim->mode)) {
		victim->nlink = 0;
		ndir->nlink--;
	} else if (victim && victim->nlink) {
		victim->nlink--;
	}
	if (S_ISDIR(moved->mode) && odir != ndir) {
		odir->nlink--;
		ndir->nlink++;
	}
	inode_touch(moved, false);
	return 0;
}

/* The fid to change ino through: the one Tlcreate opened if still
 * there (it outlives an unlink), else the inode's. */
static u32 attr_fid(struct inode *ino)
{
	u32 f = P9I(ino)->create_fid;

	return f != P9_NOFID ? f : P9I(ino)->fid;
}

static int p9_setsize(struct inode *ino, u64 size)
{
	struct p9_setattr s = { .valid = P9_SETATTR_SIZE, .size = size };
	int r = writable(ino);

	if (!r)
		r = p9_setattr(&P9FS(ino->sb)->c, attr_fid(ino), &s);
	if (!r)
		ino->size = size;
	return r;
}

static int p9_setattr_op(struct inode *ino, const struct vfs_setattr *va)
{
	struct p9_setattr s = { .mode = va->mode, .uid = va->uid,
				.gid = va->gid, .atime = va->atime,
				.mtime = va->mtime };
	int r = writable(ino);

	if (r)
		return r;
	if (va->valid & VFS_ATTR_MODE)
		s.valid |= P9_SETATTR_MODE;
	if (va->valid & VFS_ATTR_UID)
		s.valid |= P9_SETATTR_UID;
	if (va->valid & VFS_ATTR_GID)
		s.valid |= P9_SETATTR_GID;
	if (va->valid & VFS_ATTR_ATIME)
		s.valid |= P9_SETATTR_ATIME | P9_SETATTR_ATIME_SET;
	if (va->valid & VFS_ATTR_MTIME)
		s.valid |= P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET;
	/* A symlink's own attributes cannot be changed through a path
	 * (Linux has no lchmod); the host would follow it. */
	if (S_ISLNK(ino->mode) && (s.valid & P9_SETATTR_MODE))
		return -EOPNOTSUPP;
	return p9_setattr(&P9FS(ino->sb)->c, attr_fid(ino), &s);
}

const struct inode_ops p9_dir_iops = {
	.lookup = p9_lookup,
	.revalidate = p9_revalidate,
	.create = p9_create,
	.symlink = p9_symlink_op,
	.link = p9_link_op,
	.unlink = p9_unlink_op,
	.rmdir = p9_rmdir_op,
	.rename = p9_rename_op,
	.setattr = p9_setattr_op,
};

const struct inode_ops p9_file_iops = {
	.setsize = p9_setsize,
	.setattr = p9_setattr_op,
};

const struct inode_ops p9_link_iops = {
	.readlink = p9_readlink_op,
	.setattr = p9_setattr_op,
};

const struct inode_ops p9_other_iops = {
	.setattr = p9_setattr_op,
};

/*
 * fs/9p/file.c: open files of a 9p share (struct file_ops): open (a fid
 * of its own, Tlopen), read and write straight to the host (Tread,
 * Twrite, no cache: a write is on the host when it returns), fsync
 * (Tfsync), release (Tclunk), and directories' readdir (Treaddir, whose
 * offsets are the host's cookies). Layer: fs.
 *
 * mmap: MAP_PRIVATE works through read (mm/ copies the file in at each
 * fault); there is no get_page, so MAP_SHARED is refused with ENODEV by
 * linux/mm.c (docs/linux-compat.md). O_APPEND writes at the host's size,
 * read just before (Tgetattr), under inode->lock.
 */
#include <skiff/alloc.h>
#include <skiff/kernel.h>
#include "9p.h"

#define DIR_CHUNK 16384		/* bytes asked of one Treaddir */

/* Linux open flags into 9P2000.L's (equal to x86_64 Linux's): the access
 * mode only; we do O_APPEND and O_TRUNC ourselves, the host must not. */
static u32 lopen_flags(struct file *f, bool dir)
{
	u32 fl = O_RDONLY;

	if ((f->fmode & FMODE_READ) && (f->fmode & FMODE_WRITE))
		fl = O_RDWR;
	else if (f->fmode & FMODE_WRITE)
		fl = O_WRONLY;
	return dir ? O_RDONLY | O_DIRECTORY : fl;
}

static int p9_open(struct inode *ino, struct file *f)
{
	struct p9_fs *fs = P9FS(ino->sb);
	struct p9_file *pf;
	u32 fid, iounit;
	int r;

	if (fs->ro && (f->fmode & FMODE_WRITE))
		return -EROFS;
	if (!(pf = kzalloc(sizeof(*pf))))
		return -ENOMEM;
	mutex_lock(&ino->lock);
	fid = P9I(ino)->create_fid;
	P9I(ino)->create_fid = P9_NOFID;
	mutex_unlock(&ino->lock);
	if (fid == P9_NOFID) {
		fid = p9_fid_new(&fs->c);
		r = p9_walk(&fs->c, P9I(ino)->fid, fid, 0, NULL, NULL);
		if (!r && (r = p9_lopen(&fs->c, fid, lopen_flags(f, S_ISDIR(ino->mode)),
					&iounit)))
			p9_clunk(&fs->c, fid);
		if (r) {
			kfree(pf);
			return r;
		}
	}
	pf->fid = fid;
	f->priv = pf;
	return 0;
}

static void p9_release(struct file *f)
{
	struct p9_file *pf = f->priv;

	if (!pf)
		return;
	p9_clunk(&P9FS(f->inode->sb)->c, pf->fid);
	kfree(pf);
}

static long p9_read_op(struct file *f, struct iobuf *io, u64 *pos)
{
	struct p9_fs *fs = P9FS(f->inode->sb);
	struct p9_file *pf = f->priv;
	size_t done = 0;
	long r = 0;

	while (done < io->len) {
		u32 want = (u32)MIN(io->len - done, (size_t)p9_iosize(&fs->c));

		r = p9_read(&fs->c, pf->fid, *pos + done, io, done, want, &want);
		if (r <= 0)
			break;
		done += r;
		if ((u32)r < want)
			break; /* the end of the file */
	}
	*pos += done;
	return done ? (long)done : r;
}

/* O_APPEND: the host's size, where the write goes. */
static int append_pos(struct p9_fs *fs, struct inode *ino, u64 *pos)
{
	struct p9_attr a;
	int r = p9_getattr(&fs->c, P9I(ino)->fid, &a);

	if (!r)
		*pos = a.size;
	return r == -ENOENT ? 0 : r; /* unlinked on the host: ours */
}

static long p9_write_op(struct file *f, struct iobuf *io, u64 *pos)
{
	struct inode *ino = f->inode;
	struct p9_fs *fs = P9FS(ino->sb);
	struct p9_file *pf = f->priv;
	size_t done = 0;
	long r = 0;

	if (fs->ro)
		return -EROFS;
	mutex_lock(&ino->lock);
	if ((f->flags & O_APPEND) && (r = append_pos(fs, ino, pos)) < 0) {
		mutex_unlock(&ino->lock);
		return r;
	}
	while (done < io->len) {
		u32 want = (u32)MIN(io->len - done, (size_t)p9_iosize(&fs->c));

		r = p9_write(&fs->c, pf->fid, *pos + done, io, done, want, &want);
		if (r <= 0)
			break;
		done += r;
		if ((u32)r < want)
			break;
	}
	if (done) {
		if (*pos + done > ino->size)
			ino->size = *pos + done;
		inode_touch(ino, true);
	}
	mutex_unlock(&ino->lock);
	*pos += done;
	return done ? (long)done : r;
}

static int p9_fsync_op(struct file *f)
{
	struct p9_file *pf = f->priv;

	return pf ? p9_fsync(&P9FS(f->inode->sb)->c, pf->fid) : 0;
}

/* SEEK_END needs the host's size, which another writer may have moved. */
static s64 p9_llseek(struct file *f, s64 off, int whence)
{
	struct inode *ino = f->inode;
	struct p9_attr a;

	if (whence == SEEK_END || whence == SEEK_DATA || whence == SEEK_HOLE) {
		if (!p9_getattr(&P9FS(ino->sb)->c, P9I(ino)->fid, &a)) {
			mutex_lock(&ino->lock);
			ino->size = a.size;
			mutex_unlock(&ino->lock);
		}
	}
	return generic_llseek(f, off, whence);
}

struct dir_walk {
	struct dir_ctx *ctx;
	bool full;
};

static bool emit_entry(void *arg, const struct p9_qid *qid, u64 next,
		       u8 type, const char *name)
{
	struct dir_walk *w = arg;

	if (!w->ctx->emit(w->ctx, name, strlen(name), qid->path, type, next)) {
		w->full = true;
		return false;
	}
	w->ctx->pos = next;
	return true;
}

static int p9_iterate(struct file *f, struct dir_ctx *ctx)
{
	struct p9_fs *fs = P9FS(f->inode->sb);
	struct p9_file *pf = f->priv;
	struct dir_walk w = { ctx, false };
	int r, rounds = 0;

	/* A host that keeps giving entries without an end is cut off. */
	while (!w.full && rounds++ < 1 << 20) {
		u64 at = ctx->pos;

		r = p9_readdir(&fs->c, pf->fid, at, DIR_CHUNK, emit_entry, &w);
		if (r <= 0)
			return r;
		if (!w.full && ctx->pos == at)
			return -EIO; /* entries that do not move the offset */
	}
	return 0;
}

/* Directory offsets are the host's cookies: any SEEK_SET is fine. */
static s64 p9_dir_llseek(struct file *f, s64 off, int whence)
{
	s64 to = whence == SEEK_SET ? off : whence == SEEK_CUR ? (s64)f->pos + off
							       : -1;

	if (to < 0)
		return -EINVAL;
	f->pos = to;
	return to;
}

const struct file_ops p9_file_ops = {
	.open = p9_open,
	.release = p9_release,
	.read = p9_read_op,
	.write = p9_write_op,
	.llseek = p9_llseek,
	.fsync = p9_fsync_op,
};

const struct file_ops p9_dir_ops = {
	.open = p9_open,
	.release = p9_release,
	.iterate = p9_iterate,
	.llseek = p9_dir_llseek,
	.fsync = p9_fsync_op,
};

/* DIVERGENCE: a FIFO on a share cannot be opened (ENXIO): the host's
 * writers and readers could not meet the guest's. */
static int p9_fifo_open(struct inode *ino, struct file *f)
{
	(void)ino, (void)f;
	return -ENXIO;
}

const struct file_ops p9_fifo_ops = {
	.open = p9_fifo_open,
};

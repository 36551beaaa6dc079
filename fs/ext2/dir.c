/*
 * fs/ext2/dir.c: ext2 directories: linked lists of entries in each
 * block (inode, rec_len, name_len, file_type, name). Layer: fs. fs->lock
 * held, except ext2_dir_iterate, which takes it. Each entry is checked
 * (rec_len at least the name's, a multiple of 4, inside the block; the
 * inode number in range) before use: a bad one is -EUCLEAN.
 */
#include <skiff/kernel.h>
#include "ext2.h"

static u8 ftype(u32 mode)
{
	static const u8 t[16] = { [S_IFREG >> 12] = 1, [S_IFDIR >> 12] = 2,
				  [S_IFCHR >> 12] = 3, [S_IFBLK >> 12] = 4,
				  [S_IFIFO >> 12] = 5, [S_IFSOCK >> 12] = 6,
				  [S_IFLNK >> 12] = 7 };
	return t[(mode & S_IFMT) >> 12];
}

static unsigned dtype_of(struct ext2_fs *fs, u8 t)
{
	static const u8 d[8] = { DT_UNKNOWN, DT_REG, DT_DIR, DT_CHR,
				 DT_BLK, DT_FIFO, DT_SOCK, DT_LNK };

	if (!(fs->s.feature_incompat & INCOMPAT_FILETYPE) || t > 7)
		return DT_UNKNOWN;
	return d[t];
}

/* Block i of directory dir, read and with its entries checked. */
static int dir_block(struct ext2_fs *fs, struct inode *dir, u64 i, u8 **p,
		     u32 *blk)
{
	int r = ext2_bmap(fs, dir, i, false, blk);

	if (r)
		return r;
	if (!*blk)
		return ext2_corrupt(fs, "hole in a directory", dir->ino);
	if ((r = ext2_bread(fs, *blk, p)))
		return r;
	for (u32 off = 0; off < fs->bsize;) {
		struct ext2_dirent *e = (struct ext2_dirent *)(*p + off);

		if (off + 8 > fs->bsize || e->rec_len < 8 || e->rec_len % 4 ||
		    off + e->rec_len > fs->bsize ||
		    (e->inode && (DIRENT_LEN(e->name_len) > e->rec_len ||
				  !e->name_len)) ||
		    e->inode > fs->s.inodes_count)
			return ext2_corrupt(fs, "bad directory entry", dir->ino);
		off += e->rec_len;
	}
	return 0;
}

static u64 nblocks(struct ext2_fs *fs, struct inode *dir)
{
	return dir->size / fs->bsize;
}

static bool name_is(struct ext2_dirent *e, const char *name, size_t len)
{
	return e->inode && e->name_len == len && !memcmp(e->name, name, len);
}

/* Finds name: its block, offset, and the offset of the entry before it in
 * the block (or ~0u). -ENOENT if absent. */
static int find(struct ext2_fs *fs, struct inode *dir, const char *name,
		u32 *blk, u32 *off, u32 *prev)
{
	size_t len = strlen(name);
	u8 *p;
	int r;

	for (u64 i = 0; i < nblocks(fs, dir); i++) {
		if ((r = dir_block(fs, dir, i, &p, blk)))
			return r;
		*prev = ~0u;
		for (u32 o = 0; o < fs->bsize;) {
			struct ext2_dirent *e = (struct ext2_dirent *)(p + o);

			if (name_is(e, name, len)) {
				*off = o;
				return 0;
			}
			*prev = o;
			o += e->rec_len;
		}
	}
	return -ENOENT;
}

static struct ext2_dirent *entry_at(struct ext2_fs *fs, u32 blk, u32 off)
{
	u8 *p;

	if (ext2_bread(fs, blk, &p))
		return NULL;
	return (struct ext2_dirent *)(p + off);
}

int ext2_dir_find(struct ext2_fs *fs, struct inode *dir, const char *name,
		  u32 *ino)
{
	u32 blk, off, prev;
	int r = find(fs, dir, name, &blk, &off, &prev);

	if (!r)
		*ino = entry_at(fs, blk, off)->inode;
	return r;
}

/* The directory changed: no more hash index, new times. */
static void changed(struct ext2_fs *fs, struct inode *dir)
{
	EI(dir)->flags &= ~EXT2_INDEX_FL;
	inode_touch(dir, true);
	ext2_iwrite(fs, dir);
}

static void put_entry(struct ext2_fs *fs, struct ext2_dirent *e,
		      const char *name, u32 ino, u32 mode)
{
	size_t len = strlen(name);

	e->inode = ino;
	e->name_len = len;
	e->file_type = fs->s.feature_incompat & INCOMPAT_FILETYPE
			       ? ftype(mode) : 0;
	memcpy(e->name, name, len);
}

/* Room for an entry of need bytes in block p: the entry to use. */
static struct ext2_dirent *room_in(struct ext2_fs *fs, u8 *p, u32 need)
{
	for (u32 o = 0; o < fs->bsize;) {
		struct ext2_dirent *e = (struct ext2_dirent *)(p + o);
		u32 used = e->inode ? DIRENT_LEN(e->name_len) : 0;

		if (e->rec_len - used >= need) {
			if (!used)
				return e;
			struct ext2_dirent *n = (void *)((u8 *)e + used);

			n->rec_len = e->rec_len - used;
			n->inode = 0;
			e->rec_len = used;
			return n;
		}
		o += e->rec_len;
	}
	return NULL;
}

int ext2_dir_add(struct ext2_fs *fs, struct inode *dir, const char *name,
		 u32 ino, u32 mode)
{
	u32 need = DIRENT_LEN(strlen(name)), blk;
	u64 i, n = nblocks(fs, dir);
	struct ext2_dirent *e = NULL;
	u8 *p;
	int r;

	for (i = 0; i < n && !e; i++) {
		if ((r = dir_block(fs, dir, i, &p, &blk)))
			return r;
		e = room_in(fs, p, need);
	}
	if (!e) {
		if ((r = ext2_bmap(fs, dir, n, true, &blk)) ||
		    (r = ext2_bread(fs, blk, &p)))
			return r;
		e = (struct ext2_dirent *)p;
		e->rec_len = fs->bsize;
		dir->size += fs->bsize;
	}
	put_entry(fs, e, name, ino, mode);
	ext2_bdirty(fs, blk);
	changed(fs, dir);
	return 0;
}

int ext2_dir_remove(struct ext2_fs *fs, struct inode *dir, const char *name)
{
	u32 blk, off, prev;
	struct ext2_dirent *e;
	int r = find(fs, dir, name, &blk, &off, &prev);

	if (r)
		return r;
	e = entry_at(fs, blk, off);
	if (prev != ~0u)
		entry_at(fs, blk, prev)->rec_len += e->rec_len;
	else
		e->inode = 0;
	ext2_bdirty(fs, blk);
	changed(fs, dir);
	return 0;
}

int ext2_dir_set(struct ext2_fs *fs, struct inode *dir, const char *name,
		 u32 ino, u32 mode)
{
	u32 blk, off, prev;
	struct ext2_dirent *e;
	int r = find(fs, dir, name, &blk, &off, &prev);

	if (r)
		return r;
	e = entry_at(fs, blk, off);
	e->inode = ino;
	if (fs->s.feature_incompat & INCOMPAT_FILETYPE)
		e->file_type = ftype(mode);
	ext2_bdirty(fs, blk);
	changed(fs, dir);
	return 0;
}

int ext2_dir_empty(struct ext2_fs *fs, struct inode *dir)
{
	u32 blk;
	u8 *p;
	int r;

	for (u64 i = 0; i < nblocks(fs, dir); i++) {
		if ((r = dir_block(fs, dir, i, &p, &blk)))
			return r;
		for (u32 o = 0; o < fs->bsize;) {
			struct ext2_dirent *e = (struct ext2_dirent *)(p + o);

			if (e->inode && !(name_is(e, ".", 1) ||
					  name_is(e, "..", 2)))
				return -ENOTEMPTY;
			o += e->rec_len;
		}
	}
	return 0;
}

int ext2_dir_init(struct ext2_fs *fs, struct inode *dir, u32 parent)
{
	struct ext2_dirent *e;
	u32 blk;
	u8 *p;
	int r;

	if ((r = ext2_bmap(fs, dir, 0, true, &blk)) ||
	    (r = ext2_bread(fs, blk, &p)))
		return r;
	e = (struct ext2_dirent *)p;
	put_entry(fs, e, ".", dir->ino, S_IFDIR);
	e->rec_len = 12;
	e = (struct ext2_dirent *)(p + 12);
	put_entry(fs, e, "..", parent, S_IFDIR);
	e->rec_len = fs->bsize - 12;
	ext2_bdirty(fs, blk);
	dir->size = fs->bsize;
	return 0;
}

/* Emits the entries of block i from byte offset `from` of the dir. */
static int iterate_block(struct ext2_fs *fs, struct inode *dir, u64 i,
			 struct dir_ctx *ctx, bool *full)
{
	u64 base = i * fs->bsize;
	u32 blk;
	u8 *p;
	int r = dir_block(fs, dir, i, &p, &blk);

	for (u32 o = 0; !r && o < fs->bsize;) {
		struct ext2_dirent *e = (struct ext2_dirent *)(p + o);
		u64 next = base + o + e->rec_len;

		if (base + o >= ctx->pos && e->inode) {
			if (!ctx->emit(ctx, e->name, e->name_len, e->inode,
				       dtype_of(fs, e->file_type), next)) {
				*full = true;
				return 0;
			}
		}
		if (base + o >= ctx->pos)
			ctx->pos = next;
		o += e->rec_len;
	}
	return r;
}

static int ext2_dir_iterate(struct file *f, struct dir_ctx *ctx)
{
	struct inode *dir = f->inode;
	struct ext2_fs *fs = EFS(dir->sb);
	bool full = false;
	int r = 0;

	mutex_lock(&fs->lock);
	ext2_trim(fs);
	for (u64 i = ctx->pos / fs->bsize; !r && !full && i < nblocks(fs, dir);
	     i++)
		r = iterate_block(fs, dir, i, ctx, &full);
	mutex_unlock(&fs->lock);
	return r;
}

const struct file_ops ext2_dir_fops = {
	.iterate = ext2_dir_iterate,
	.llseek = generic_llseek,
	.fsync = ext2_fsync,
};

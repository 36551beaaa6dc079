/*
 * fs/ext2/super.c: mounting an ext2 filesystem (revision 0 or 1) from a
 * block device, checking its superblock and group descriptors, writing
 * them back, statfs and sync. Layer: fs. Interface: ext2_mount (vfs.h),
 * ext2_sops.
 *
 * Features: the incompat feature filetype and the ro_compat features
 * sparse_super and large_file are implemented. Any other incompat feature
 * (extents, 64bit, flex_bg, meta_bg, journal recovery, ...) refuses the
 * mount; any other ro_compat feature, or a journal (has_journal: an ext3
 * image, which we would write without journaling), allows a read-only
 * mount only. Compat features that need nothing from a writer are
 * ignored (ext_attr, resize_inode, dir_index: an indexed directory we
 * change loses its index flag, and stays a valid linear directory).
 * The refusal is one log line naming the features.
 */
#include <skiff/alloc.h>
#include <skiff/kernel.h>
#include "ext2.h"

static const struct { u32 bit; const char *name; } incompat_names[] = {
	{ 0x1, "compression" }, { 0x4, "needs_recovery" },
	{ 0x8, "journal_dev" }, { 0x10, "meta_bg" }, { 0x40, "extent" },
	{ 0x80, "64bit" }, { 0x100, "mmp" }, { 0x200, "flex_bg" },
	{ 0x400, "ea_inode" }, { 0x1000, "dirdata" },
	{ 0x2000, "metadata_csum_seed" }, { 0x4000, "large_dir" },
	{ 0x8000, "inline_data" }, { 0x10000, "encrypt" },
	{ 0x20000, "casefold" },
}, ro_names[] = {
	{ 0x4, "btree_dir" }, { 0x8, "huge_file" }, { 0x10, "uninit_bg" },
	{ 0x20, "dir_nlink" }, { 0x40, "extra_isize" }, { 0x100, "quota" },
	{ 0x200, "bigalloc" }, { 0x400, "metadata_csum" },
	{ 0x1000, "read-only" }, { 0x2000, "project" },
	{ 0x8000, "verity" }, { 0x10000, "orphan_present" },
};

int ext2_corrupt(struct ext2_fs *fs, const char *what, u64 n)
{
	if (!fs->errors)
		klog("ext2: %s: corrupt filesystem: %s (%lu)", fs->bd->name,
		     what, (unsigned long)n);
	fs->errors = true;
	return -EUCLEAN;
}

/* Appends the names of the bits of f to buf. */
static void feature_names(char *buf, size_t size, u32 f, bool ro)
{
	size_t n = strlen(buf);
	unsigned count = ro ? ARRAY_SIZE(ro_names) : ARRAY_SIZE(incompat_names);

	for (unsigned i = 0; i < 32; i++) {
		const char *name = NULL;

		if (!(f & (1u << i)))
			continue;
		for (unsigned k = 0; k < count; k++) {
			u32 bit = ro ? ro_names[k].bit : incompat_names[k].bit;

			if (bit == 1u << i)
				name = ro ? ro_names[k].name
					  : incompat_names[k].name;
		}
		if (name)
			n += fmt_snprintf(buf + n, size - MIN(n, size), " %s",
					  name);
		else
			n += fmt_snprintf(buf + n, size - MIN(n, size),
					  " %s%#x", ro ? "ro_compat:" : "incompat:",
					  1u << i);
		if (n >= size)
			return;
	}
}

/* Whether the features allow the mount (and rw): -EINVAL with a line. */
static int check_features(struct ext2_fs *fs, bool *ro, char *why,
			  size_t wsize)
{
	struct ext2_super *s = &fs->s;
	u32 bad_in = 0, bad_ro = 0;
	char names[200] = "";

	if (s->rev_level == 0)
		return 0;
	bad_in = s->feature_incompat & ~INCOMPAT_OK;
	bad_ro = s->feature_ro_compat & ~RO_COMPAT_OK;
	feature_names(names, sizeof(names), bad_in, false);
	feature_names(names, sizeof(names), bad_ro, true);
	if (bad_in) {
		fmt_snprintf(why, wsize, "unsupported features:%s", names);
		return -EINVAL;
	}
	if (!*ro && (bad_ro || (s->feature_compat & COMPAT_HAS_JOURNAL))) {
		fmt_snprintf(why, wsize, "read-write: unsupported features:"
			     "%s%s (mount it read-only)", names,
			     s->feature_compat & COMPAT_HAS_JOURNAL ?
			     " has_journal" : "");
		return -EROFS;
	}
	return 0;
}

/* The superblock's numbers against each other and the device. */
static int check_super(struct ext2_fs *fs)
{
	struct ext2_super *s = &fs->s;
	u64 dev_blocks;

	if (s->magic != EXT2_MAGIC)
		return -EINVAL;
	if (s->log_block_size > 2 || s->rev_level > 1)
		return ext2_corrupt(fs, "block size or revision", s->rev_level);
	fs->log_bsize = 10 + s->log_block_size;
	fs->bsize = 1u << fs->log_bsize;
	fs->apb = fs->bsize / 4;
	fs->isize = s->rev_level ? s->inode_size : 128;
	if (s->rev_level == 0)
		s->first_ino = 11;
	dev_blocks = fs->bd->sectors >> (fs->log_bsize - 9);
	if (s->blocks_per_group == 0 || s->blocks_per_group > 8 * fs->bsize ||
	    s->inodes_per_group == 0 || s->inodes_per_group > 8 * fs->bsize ||
	    fs->isize < 128 || fs->isize > fs->bsize ||
	    (fs->isize & (fs->isize - 1)) ||
	    s->first_data_block != (fs->bsize == 1024) ||
	    s->blocks_count <= s->first_data_block + 1)
		return ext2_corrupt(fs, "superblock geometry", 0);
	if (s->blocks_count > dev_blocks)
		return ext2_corrupt(fs, "filesystem larger than its device",
				    s->blocks_count);
	fs->ngroups = (s->blocks_count - s->first_data_block +
		       s->blocks_per_group - 1) / s->blocks_per_group;
	if ((u64)fs->ngroups * s->inodes_per_group != s->inodes_count ||
	    s->first_ino < 11 || s->first_ino >= s->inodes_count ||
	    s->free_blocks_count > s->blocks_count ||
	    s->free_inodes_count > s->inodes_count)
		return ext2_corrupt(fs, "superblock counts", s->inodes_count);
	fs->gd_blocks = (fs->ngroups * sizeof(struct ext2_gd) + fs->bsize - 1) /
			fs->bsize;
	return 0;
}

/* A group's bitmaps and inode table lie inside the filesystem. */
static int check_groups(struct ext2_fs *fs)
{
	u32 itb = (fs->s.inodes_per_group * fs->isize + fs->bsize - 1) /
		  fs->bsize;
	u32 meta_end = fs->s.first_data_block + 1 + fs->gd_blocks;

	for (u32 g = 0; g < fs->ngroups; g++) {
		struct ext2_gd *d = &fs->gd[g];

		if (d->block_bitmap < meta_end || d->inode_bitmap < meta_end ||
		    d->inode_table < meta_end ||
		    d->block_bitmap >= fs->s.blocks_count ||
		    d->inode_bitmap >= fs->s.blocks_count ||
		    (u64)d->inode_table + itb > fs->s.blocks_count ||
		    d->free_blocks_count > fs->s.blocks_per_group ||
		    d->free_inodes_count > fs->s.inodes_per_group)
			return ext2_corrupt(fs, "group descriptor", g);
	}
	return 0;
}

static int read_groups(struct ext2_fs *fs)
{
	size_t bytes = (size_t)fs->gd_blocks * fs->bsize;
	u8 *p;
	int r;

	if (fs->gd_blocks > 1024)
		return ext2_corrupt(fs, "too many groups", fs->ngroups);
	if (!(fs->gd = kmalloc(bytes)))
		return -ENOMEM;
	for (u32 i = 0; i < fs->gd_blocks; i++) {
		if ((r = ext2_bread(fs, fs->s.first_data_block + 1 + i, &p)))
			return r;
		memcpy((u8 *)fs->gd + (size_t)i * fs->bsize, p, fs->bsize);
	}
	return check_groups(fs);
}

/* Copies the superblock and the descriptors into their cached blocks. */
static int write_meta(struct ext2_fs *fs)
{
	u32 sb_blk = fs->bsize == 1024 ? 1 : 0;
	u8 *p;
	int r;

	if (fs->sb_dirty) {
		if ((r = ext2_bread(fs, sb_blk, &p)))
			return r;
		memcpy(p + (fs->bsize == 1024 ? 0 : 1024), &fs->s,
		       sizeof(fs->s));
		ext2_bdirty(fs, sb_blk);
		fs->sb_dirty = false;
	}
	for (u32 i = 0; fs->gd_dirty && i < fs->gd_blocks; i++) {
		if ((r = ext2_bread(fs, fs->s.first_data_block + 1 + i, &p)))
			return r;
		memcpy(p, (u8 *)fs->gd + (size_t)i * fs->bsize, fs->bsize);
		ext2_bdirty(fs, fs->s.first_data_block + 1 + i);
	}
	fs->gd_dirty = false;
	return 0;
}

/* fs->lock held. Every change, down to the device's stable storage. */
int ext2_sync_fs(struct ext2_fs *fs)
{
	int r;

	if (fs->ro)
		return 0;
	if ((r = ext2_write_all(fs, false)) || (r = write_meta(fs)))
		return r;
	return ext2_cache_flush(fs, 0);
}

int ext2_sync_file(struct ext2_fs *fs, struct inode *ino)
{
	int r;

	if (fs->ro)
		return 0;
	if ((r = ext2_mpages_writeback(fs, ino)) || (r = ext2_iwrite(fs, ino)) ||
	    (r = write_meta(fs)))
		return r;
	return ext2_cache_flush(fs, (u32)ino->ino);
}

static int ext2_sync(struct super *sb, bool at_exit)
{
	struct ext2_fs *fs = EFS(sb);
	int r = 0;

	mutex_lock(&fs->lock);
	if (at_exit && !fs->ro)
		r = ext2_write_all(fs, true);
	if (!r)
		r = ext2_sync_fs(fs);
	mutex_unlock(&fs->lock);
	return r;
}

static int ext2_statfs(struct super *sb, struct vfs_statfs *st)
{
	struct ext2_fs *fs = EFS(sb);

	mutex_lock(&fs->lock);
	st->bsize = fs->bsize;
	st->blocks = fs->s.blocks_count - fs->s.first_data_block;
	st->bfree = fs->s.free_blocks_count;
	st->bavail = st->bfree > fs->s.r_blocks_count
			     ? st->bfree - fs->s.r_blocks_count : 0;
	st->files = fs->s.inodes_count;
	st->ffree = fs->s.free_inodes_count;
	st->ro = fs->ro;
	mutex_unlock(&fs->lock);
	return 0;
}

const struct super_ops ext2_sops = {
	.evict = ext2_evict,
	.sync = ext2_sync,
	.statfs = ext2_statfs,
};

static int read_super(struct ext2_fs *fs, bool *ro, char *why, size_t wsize)
{
	int r;

	if (fs->bd->sectors < 4)
		return -EINVAL;
	if (!(fs->sbbuf = kmalloc(1024)))
		return -ENOMEM;
	if ((r = blk_rw(fs->bd, false, 2, fs->sbbuf, 1024)))
		return -EIO;
	memcpy(&fs->s, fs->sbbuf, sizeof(fs->s));
	if ((r = check_super(fs)) || (r = check_features(fs, ro, why, wsize)))
		return r;
	return 0;
}

static void fs_free(struct ext2_fs *fs)
{
	if (fs->hash)
		ext2_cache_free(fs);
	kfree(fs->gd);
	kfree(fs->sbbuf);
	kfree(fs);
}

static int make_super(struct ext2_fs *fs, struct inode **root)
{
	if (!(fs->sb = super_new(&ext2_sops, EXT2_MAGIC)))
		return -ENOMEM;
	fs->sb->priv = fs;
	return ext2_iget(fs, EXT2_ROOT_INO, root);
}

int ext2_mount(const char *dev, bool ro, struct super **out, char *why,
	       size_t wsize)
{
	struct ext2_fs *fs = kzalloc(sizeof(*fs));
	struct inode *root = NULL;
	int r;

	if (!fs)
		return -ENOMEM;
	mutex_init(&fs->lock);
	for (unsigned i = 0; i < ARRAY_SIZE(fs->ihash); i++)
		list_init(&fs->ihash[i]);
	if (!(fs->bd = blkdev_find(dev))) {
		kfree(fs);
		return -ENODEV;
	}
	fs->ro = ro || fs->bd->ro;
	mutex_lock(&fs->lock);
	why[0] = 0;
	if (!(r = read_super(fs, &fs->ro, why, wsize)) && !(r = ext2_cache_init(fs)) &&
	    !(r = read_groups(fs)))
		r = make_super(fs, &root);
	mutex_unlock(&fs->lock);
	if (!r && !S_ISDIR(root->mode)) {
		r = ext2_corrupt(fs, "root is not a directory", root->mode);
		fs->ro = true; /* evict writes nothing back */
		inode_put(root);
	}
	if (r) {
		if (r == -EINVAL && fs->s.magic != EXT2_MAGIC)
			fmt_snprintf(why, wsize, "no ext2 filesystem (bad magic)");
		else if (r == -EUCLEAN && !why[0])
			fmt_snprintf(why, wsize, "corrupt filesystem");
		else if (!why[0])
			fmt_snprintf(why, wsize, "error %d", -r);
		kfree(fs->sb); /* no inode of it is left */
		fs_free(fs);
		return r;
	}
	super_set_root(fs->sb, root);
	ext2_wb_register(fs);
	klog("ext2: %s: %u blocks of %u bytes, %u inodes, %u groups%s",
	     fs->bd->name, fs->s.blocks_count, fs->bsize, fs->s.inodes_count,
	     fs->ngroups, fs->ro ? ", read-only" : "");
	*out = fs->sb;
	return 0;
}

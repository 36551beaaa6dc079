/*
 * fs/ext2/ext2.h: the ext2 filesystem's private header: the on-disk
 * format (revision 1, as "The Second Extended File System" by Dave Poirier
 * describes it), the mounted filesystem and the files between cache.c,
 * super.c, alloc.c, inode.c, bmap.c, dir.c, namei.c and file.c. Layer: fs.
 *
 * Locking: one mutex per filesystem (fs->lock) guards the block cache,
 * the bitmaps, the counts and every on-disk structure; each op takes it
 * after vfs_ns_lock and inode->lock. A pointer into a cached block is
 * valid while fs->lock is held and until the next ext2_trim (called at
 * the start of an op only; ext2_lock says how a fault's op runs inside
 * another). Every field read from the disk is checked
 * before use: a bad one gives -EUCLEAN (one log line), never a panic.
 */
#ifndef FS_EXT2_H
#define FS_EXT2_H

#include <skiff/blkdev.h>
#include <skiff/errno.h>
#include <skiff/rbtree.h>
#include <skiff/vfs.h>

#define EXT2_MAGIC 0xEF53
#define EXT2_ROOT_INO 2
#define EXT2_NDIR 12		/* direct blocks in i_block */
#define EXT2_IND 12
#define EXT2_DIND 13
#define EXT2_TIND 14
#define EXT2_LINK_MAX 32000
#define EXT2_FAST_LINK 60	/* bytes of i_block */

/* Features we know (s_feature_*). */
#define COMPAT_HAS_JOURNAL 0x4
#define COMPAT_DIR_INDEX 0x20
#define INCOMPAT_FILETYPE 0x2
#define RO_COMPAT_SPARSE_SUPER 0x1
#define RO_COMPAT_LARGE_FILE 0x2
#define INCOMPAT_OK INCOMPAT_FILETYPE
#define RO_COMPAT_OK (RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE)
#define EXT2_INDEX_FL 0x1000	/* htree directory: cleared when we change it */

struct ext2_super {
	u32 inodes_count, blocks_count, r_blocks_count, free_blocks_count;
	u32 free_inodes_count, first_data_block, log_block_size;
	u32 log_frag_size, blocks_per_group, frags_per_group;
	u32 inodes_per_group, mtime, wtime;
	u16 mnt_count;
	s16 max_mnt_count;
	u16 magic, state, errors, minor_rev_level;
	u32 lastcheck, checkinterval, creator_os, rev_level;
	u16 def_resuid, def_resgid;
	u32 first_ino;
	u16 inode_size, block_group_nr;
	u32 feature_compat, feature_incompat, feature_ro_compat;
	u8 uuid[16];
	char volume_name[16];
	char last_mounted[64];
	u32 algorithm_usage_bitmap;
	u8 prealloc_blocks, prealloc_dir_blocks;
	u16 reserved_gdt_blocks;
	u8 journal_uuid[16];
	u32 journal_inum, journal_dev, last_orphan;
} __packed;
_Static_assert(sizeof(struct ext2_super) == 236, "ext2 superblock layout");

struct ext2_gd {
	u32 block_bitmap, inode_bitmap, inode_table;
	u16 free_blocks_count, free_inodes_count, used_dirs_count, flags;
	u32 reserved[3];
} __packed;
_Static_assert(sizeof(struct ext2_gd) == 32, "ext2 group descriptor");

struct ext2_dinode {
	u16 mode, uid;
	u32 size, atime, ctime, mtime, dtime;
	u16 gid, links_count;
	u32 blocks, flags, osd1;
	u32 block[15];
	u32 generation, file_acl, size_high, faddr;
	u8 frag, fsize;
	u16 blocks_hi, uid_high, gid_high;
	u32 reserved2;
	/* Large inodes (s_inode_size > 128) only; the times' extra words
	 * (nanoseconds << 2, epoch bits) when extra_isize covers them. */
	u16 extra_isize, checksum_hi;
	u32 ctime_extra, mtime_extra, atime_extra;
} __packed;
_Static_assert(sizeof(struct ext2_dinode) == 144, "ext2 inode layout");
#define EXTRA_TIMES_ISIZE 16	/* extra_isize that holds atime_extra */

struct ext2_dirent {
	u32 inode;
	u16 rec_len;
	u8 name_len, file_type;
	char name[];
} __packed;
#define DIRENT_LEN(n) (((8 + (n)) + 3) & ~3u)

struct ext2_cblock;

#define EXT2_DISCARD_MAX 32	/* freed ranges kept before they go out */
#define EXT2_WB_DELAY_NS (5ull * 1000000000ull) /* dirty to background write */

struct ext2_discard {
	u32 start, count;	/* blocks */
};

struct ext2_fs {
	struct mutex lock;
	struct blkdev *bd;
	struct super *sb;
	struct ext2_super s;	/* the superblock, kept and written back */
	u8 *sbbuf;		/* 1024 bytes: the on-disk superblock area */
	struct ext2_gd *gd;	/* every group's descriptor */
	u32 ngroups, gd_blocks;
	u32 bsize, log_bsize;	/* bytes of a block, its log2 */
	u32 apb;		/* block numbers per indirect block */
	u32 isize;		/* bytes of an on-disk inode */
	bool ro;
	bool sb_dirty, gd_dirty;
	bool errors;		/* a corruption was found: logged once */
	/* The block cache (cache.c). */
	struct list *hash;	/* CACHE_BUCKETS lists of ext2_cblock */
	struct list lru;	/* least recently used first */
	u32 ncached, ndirty;
	u32 op;			/* the op's number (ext2_trim advances it) */
	u32 nested;		/* ops run inside another (ext2_lock) */
	struct blk_req *pf_reqs;	/* ext2_prefetch's batch */
	struct ext2_cblock **pf_cb;	/* (EXT2_PREFETCH_MAX of each) */
	/* The background writer (writeback.c): when to sync, 0: not due. */
	u64 wb_due;
	/* Freed blocks not yet discarded (writeback.c). */
	struct ext2_discard discard[EXT2_DISCARD_MAX];
	u32 ndiscard;
	/* Live inodes by number (inode.c). */
	struct list ihash[64];
};

struct ext2_inode {		/* ino->priv */
	struct list hash;	/* fs->ihash */
	struct inode *self;
	u32 block[15];
	u32 flags, dtime, file_acl, generation;
	bool freed;		/* its on-disk inode is free again */
	/* Read-ahead (file.c): the file block a sequential reader reads
	 * next, and the window in blocks (0: the access looks random). */
	u64 ra_next;
	u32 ra_win;
	struct rb_tree pages;	/* MAP_SHARED pages (mmap.c) by index */
};

static inline struct ext2_fs *EFS(struct super *sb) { return sb->priv; }

/*
 * For the ops a page fault can start in the middle of another op of the
 * same thread (read into, or write from, a mapping of an ext2 file whose
 * page is not there yet: the fault reads the file): takes m unless this
 * thread holds it already, and says whether it took it. fs->nested
 * counts the ops so run inside another; ext2_trim does nothing while one
 * runs, so the outer op's pointers into the cache stay valid.
 */
static inline bool ext2_lock(struct ext2_fs *fs, struct mutex *m)
{
	if (__atomic_load_n(&m->owner, __ATOMIC_RELAXED) == thread_current()) {
		if (m == &fs->lock)
			fs->nested++;
		return false;
	}
	mutex_lock(m);
	return true;
}

static inline void ext2_unlock(struct ext2_fs *fs, struct mutex *m, bool took)
{
	if (took)
		mutex_unlock(m);
	else if (m == &fs->lock)
		fs->nested--;
}
static inline struct ext2_inode *EI(struct inode *ino) { return ino->priv; }

/* cache.c */
int ext2_cache_init(struct ext2_fs *fs);
void ext2_cache_free(struct ext2_fs *fs);
/* The block's bytes in *p (read from the disk if not cached): 0, -EIO,
 * -EUCLEAN (block out of range). */
int ext2_bread(struct ext2_fs *fs, u32 blk, u8 **p);
/* The block's bytes without reading them from the disk: the cached copy,
 * or (*fresh) a new cache entry whose bytes are undefined, which the
 * caller fills whole, or drops with ext2_bforget. 0, -ENOMEM, -EUCLEAN. */
int ext2_bget(struct ext2_fs *fs, u32 blk, u8 **p, bool *fresh);
/* The block's bytes, zeroed and dirty, without reading it. */
int ext2_bzero(struct ext2_fs *fs, u32 blk, u8 **p);
/* The block changed: metadata (written by every sync), or data of file
 * ino (written by that file's fsync and by syncs of the filesystem). */
void ext2_bdirty(struct ext2_fs *fs, u32 blk);
void ext2_bdirty_data(struct ext2_fs *fs, u32 blk, u32 ino);
#define EXT2_PREFETCH_MAX 256	/* blocks read in one batch ahead of need */
/* Whether blk is in the cache (its place in the LRU unchanged). */
bool ext2_cached(struct ext2_fs *fs, u32 blk);
/* Reads the blocks of blks (0s skipped, cached ones too) in one batch of
 * requests in flight together; a failure leaves the block uncached (its
 * ext2_bread reports it). */
void ext2_prefetch(struct ext2_fs *fs, const u32 *blks, u32 n);
/* Drops the cached copy of a freed block (its data no longer matters). */
void ext2_bforget(struct ext2_fs *fs, u32 blk);
/* Writes every dirty block (ino != 0: metadata and ino's data only), then
 * the pending discards, then flushes the device. */
int ext2_cache_flush(struct ext2_fs *fs, u32 ino);
/* Keeps the cache within its size (start of an op). */
void ext2_trim(struct ext2_fs *fs);
/* The shrinker's part (fs->lock not held: tried): frees clean blocks of
 * no op, about want pages; how many pages it freed. Never sleeps. */
size_t ext2_cache_shrink(struct ext2_fs *fs, size_t want);
/* Memory is short (fs->lock held, no op in progress): writes the dirty
 * blocks and drops every clean one. Sleeps. */
void ext2_cache_relieve(struct ext2_fs *fs);

/* writeback.c */
/* A mounted filesystem: the background writer and the shrinker see it.
 * 0 or -ENOSPC (too many). May sleep. */
int ext2_wb_register(struct ext2_fs *fs);
/* The cache became dirty (fs->lock held): a sync is due in a while. */
void ext2_wb_dirtied(struct ext2_fs *fs);
/* Freed block blk may be discarded (fs->lock). */
void ext2_discard_note(struct ext2_fs *fs, u32 blk);
/* blk is allocated again: a pending discard of it goes out first. */
void ext2_discard_claim(struct ext2_fs *fs, u32 blk);
/* Sends the pending discards (fs->lock); errors are ignored. Sleeps. */
void ext2_discard_flush(struct ext2_fs *fs);

/* mmap.c: the pages of MAP_SHARED mappings (file_ops.get_page). */
int ext2_get_page(struct file *f, u64 index, void **page);
/* The mapped page holding byte pos of the file, or NULL (fs->lock). */
u8 *ext2_mpage_at(struct inode *ino, u64 pos);
/* Copies the mapped pages into the file's blocks (fs->lock). */
int ext2_mpages_writeback(struct ext2_fs *fs, struct inode *ino);
/* Zeroes [from, to) of the mapped pages (truncate, punch; fs->lock). */
void ext2_mpages_zero(struct inode *ino, u64 from, u64 to);
/* Frees the mapped pages (eviction: nothing maps them any longer). */
void ext2_mpages_free(struct inode *ino);

/* super.c */
int ext2_corrupt(struct ext2_fs *fs, const char *what, u64 n);
int ext2_sync_fs(struct ext2_fs *fs);
/* fsync of one file: its mapped pages, inode, data and every metadata
 * block, then the device's flush (fs->lock). */
int ext2_sync_file(struct ext2_fs *fs, struct inode *ino);
/* fsync of a file or a directory (file.c): ext2_sync_file. */
int ext2_fsync(struct file *f);
extern const struct super_ops ext2_sops;

/* alloc.c */
int ext2_balloc(struct ext2_fs *fs, u32 goal, u32 *out);
int ext2_bfree(struct ext2_fs *fs, u32 blk);
int ext2_ialloc(struct ext2_fs *fs, u32 dir_ino, bool dir, u32 *out);
int ext2_ifree(struct ext2_fs *fs, u32 ino, bool dir);
bool ext2_block_ok(struct ext2_fs *fs, u32 blk);

/* inode.c */
int ext2_iget(struct ext2_fs *fs, u32 n, struct inode **out);
int ext2_iwrite(struct ext2_fs *fs, struct inode *ino);
int ext2_inew(struct ext2_fs *fs, struct inode *dir, u32 mode,
	      struct inode **out);
void ext2_set_ops(struct inode *ino);
void ext2_evict(struct inode *ino);
int ext2_ifree_inode(struct ext2_fs *fs, struct inode *ino);
int ext2_write_all(struct ext2_fs *fs, bool at_exit);

/* bmap.c */
/* The disk block holding file block n (0: a hole), allocating it (and the
 * indirect blocks) when alloc. */
int ext2_bmap(struct ext2_fs *fs, struct inode *ino, u64 n, bool alloc,
	      u32 *out);
/* Frees every block from file block `from` on. */
int ext2_trunc_blocks(struct ext2_fs *fs, struct inode *ino, u64 from);
u64 ext2_max_blocks(struct ext2_fs *fs);

/* dir.c */
int ext2_dir_find(struct ext2_fs *fs, struct inode *dir, const char *name,
		  u32 *ino);
int ext2_dir_add(struct ext2_fs *fs, struct inode *dir, const char *name,
		 u32 ino, u32 mode);
int ext2_dir_remove(struct ext2_fs *fs, struct inode *dir, const char *name);
int ext2_dir_set(struct ext2_fs *fs, struct inode *dir, const char *name,
		 u32 ino, u32 mode);
int ext2_dir_empty(struct ext2_fs *fs, struct inode *dir);
int ext2_dir_init(struct ext2_fs *fs, struct inode *dir, u32 parent);
extern const struct file_ops ext2_dir_fops;

/* namei.c */
extern const struct inode_ops ext2_dir_iops, ext2_file_iops, ext2_link_iops;

/* Frees file blocks [from, to) (punching a hole); indirect blocks left
 * empty stay, as e2fsck accepts. The map stays valid on an error. */
int ext2_punch_blocks(struct ext2_fs *fs, struct inode *ino, u64 from,
		      u64 to);

/* file.c */
extern const struct file_ops ext2_file_ops;
int ext2_setsize(struct inode *ino, u64 size);
/* falloc.c: fallocate modes 0, KEEP_SIZE and PUNCH_HOLE|KEEP_SIZE. */
int ext2_fallocate(struct file *f, int mode, u64 off, u64 len);


#endif

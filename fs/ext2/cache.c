/*
 * fs/ext2/cache.c: the block cache of one ext2 filesystem: write-back,
 * flushed by ext2_cache_flush (fsync, sync, exit, the background writer
 * of writeback.c) and when it grows past its size. Layer: fs. fs->lock
 * held for every call but ext2_cache_shrink, which tries it.
 *
 * A block is read once and kept; a change marks it dirty, and the first
 * dirty block after a clean cache starts the background writer's clock
 * (ext2_wb_dirtied). ext2_trim, at the start of an op (never in the
 * middle, where callers hold pointers), writes dirty blocks and drops the
 * least recently used clean ones when the cache is over its size.
 *
 * Invariant (pointers): a block found or made during the current op
 * (c->op == fs->op, which ext2_trim advances) is never dropped but by
 * ext2_bforget, so the pointers an op holds stay valid. A block of an
 * earlier op may be dropped when memory runs out: by insert, when an
 * allocation fails in the middle of an op, and by ext2_cache_shrink (the
 * page allocator's shrinker), which runs only when no op holds fs->lock.
 *
 * Freed blocks are discarded on devices that can (VIRTIO_BLK_F_DISCARD):
 * ext2_bfree notes them (ext2_discard_note), and the ranges go to the
 * device at the next flush or when the list fills; a block allocated
 * again before that is taken out of the list first (ext2_discard_claim),
 * so a discard never lands on live data.
 *
 * A block of PAGE_SIZE bytes is one page (kmalloc would take two); a
 * smaller one comes from the heap.
 */
#include <skiff/alloc.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include "ext2.h"

#define CACHE_BUCKETS 1024
#define CACHE_MAX 8192		/* blocks kept (32 MiB with 4 KiB blocks) */
#define FLUSH_BATCH 32

struct ext2_cblock {
	struct list hash;	/* fs->hash[blk % CACHE_BUCKETS] */
	struct list lru;	/* fs->lru */
	u32 blk;
	bool dirty;
	u32 owner;		/* dirty file data: its inode; 0: metadata */
	u32 op;			/* fs->op when last used */
	u8 *data;		/* physically contiguous */
};

int ext2_cache_init(struct ext2_fs *fs)
{
	fs->hash = kmalloc(CACHE_BUCKETS * sizeof(struct list));
	if (!fs->hash)
		return -ENOMEM;
	for (unsigned i = 0; i < CACHE_BUCKETS; i++)
		list_init(&fs->hash[i]);
	list_init(&fs->lru);
	fs->pf_reqs = kmalloc(EXT2_PREFETCH_MAX * sizeof(*fs->pf_reqs));
	fs->pf_cb = kmalloc(EXT2_PREFETCH_MAX * sizeof(*fs->pf_cb));
	if (!fs->pf_reqs || !fs->pf_cb) {
		ext2_cache_free(fs);
		return -ENOMEM;
	}
	return 0;
}

static void *data_alloc(struct ext2_fs *fs)
{
	return fs->bsize == PAGE_SIZE ? page_alloc_dirty(1) : kmalloc(fs->bsize);
}

static void data_free(struct ext2_fs *fs, void *p)
{
	if (fs->bsize == PAGE_SIZE)
		page_free(p, 1);
	else
		kfree(p);
}

static void drop(struct ext2_fs *fs, struct ext2_cblock *c)
{
	list_remove(&c->hash);
	list_remove(&c->lru);
	if (c->dirty)
		fs->ndirty--;
	fs->ncached--;
	data_free(fs, c->data);
	kfree(c);
}

void ext2_cache_free(struct ext2_fs *fs)
{
	list_for_each_safe(it, tmp, &fs->lru)
		drop(fs, list_entry(it, struct ext2_cblock, lru));
	kfree(fs->hash);
	kfree(fs->pf_reqs);
	kfree(fs->pf_cb);
	fs->hash = NULL;
	fs->pf_reqs = NULL;
	fs->pf_cb = NULL;
}

static struct ext2_cblock *find(struct ext2_fs *fs, u32 blk)
{
	list_for_each(it, &fs->hash[blk % CACHE_BUCKETS]) {
		struct ext2_cblock *c = list_entry(it, struct ext2_cblock, hash);

		if (c->blk == blk) {
			list_remove(&c->lru);
			list_push_back(&fs->lru, &c->lru);
			c->op = fs->op;
			return c;
		}
	}
	return NULL;
}

/* Drops up to max clean blocks no current op uses; how many. */
static u32 drop_clean(struct ext2_fs *fs, u32 max)
{
	u32 n = 0;

	list_for_each_safe(it, tmp, &fs->lru) {
		struct ext2_cblock *c = list_entry(it, struct ext2_cblock, lru);

		if (n >= max)
			break;
		if (!c->dirty && c->op != fs->op) {
			drop(fs, c);
			n++;
		}
	}
	return n;
}

static struct ext2_cblock *insert(struct ext2_fs *fs, u32 blk)
{
	struct ext2_cblock *c = kzalloc(sizeof(*c));

	if (c && !(c->data = data_alloc(fs)) && drop_clean(fs, 16))
		c->data = data_alloc(fs); /* memory ran out: older blocks go */
	if (!c || !c->data) {
		kfree(c);
		return NULL;
	}
	c->blk = blk;
	c->op = fs->op;
	list_push_back(&fs->hash[blk % CACHE_BUCKETS], &c->hash);
	list_push_back(&fs->lru, &c->lru);
	fs->ncached++;
	return c;
}

static u64 sector_of(struct ext2_fs *fs, u32 blk)
{
	return (u64)blk << (fs->log_bsize - 9);
}

int ext2_bread(struct ext2_fs *fs, u32 blk, u8 **p)
{
	struct ext2_cblock *c;
	int r;

	if (blk >= fs->s.blocks_count)
		return ext2_corrupt(fs, "block number out of range", blk);
	if ((c = find(fs, blk))) {
		*p = c->data;
		return 0;
	}
	if (!(c = insert(fs, blk)))
		return -ENOMEM;
	r = blk_rw(fs->bd, false, sector_of(fs, blk), c->data, fs->bsize);
	if (r) {
		drop(fs, c);
		klog("ext2: %s: reading block %u: error %d", fs->bd->name, blk,
		     r);
		return -EIO;
	}
	*p = c->data;
	return 0;
}

int ext2_bget(struct ext2_fs *fs, u32 blk, u8 **p, bool *fresh)
{
	struct ext2_cblock *c;

	if (blk >= fs->s.blocks_count)
		return ext2_corrupt(fs, "block number out of range", blk);
	*fresh = false;
	if (!(c = find(fs, blk))) {
		if (!(c = insert(fs, blk)))
			return -ENOMEM;
		*fresh = true;
	}
	*p = c->data;
	return 0;
}

void ext2_bdirty_data(struct ext2_fs *fs, u32 blk, u32 ino)
{
	struct ext2_cblock *c = find(fs, blk);

	if (c && !c->dirty) {
		c->dirty = true;
		c->owner = ino;
		if (fs->ndirty++ == 0)
			ext2_wb_dirtied(fs);
	}
}

void ext2_bdirty(struct ext2_fs *fs, u32 blk)
{
	struct ext2_cblock *c = find(fs, blk);

	if (c)
		c->owner = 0; /* metadata (or zeros of a new block): any sync */
	ext2_bdirty_data(fs, blk, 0);
}

int ext2_bzero(struct ext2_fs *fs, u32 blk, u8 **p)
{
	struct ext2_cblock *c;

	if (blk >= fs->s.blocks_count)
		return ext2_corrupt(fs, "block number out of range", blk);
	if (!(c = find(fs, blk)) && !(c = insert(fs, blk)))
		return -ENOMEM;
	memset(c->data, 0, fs->bsize);
	ext2_bdirty(fs, blk);
	*p = c->data;
	return 0;
}

void ext2_bforget(struct ext2_fs *fs, u32 blk)
{
	struct ext2_cblock *c = find(fs, blk);

	if (c)
		drop(fs, c);
}

/* Writes up to FLUSH_BATCH dirty blocks in one batch (with ino, only
 * metadata and the data of inode ino); how many, or -EIO. */
static int write_batch(struct ext2_fs *fs, u32 ino)
{
	struct blk_req reqs[FLUSH_BATCH];
	struct ext2_cblock *cb[FLUSH_BATCH];
	unsigned n = 0;
	int r;

	list_for_each(it, &fs->lru) {
		struct ext2_cblock *c = list_entry(it, struct ext2_cblock, lru);

		if (!c->dirty || (ino && c->owner && c->owner != ino))
			continue;
		cb[n] = c;
		reqs[n] = (struct blk_req){ .op = BLK_WRITE,
					    .sector = sector_of(fs, c->blk),
					    .buf = c->data, .len = fs->bsize };
		if (++n == FLUSH_BATCH)
			break;
	}
	if (!n) {
		if (!ino)
			fs->ndirty = 0; /* cannot happen: the count is exact */
		return 0;
	}
	r = blk_run(fs->bd, reqs, n);
	for (unsigned i = 0; i < n; i++) {
		if (reqs[i].status)
			continue;
		cb[i]->dirty = false;
		fs->ndirty--;
	}
	if (r)
		klog("ext2: %s: writing blocks: error %d", fs->bd->name, r);
	return r ? -EIO : (int)n;
}

/*
 * Every dirty block (with ino, only the metadata and the data of inode
 * ino: fsync of one file), then the discards, then the device's flush: 0 once
 * the device says all of it is on stable storage, else -EIO (the blocks
 * that failed stay dirty: the next flush tries them again and fails too).
 */
int ext2_cache_flush(struct ext2_fs *fs, u32 ino)
{
	int r;

	while (fs->ndirty && (r = write_batch(fs, ino)) != 0)
		if (r < 0)
			return r;
	ext2_discard_flush(fs);
	return blk_flush(fs->bd) ? -EIO : 0;
}

/* The cache's size in blocks: CACHE_MAX, or less with little memory (an
 * eighth of the free pages). */
static u32 cache_max(struct ext2_fs *fs)
{
	u64 room = (u64)page_free_count() * PAGE_SIZE / fs->bsize / 8;

	return MAX(MIN(room, (u64)CACHE_MAX), 64u);
}

void ext2_trim(struct ext2_fs *fs)
{
	u32 max = cache_max(fs);

	if (fs->nested)
		return; /* inside another op, which holds pointers */
	fs->op++; /* no pointer into the cache is held across this call */
	if (fs->ncached <= max)
		return;
	while (fs->ndirty > max / 2)
		if (write_batch(fs, 0) < 0)
			break;
	if (fs->ncached > max / 2)
		drop_clean(fs, fs->ncached - max / 2);
}

size_t ext2_cache_shrink(struct ext2_fs *fs, size_t want)
{
	u32 per_page = fs->bsize == PAGE_SIZE ? 1 : PAGE_SIZE / fs->bsize;
	size_t got;

	if (!mutex_trylock(&fs->lock))
		return 0;
	fs->op++; /* no op is in progress: every clean block may go */
	got = drop_clean(fs, (u32)MIN(want * per_page, (size_t)1 << 20));
	mutex_unlock(&fs->lock);
	return got / per_page;
}

void ext2_cache_relieve(struct ext2_fs *fs)
{
	fs->op++; /* fs->lock held by the writer: no op is in progress */
	while (fs->ndirty)
		if (write_batch(fs, 0) < 0)
			break;
	drop_clean(fs, fs->ncached);
}

bool ext2_cached(struct ext2_fs *fs, u32 blk)
{
	list_for_each(it, &fs->hash[blk % CACHE_BUCKETS])
		if (list_entry(it, struct ext2_cblock, hash)->blk == blk)
			return true;
	return false;
}

void ext2_prefetch(struct ext2_fs *fs, const u32 *blks, u32 n)
{
	struct blk_req *reqs = fs->pf_reqs;
	struct ext2_cblock **cb = fs->pf_cb;
	u32 k = 0;

	for (u32 i = 0; i < n && i < EXT2_PREFETCH_MAX; i++) {
		struct ext2_cblock *c;

		if (!blks[i] || blks[i] >= fs->s.blocks_count ||
		    ext2_cached(fs, blks[i]) || !(c = insert(fs, blks[i])))
			continue;
		cb[k] = c;
		reqs[k++] = (struct blk_req){ .op = BLK_READ,
					      .sector = sector_of(fs, c->blk),
					      .buf = c->data, .len = fs->bsize };
	}
	if (!k)
		return;
	blk_run(fs->bd, reqs, k);
	for (u32 i = 0; i < k; i++)
		if (reqs[i].status)
			drop(fs, cb[i]); /* ext2_bread tries again, says EIO */
}

/*
 * fs/ext2/cache.c: the block cache of one ext2 filesystem: write-back,
 * flushed by ext2_cache_flush (fsync, sync, exit) and when it grows past
 * CACHE_MAX blocks. Layer: fs. fs->lock held for every call.
 *
 * A block is read once and kept; a change marks it dirty. ext2_trim, at
 * the start of an op (never in the middle, where callers hold pointers),
 * writes the dirty blocks and drops the least recently used clean ones
 * when the cache is over its size. The flush sends the dirty blocks as one
 * batch of requests (all in flight together), then the device's flush.
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
	u8 *data;		/* kmalloc'd: physically contiguous */
};

int ext2_cache_init(struct ext2_fs *fs)
{
	fs->hash = kmalloc(CACHE_BUCKETS * sizeof(struct list));
	if (!fs->hash)
		return -ENOMEM;
	for (unsigned i = 0; i < CACHE_BUCKETS; i++)
		list_init(&fs->hash[i]);
	list_init(&fs->lru);
	return 0;
}

static void drop(struct ext2_fs *fs, struct ext2_cblock *c)
{
	list_remove(&c->hash);
	list_remove(&c->lru);
	if (c->dirty)
		fs->ndirty--;
	fs->ncached--;
	kfree(c->data);
	kfree(c);
}

void ext2_cache_free(struct ext2_fs *fs)
{
	list_for_each_safe(it, tmp, &fs->lru)
		drop(fs, list_entry(it, struct ext2_cblock, lru));
	kfree(fs->hash);
}

static struct ext2_cblock *find(struct ext2_fs *fs, u32 blk)
{
	list_for_each(it, &fs->hash[blk % CACHE_BUCKETS]) {
		struct ext2_cblock *c = list_entry(it, struct ext2_cblock, hash);

		if (c->blk == blk) {
			list_remove(&c->lru);
			list_push_back(&fs->lru, &c->lru);
			return c;
		}
	}
	return NULL;
}

static struct ext2_cblock *insert(struct ext2_fs *fs, u32 blk)
{
	struct ext2_cblock *c = kzalloc(sizeof(*c));

	if (!c)
		return NULL;
	c->data = kmalloc(fs->bsize);
	if (!c->data) {
		kfree(c);
		return NULL;
	}
	c->blk = blk;
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

void ext2_bdirty(struct ext2_fs *fs, u32 blk)
{
	struct ext2_cblock *c = find(fs, blk);

	if (c && !c->dirty) {
		c->dirty = true;
		fs->ndirty++;
	}
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

/* Writes up to FLUSH_BATCH dirty blocks in one batch; how many, or -EIO. */
static int write_batch(struct ext2_fs *fs)
{
	struct blk_req reqs[FLUSH_BATCH];
	struct ext2_cblock *cb[FLUSH_BATCH];
	unsigned n = 0;
	int r;

	list_for_each(it, &fs->lru) {
		struct ext2_cblock *c = list_entry(it, struct ext2_cblock, lru);

		if (!c->dirty)
			continue;
		cb[n] = c;
		reqs[n] = (struct blk_req){ .op = BLK_WRITE,
					    .sector = sector_of(fs, c->blk),
					    .buf = c->data, .len = fs->bsize };
		if (++n == FLUSH_BATCH)
			break;
	}
	if (!n) {
		fs->ndirty = 0; /* cannot happen: the count is kept exact */
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

int ext2_cache_flush(struct ext2_fs *fs)
{
	int r;

	while (fs->ndirty)
		if ((r = write_batch(fs)) < 0)
			return r;
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

	if (fs->ncached <= max)
		return;
	while (fs->ndirty > max / 2)
		if (write_batch(fs) < 0)
			break;
	list_for_each_safe(it, tmp, &fs->lru) {
		struct ext2_cblock *c = list_entry(it, struct ext2_cblock, lru);

		if (fs->ncached <= max / 2)
			break;
		if (!c->dirty)
			drop(fs, c);
	}
}

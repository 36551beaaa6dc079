/*
 * fs/ext2/writeback.c: what happens to an ext2 filesystem's dirty state
 * without a program asking: the background writer, the page allocator's
 * shrinker over the block caches, and the discards of freed blocks.
 * Layer: fs. Interface: ext2_wb_register (at mount), ext2_wb_dirtied
 * (cache.c), ext2_discard_* (alloc.c, cache.c).
 *
 * The writer is one kernel thread ("ext2-writeback") for every mounted
 * filesystem. When a filesystem's cache goes from clean to dirty it gets
 * a due time EXT2_WB_DELAY_NS later and the thread is woken; at the due
 * time the thread syncs that filesystem (ext2_sync_fs: live inodes,
 * mapped pages, metadata, every dirty block, then the device's flush)
 * under fs->lock, as fsync would. Nothing dirty, nothing due: the thread
 * sleeps without a deadline and arms no timer. Changes that dirty no
 * cached block (a store into a MAP_SHARED page, a chmod) wait for the
 * next sync of any kind.
 *
 * Memory pressure: the shrinker (shrink) drops clean blocks at once when
 * the allocator may call it; where it may not (a fault's page taken from
 * the reserve with interrupts off), the allocator's kick wakes the writer,
 * which writes every cache's dirty blocks and drops all their blocks
 * (ext2_cache_relieve), so the program's memory wins over the cache.
 */
#include <skiff/alloc.h>
#include <skiff/kernel.h>
#include <skiff/time.h>
#include "ext2.h"

#define MAX_FS 8

static struct spinlock wb_lock = SPINLOCK_INIT; /* guards the fields below */
static struct waitq wb_wq;
static struct ext2_fs *all_fs[MAX_FS];
static unsigned nfs;
static bool started;
static bool pressure;	/* memory ran short: empty the caches */

u64 ext2_cache_bytes(void)
{
	unsigned n = __atomic_load_n(&nfs, __ATOMIC_ACQUIRE);
	u64 bytes = 0;

	/* Unlocked reads: a gauge needs no exact snapshot. */
	for (unsigned i = 0; i < n; i++)
		bytes += (u64)__atomic_load_n(&all_fs[i]->ncached,
					      __ATOMIC_RELAXED) * all_fs[i]->bsize;
	return bytes;
}

/* The filesystem due first (its due time in *due), or NULL. wb_lock. */
static struct ext2_fs *first_due(u64 *due)
{
	struct ext2_fs *best = NULL;

	for (unsigned i = 0; i < nfs; i++) {
		struct ext2_fs *fs = all_fs[i];

		if (fs->wb_due && (!best || fs->wb_due < *due)) {
			best = fs;
			*due = fs->wb_due;
		}
	}
	return best;
}

/* Under memory pressure: every cache written and emptied. */
static void relieve(void)
{
	unsigned n = __atomic_load_n(&nfs, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++) {
		mutex_lock(&all_fs[i]->lock);
		ext2_cache_relieve(all_fs[i]);
		mutex_unlock(&all_fs[i]->lock);
	}
}

static void writer(void *arg)
{
	(void)arg;
	for (;;) {
		struct ext2_fs *fs;
		u64 due = 0;

		spin_lock(&wb_lock);
		if (pressure) {
			pressure = false;
			spin_unlock(&wb_lock);
			relieve();
			continue;
		}
		fs = first_due(&due);
		if (!fs || due > time_monotonic_ns()) {
			waitq_sleep(&wb_wq, &wb_lock, fs ? due : 0);
			spin_unlock(&wb_lock);
			continue;
		}
		fs->wb_due = 0;
		spin_unlock(&wb_lock);
		mutex_lock(&fs->lock);
		if (!fs->ro && ext2_sync_fs(fs))
			klog("ext2: %s: background writeback failed (the next "
			     "fsync reports it)", fs->bd->name);
		mutex_unlock(&fs->lock);
	}
}

void ext2_wb_dirtied(struct ext2_fs *fs)
{
	spin_lock(&wb_lock);
	if (!fs->wb_due && started) {
		fs->wb_due = time_monotonic_ns() + EXT2_WB_DELAY_NS;
		waitq_wake_one(&wb_wq);
	}
	spin_unlock(&wb_lock);
}

/* The shrinker: clean blocks of every filesystem not in an op. */
static size_t shrink(size_t want)
{
	size_t got = 0;
	unsigned n = __atomic_load_n(&nfs, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n && got < want; i++)
		got += ext2_cache_shrink(all_fs[i], want - got);
	return got;
}

/* The page allocator's kick (any context): the writer empties the caches. */
static void kick(void)
{
	spin_lock(&wb_lock);
	if (!pressure && started) {
		pressure = true;
		waitq_wake_one(&wb_wq);
	}
	spin_unlock(&wb_lock);
}

int ext2_wb_register(struct ext2_fs *fs)
{
	bool first;

	spin_lock(&wb_lock);
	if (nfs == MAX_FS) {
		spin_unlock(&wb_lock);
		return -ENOSPC;
	}
	first = nfs == 0;
	all_fs[nfs] = fs;
	__atomic_store_n(&nfs, nfs + 1, __ATOMIC_RELEASE);
	spin_unlock(&wb_lock);
	if (!first)
		return 0;
	waitq_init(&wb_wq);
	page_shrinker_register(shrink, kick);
	if (!thread_create("ext2-writeback", writer, NULL, false)) {
		klog("ext2: no background writer (no memory): data is written "
		     "at fsync, sync and exit only");
		return 0;
	}
	spin_lock(&wb_lock);
	started = true;
	spin_unlock(&wb_lock);
	return 0;
}

/* ---- discards of freed blocks ---- */

void ext2_discard_flush(struct ext2_fs *fs)
{
	struct blk_req reqs[EXT2_DISCARD_MAX];
	u32 shift = fs->log_bsize - 9;
	unsigned n = fs->ndiscard;

	if (!n)
		return;
	for (unsigned i = 0; i < n; i++)
		reqs[i] = (struct blk_req){
			.op = BLK_DISCARD,
			.sector = (u64)fs->discard[i].start << shift,
			.len = fs->discard[i].count << fs->log_bsize };
	fs->ndiscard = 0;
	/* Advisory: a device that fails one loses nothing but space. */
	blk_run(fs->bd, reqs, n);
}

void ext2_discard_note(struct ext2_fs *fs, u32 blk)
{
	u32 max = (0xffffffffu / 512) >> (fs->log_bsize - 9);

	if (!fs->bd->can_discard || fs->ro)
		return;
	for (unsigned i = 0; i < fs->ndiscard; i++) {
		struct ext2_discard *d = &fs->discard[i];

		if (d->count >= max)
			continue;
		if (blk == d->start + d->count) {
			d->count++;
			return;
		}
		if (blk + 1 == d->start) {
			d->start--;
			d->count++;
			return;
		}
	}
	if (fs->ndiscard == EXT2_DISCARD_MAX)
		ext2_discard_flush(fs);
	fs->discard[fs->ndiscard++] = (struct ext2_discard){ blk, 1 };
}

void ext2_discard_claim(struct ext2_fs *fs, u32 blk)
{
	for (unsigned i = 0; i < fs->ndiscard; i++) {
		struct ext2_discard *d = &fs->discard[i];

		if (blk >= d->start && blk - d->start < d->count) {
			ext2_discard_flush(fs); /* before blk is used again */
			return;
		}
	}
}

/*
 * Block devices: what a disk driver registers (drivers/virtio/blk.c, one
 * struct blkdev per disk, named vda, vdb, ... in probe order) and how the
 * filesystems read and write them. Layer: drivers (the struct and the
 * registry, drivers/blkdev.c); the synchronous calls blk_* are
 * implemented by fs/blkio.c (they sleep on a wait queue, which drivers
 * cannot see), declared here as kthread.h declares sched's threads.
 *
 * A request (struct blk_req) is started by bd->submit and finished by
 * bd->reap, which the caller runs after bd->irq told it the device has
 * completions. The driver does no locking: the caller serializes submit
 * and reap on one device (fs/blkio.c holds a spinlock, interrupts off).
 * Sectors are 512 bytes, whatever the device's own block size.
 */
#ifndef SKIFF_BLKDEV_H
#define SKIFF_BLKDEV_H

#include <skiff/types.h>

enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH, BLK_DISCARD };

struct blk_req {
	enum blk_op op;
	u64 sector;		/* first 512-byte sector (READ/WRITE/DISCARD) */
	void *buf;		/* physically contiguous kernel memory */
	u32 len;		/* bytes, a multiple of 512 (DISCARD: of the range) */
	int status;		/* 0 or -EIO/-EROFS/-EOPNOTSUPP, once done */
	bool done;		/* set by reap */
	void *drv;		/* the driver's, while in flight */
	struct blk_req *next;	/* the driver's queue of waiting requests */
};

struct blkdev {
	char name[8];		/* "vda" */
	u64 sectors;		/* capacity in 512-byte sectors */
	bool ro;		/* the device refuses writes */
	bool can_flush;		/* BLK_FLUSH reaches stable storage */
	bool can_discard;
	/*
	 * Starts r (-EINVAL for a range past the end or a bad length,
	 * -EROFS for a write to a read-only device; nothing started). A
	 * request that does not fit in the device's queue waits in the
	 * driver and starts when reap frees room. Never sleeps.
	 */
	int (*submit)(struct blkdev *bd, struct blk_req *r);
	/* Tells the device about the requests submitted since. */
	void (*kick)(struct blkdev *bd);
	/* Marks the finished requests done; returns how many. Never sleeps. */
	unsigned (*reap)(struct blkdev *bd);
	/* Set by the user (fs/blkio.c): runs in the device's interrupt when
	 * requests may have finished. Must not sleep. */
	void (*irq)(struct blkdev *bd);
	/* Requests done without error, and their bytes, since boot (the
	 * driver counts them in reap; /metrics, /proc/diskstats). */
	u64 rd_ios, rd_bytes, wr_ios, wr_bytes, flush_ios;
	void *user;		/* the user's (fs/blkio.c) */
	void *priv;		/* the driver's */
};

/* For drivers: adds bd (named by the driver) to the registry: 0, -ENOSPC
 * (too many disks). Boot only. */
int blkdev_register(struct blkdev *bd);
/* The device named name ("vda" or "/dev/vda"), or NULL. */
struct blkdev *blkdev_find(const char *name);
/* The device registered i-th (0 first), or NULL. */
struct blkdev *blkdev_nth(unsigned i);

/*
 * fs/blkio.c. Each sleeps (uninterruptibly) until the device has
 * finished, with no lock held by the caller. Return 0 or -EIO (the
 * device failed it), -EINVAL (range), -EROFS, -EOPNOTSUPP (no flush or
 * discard: blk_flush then returns 0, there is no cache to flush).
 */
/* n requests at once, all in flight together; the first error. */
int blk_run(struct blkdev *bd, struct blk_req *reqs, unsigned n);
int blk_rw(struct blkdev *bd, bool write, u64 sector, void *buf, u32 len);
int blk_flush(struct blkdev *bd);
int blk_discard(struct blkdev *bd, u64 sector, u64 count);

#endif

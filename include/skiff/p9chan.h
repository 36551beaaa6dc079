/*
 * 9P channels: what a 9P transport driver registers (drivers/virtio/9p.c,
 * one struct p9_chan per virtio-9p device, known by its mount tag) and the
 * 9P2000.L client filesystem uses (fs/9p/). Layer: drivers (the struct and
 * the registry, drivers/p9chan.c), as skiff/blkdev.h is for disks.
 *
 * A request (struct p9_req) is one T-message and room for its R-message.
 * c->submit starts it, the channel's interrupt calls c->irq, and c->reap,
 * run by the user, marks the finished ones done. The driver does no
 * locking: the user serializes submit, kick and reap on one channel
 * (fs/9p/client.c holds a spinlock, interrupts off).
 */
#ifndef SKIFF_P9CHAN_H
#define SKIFF_P9CHAN_H

#include <skiff/types.h>

struct p9_req {
	void *tx;		/* the T-message (physically contiguous) */
	u32 txlen;		/* its length */
	void *rx;		/* room for the R-message (contiguous) */
	u32 rxcap;		/* its size */
	u32 rxlen;		/* bytes the device wrote, once done */
	int status;		/* 0 or -EIO, once done */
	bool done;		/* set by reap */
	struct p9_req *next;	/* the driver's queue of waiting requests */
};

struct p9_chan {
	char tag[64];		/* the mount tag (NUL-terminated) */
	/*
	 * Starts r; one that does not fit in the ring waits in the driver
	 * and starts when reap frees room. 0, or -EIO when the channel is
	 * broken (nothing started). Never sleeps.
	 */
	int (*submit)(struct p9_chan *c, struct p9_req *r);
	/* Tells the device about the requests submitted since. */
	void (*kick)(struct p9_chan *c);
	/* Marks the finished requests done; returns how many. Never sleeps. */
	unsigned (*reap)(struct p9_chan *c);
	/* Set by the user: runs in the device's interrupt. Must not sleep. */
	void (*irq)(struct p9_chan *c);
	void *user;		/* the user's (fs/9p/client.c) */
	void *priv;		/* the driver's */
};

/* For drivers: adds c to the registry: 0, -ENOSPC. Boot only. */
int p9_chan_register(struct p9_chan *c);
/* The channel whose tag is tag, or NULL. */
struct p9_chan *p9_chan_find(const char *tag);

#endif

/*
 * fs/pipe.h: what fs/pipe.c (pipes and FIFOs) and fs/pipe_splice.c
 * (splice and tee on them) share; private to the two. Layer: fs. The
 * pipe (its ring of page-sized slots), the ring's small helpers, and the
 * waits and notifications both use. Locks as fs/pipe.c's module comment
 * says: p->mutex for readers, writers and copies, p->lock for the indices
 * and counts.
 */
#ifndef FS_PIPE_H
#define FS_PIPE_H

#include <skiff/mm.h>
#include <skiff/vfs.h>

struct slot {
	u16 off, len;	/* the data in this slot's page */
	bool nomerge;	/* spliced in: writes do not append to it (Linux) */
};

struct pipe {
	struct mutex mutex;
	struct spinlock lock;
	char *buf;		/* nslots pages, one per slot */
	u32 head, tail;		/* slots [tail, head) hold data (mod nslots) */
	u32 nslots;		/* a power of two */
	struct slot *slots;
	u32 bytes;		/* bytes buffered */
	u32 readers, writers;	/* open files of each end */
	u32 r_counter, w_counter; /* opens of each end so far (FIFO waits) */
	struct waitq rwait;	/* readers waiting for data, FIFO opens */
	struct waitq wwait;	/* writers waiting for room, FIFO opens */
};

static inline struct pipe *pipe_of(struct file *f)
{
	return f->inode->pipe;
}

static inline bool pipe_empty(struct pipe *p)
{
	return p->head == p->tail;
}

static inline bool pipe_full(struct pipe *p)
{
	return p->head - p->tail >= p->nslots;
}

static inline struct slot *slot(struct pipe *p, u32 i)
{
	return &p->slots[i & (p->nslots - 1)];
}

static inline char *slot_end(struct pipe *p, u32 i)
{
	return p->buf + (i & (p->nslots - 1)) * PAGE_SIZE + slot(p, i)->off +
	       slot(p, i)->len;
}

/*
 * Sleeps on wq until ready(p) or a signal, with the mutex dropped:
 * 0 or -EINTR. Called with the mutex held; returns with it held.
 */
int pipe_sleep(struct pipe *p, struct waitq *wq, bool (*ready)(struct pipe *));
/* Data to read, or no writer left (end of file): pipe_sleep's condition. */
bool pipe_readable(struct pipe *p);
/* Tells readers about data: their sleep, and their poll and epoll. */
void pipe_data_arrived(struct file *f, struct pipe *p);
/* Waits for a free slot: 0, or -EPIPE/-EAGAIN/-EINTR. Mutex held. */
int pipe_wait_room(struct file *f, struct pipe *p, bool nonblock);
/*
 * Linux's pipe_set_size: the ring becomes size (rounded up to a power of
 * two pages, at least one) unless the data does not fit (-EBUSY); the
 * data moves to the new ring's start. Mutex held.
 */
long pipe_resize(struct pipe *p, u64 size);

#endif

/*
 * drivers/virtio/virtqueue.c: the split virtqueue of virtio 1.2 section
 * 2.7, for every virtio device and both transports. Layer: drivers.
 * Interface: skiff/virtio.h, part 1 (vq_create, vq_add, vq_kick,
 * vq_get_used, vq_disable_cb, vq_enable_cb, ...). Built for the guest and
 * for the host unit test tests/unit/test_virtqueue.c, which plays the
 * device.
 *
 * Memory: one zeroed page run holds the descriptor table (16-byte
 * aligned), the driver area (avail ring, then used_event) and the device
 * area (used ring, 4-byte aligned, then avail_event) (section 2.7, "Virtqueue
 * Alignment"). The device reads the descriptors and the avail ring and
 * writes the used ring; the driver never reads back a descriptor's
 * contents the device could change except next, which only the driver
 * writes.
 *
 * Invariants:
 *  1. Every descriptor is either on the free list (num_free of them,
 *     chained through next from free_head) or in exactly one chain whose
 *     head's slot has a non-NULL token.
 *  2. avail_idx - last_used (mod 2^16) is the number of buffers in flight,
 *     at most size.
 *  3. cb_enabled says what the driver last asked: when false, avail->flags
 *     has NO_INTERRUPT and, with EVENT_IDX, used_event lies behind the
 *     device's used index.
 *
 * Barriers (x86 orders loads with loads and stores with stores; a release
 * or acquire fence is then a compiler barrier, a full one an MFENCE):
 *  - vq_add: the descriptors and the ring entry are written before the
 *    new avail->idx (release): the device reads idx, then the entry.
 *  - vq_kick: the avail->idx store before the avail_event / flags load
 *    (full): else the device may go idle having seen the old idx while we
 *    read its old avail_event and skip the notification.
 *  - vq_get_used: the used->idx load before the used entry's loads
 *    (acquire).
 *  - vq_enable_cb: the used_event / flags store before the used->idx load
 *    (full): else a buffer used in between raises no interrupt and is
 *    not seen either.
 */
#include <skiff/alloc.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/paging.h>
#include <skiff/virtio.h>

#define wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

/* Shared-memory accesses the compiler must do exactly once. */
#define READ_SHARED(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_SHARED(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

/* used_event follows the avail ring, avail_event the used ring (2.7.10). */
static u16 *used_event(struct virtq *vq)
{
	return &vq->avail->ring[vq->size];
}

static u16 *avail_event(struct virtq *vq)
{
	return (u16 *)&vq->used->ring[vq->size];
}

/* Whether moving an index from old to new passed event (2.7.10). */
static bool need_event(u16 event, u16 new, u16 old)
{
	return (u16)(new - event - 1) < (u16)(new - old);
}

struct virtq *vq_create(u16 index, u16 size, u64 features)
{
	if (!size || (size & (size - 1)) || size > 32768)
		return NULL;
	size_t avail_off = (size_t)size * sizeof(struct vring_desc);
	size_t used_off = ALIGN_UP(avail_off + 6 + 2ul * size, 4);
	size_t bytes = used_off + 6 + sizeof(struct vring_used_elem) * size;
	struct virtq *vq = kzalloc(sizeof(*vq));

	if (!vq)
		return NULL;
	vq->slots = kzalloc(sizeof(*vq->slots) * size);
	vq->ring_pages = ALIGN_UP(bytes, PAGE_SIZE) / PAGE_SIZE;
	u8 *ring = vq->slots ? page_alloc(vq->ring_pages) : NULL;
	if (!ring) {
		kfree(vq->slots);
		kfree(vq);
		return NULL;
	}
	vq->index = index;
	vq->size = size;
	vq->event_idx = features & VIRTIO_F_EVENT_IDX;
	vq->indirect = features & VIRTIO_F_INDIRECT_DESC;
	vq->cb_enabled = true;
	vq->desc = (struct vring_desc *)ring;
	vq->avail = (struct vring_avail *)(ring + avail_off);
	vq->used = (struct vring_used *)(ring + used_off);
	for (u16 i = 0; i + 1 < size; i++)
		vq->desc[i].next = i + 1;
	vq->num_free = size;
	return vq;
}

void vq_destroy(struct virtq *vq)
{
	if (!vq)
		return;
	for (u16 i = 0; i < vq->size; i++)
		kfree(vq->slots[i].indirect);
	page_free(vq->desc, vq->ring_pages);
	kfree(vq->slots);
	kfree(vq);
}

/* The i-th piece of out then in, and whether the device writes it. */
static const struct vq_buf *piece(const struct vq_buf *out, unsigned nout,
				  const struct vq_buf *in, unsigned i,
				  bool *write)
{
	*write = i >= nout;
	return *write ? &in[i - nout] : &out[i];
}

static bool pieces_valid(const struct vq_buf *out, unsigned nout,
			 const struct vq_buf *in, unsigned nin, unsigned max)
{
	bool w;

	if (nout + nin == 0 || nout + nin > max)
		return false;
	for (unsigned i = 0; i < nout + nin; i++)
		if (!piece(out, nout, in, i, &w)->len)
			return false;
	return true;
}

/* Fills d[0..n) with the pieces, chained by table position (indirect). */
static struct vring_desc *indirect_table(const struct vq_buf *out,
					 unsigned nout, const struct vq_buf *in,
					 unsigned n)
{
	struct vring_desc *t = kmalloc(n * sizeof(*t));
	bool w;

	if (!t)
		return NULL;
	for (unsigned i = 0; i < n; i++) {
		const struct vq_buf *b = piece(out, nout, in, i, &w);
		t[i] = (struct vring_desc){
			.addr = virt_to_phys(b->addr),
			.len = b->len,
			.flags = (w ? VRING_DESC_F_WRITE : 0) |
				 (i + 1 < n ? VRING_DESC_F_NEXT : 0),
			.next = i + 1 < n ? i + 1 : 0,
		};
	}
	return t;
}

/* Takes n descriptors off the free list, filled with the pieces; the
 * chain's head. */
static u16 chain(struct virtq *vq, const struct vq_buf *out, unsigned nout,
		 const struct vq_buf *in, unsigned n)
{
	u16 head = vq->free_head, i = head;
	bool w;

	for (unsigned k = 0; k < n; k++) {
		const struct vq_buf *b = piece(out, nout, in, k, &w);
		struct vring_desc *d = &vq->desc[i];
		d->addr = virt_to_phys(b->addr);
		d->len = b->len;
		d->flags = (w ? VRING_DESC_F_WRITE : 0) |
			   (k + 1 < n ? VRING_DESC_F_NEXT : 0);
		if (k + 1 < n)
			i = d->next; /* the free list's order is the chain's */
	}
	vq->free_head = vq->desc[i].next;
	vq->num_free -= n;
	return head;
}

int vq_add(struct virtq *vq, const struct vq_buf *out, unsigned nout,
	   const struct vq_buf *in, unsigned nin, void *token)
{
	unsigned n = nout + nin;
	struct vring_desc *table = NULL;
	u16 head;

	if (vq->broken)
		return -EIO;
	if (!token || !pieces_valid(out, nout, in, nin, vq->size))
		return -EINVAL;
	if (vq->indirect && n > 1 && vq->num_free)
		table = indirect_table(out, nout, in, n);
	if (vq->num_free < (table ? 1 : n)) {
		kfree(table);
		return -ENOSPC;
	}
	if (table) {
		struct vq_buf t = { table, n * sizeof(*table) };
		head = chain(vq, &t, 1, NULL, 1);
		vq->desc[head].flags = VRING_DESC_F_INDIRECT;
	} else {
		head = chain(vq, out, nout, in, n);
	}
	vq->slots[head] = (struct vq_slot){ token, table, table ? 1 : n };
	vq->avail->ring[vq->avail_idx & (vq->size - 1)] = head;
	wmb(); /* the descriptors and the entry before the index (top) */
	WRITE_SHARED(vq->avail->idx, ++vq->avail_idx);
	return 0;
}

bool vq_kick(struct virtq *vq)
{
	u16 old = vq->kicked_idx, new = vq->avail_idx;
	bool need;

	mb(); /* our avail->idx store before reading the device's wish (top) */
	vq->kicked_idx = new;
	if (old == new)
		return false;
	if (vq->event_idx)
		need = need_event(READ_SHARED(*avail_event(vq)), new, old);
	else
		need = !(READ_SHARED(vq->used->flags) & VRING_USED_F_NO_NOTIFY);
	if (need && vq->notify)
		vq->notify(vq);
	return need;
}

bool vq_has_used(struct virtq *vq)
{
	return !vq->broken && READ_SHARED(vq->used->idx) != vq->last_used;
}

/* Puts the chain at head back on the free list. */
static void free_chain(struct virtq *vq, u16 head)
{
	struct vq_slot *s = &vq->slots[head];
	u16 last = head;

	for (u16 k = 1; k < s->ndesc; k++)
		last = vq->desc[last].next;
	vq->desc[last].next = vq->free_head;
	vq->free_head = head;
	vq->num_free += s->ndesc;
	kfree(s->indirect);
	*s = (struct vq_slot){ 0 };
}

void *vq_get_used(struct virtq *vq, u32 *len)
{
	if (!vq_has_used(vq))
		return NULL;
	rmb(); /* used->idx before the entry it covers (top) */
	struct vring_used_elem e = vq->used->ring[vq->last_used & (vq->size - 1)];
	if (e.id >= vq->size || !vq->slots[e.id].token) {
		/* A device bug, not guest input: stop using the queue. */
		klog("virtqueue %u: the device used descriptor %u, which is not "
		     "in flight: queue stopped", vq->index, e.id);
		vq->broken = true;
		return NULL;
	}
	void *token = vq->slots[e.id].token;
	*len = e.len;
	free_chain(vq, e.id);
	vq->last_used++;
	/* Interrupts wanted: move the event to the next entry (2.7.10). */
	if (vq->event_idx && vq->cb_enabled)
		WRITE_SHARED(*used_event(vq), vq->last_used);
	return token;
}

void vq_disable_cb(struct virtq *vq)
{
	vq->cb_enabled = false;
	WRITE_SHARED(vq->avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
	/* Behind the device's index: crossed again only 65535 buffers on. */
	if (vq->event_idx)
		WRITE_SHARED(*used_event(vq), (u16)(vq->last_used - 1));
}

bool vq_enable_cb(struct virtq *vq)
{
	vq->cb_enabled = true;
	if (vq->event_idx)
		WRITE_SHARED(*used_event(vq), vq->last_used);
	WRITE_SHARED(vq->avail->flags, 0);
	mb(); /* the request before the check of used->idx (top) */
	return !vq_has_used(vq);
}

void *vq_detach(struct virtq *vq)
{
	for (u16 i = 0; i < vq->size; i++) {
		void *token = vq->slots[i].token;
		if (token) {
			free_chain(vq, i);
			return token;
		}
	}
	return NULL;
}

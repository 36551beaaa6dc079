/* SOURCES: drivers/virtio/virtqueue.c */
/*
 * drivers/virtio/virtqueue.c against a device played here, in host memory,
 * as virtio 1.2 section 2.7 describes the device's side: it reads the
 * avail ring and the descriptors (following chains and indirect tables),
 * writes into device-writable pieces, fills the used ring, and decides
 * whether to interrupt from used_event / NO_INTERRUPT. Covered: add and
 * get, the 16-bit indexes wrapping, the event-index notification and
 * interrupt decisions both ways, indirect tables, a full queue, a device
 * returning a bad id, taking buffers back.
 */
#include <stdlib.h>
#include <string.h>
#include <skiff/alloc.h>
#include <skiff/errno.h>
#include <skiff/paging.h>
#include <skiff/virtio.h>
#include "shim.h"

void *page_alloc(size_t n)
{
	void *p = aligned_alloc(PAGE_SIZE, n * PAGE_SIZE);

	if (p)
		memset(p, 0, n * PAGE_SIZE);
	return p;
}

void page_free(void *p, size_t n)
{
	(void)n;
	free(p);
}

/* ---- The device ---- */

struct device {
	struct virtq *vq;
	u16 last_avail;		/* next avail entry it reads */
	int notified;		/* vq->notify calls */
};

static struct device dev;

static void count_notify(struct virtq *vq)
{
	(void)vq;
	dev.notified++;
}

static struct virtq *make(u16 size, u64 features)
{
	struct virtq *vq = vq_create(0, size, features);

	assert_non_null(vq);
	vq->notify = count_notify;
	dev = (struct device){ .vq = vq };
	return vq;
}

static u16 *used_event_of(struct virtq *vq)
{
	return &vq->avail->ring[vq->size];
}

static u16 *avail_event_of(struct virtq *vq)
{
	return (u16 *)&vq->used->ring[vq->size];
}

static bool need_event(u16 event, u16 new, u16 old)
{
	return (u16)(new - event - 1) < (u16)(new - old);
}

/* What the device found in one buffer. */
struct seen {
	u16 head;
	unsigned nout, nin;
	char out[256];		/* the readable pieces, concatenated */
	u32 out_len;
	void *in[8];		/* the writable pieces */
	u32 in_len[8];
	bool indirect;
};

/* Follows a chain in table t (the queue's or an indirect one). */
static void walk(struct vring_desc *t, u16 n, u16 i, struct seen *s)
{
	for (unsigned hops = 0;; hops++) {
		assert_true(hops < n); /* no loops */
		struct vring_desc *d = &t[i];
		void *p = phys_to_virt(d->addr);
		if (d->flags & VRING_DESC_F_WRITE) {
			s->in[s->nin] = p;
			s->in_len[s->nin++] = d->len;
		} else {
			assert_int_equal(s->nin, 0); /* readable pieces first */
			memcpy(s->out + s->out_len, p, d->len);
			s->out_len += d->len;
			s->nout++;
		}
		if (!(d->flags & VRING_DESC_F_NEXT))
			return;
		i = d->next;
		assert_true(i < n);
	}
}

/* Takes the next available buffer; false when there is none. */
static bool dev_pop(struct seen *s)
{
	struct virtq *vq = dev.vq;

	memset(s, 0, sizeof(*s));
	if (vq->avail->idx == dev.last_avail)
		return false;
	s->head = vq->avail->ring[dev.last_avail++ & (vq->size - 1)];
	assert_true(s->head < vq->size);
	struct vring_desc *d = &vq->desc[s->head];
	if (d->flags & VRING_DESC_F_INDIRECT) {
		assert_false(d->flags & VRING_DESC_F_NEXT);
		assert_int_equal(d->len % sizeof(struct vring_desc), 0);
		s->indirect = true;
		walk(phys_to_virt(d->addr), d->len / sizeof(*d), 0, s);
	} else {
		walk(vq->desc, vq->size, s->head, s);
	}
	return true;
}

/* Returns a buffer as used; whether the device would interrupt. */
static bool dev_push(u16 head, u32 len)
{
	struct virtq *vq = dev.vq;
	u16 old = vq->used->idx;

	vq->used->ring[old & (vq->size - 1)] = (struct vring_used_elem){ head, len };
	vq->used->idx = old + 1;
	if (vq->event_idx)
		return need_event(*used_event_of(vq), old + 1, old);
	return !(vq->avail->flags & VRING_AVAIL_F_NO_INTERRUPT);
}

/* The device wants a notification at the next buffer (event index). */
static void dev_want_kick(void)
{
	*avail_event_of(dev.vq) = dev.vq->avail->idx;
}

/* ---- Tests ---- */

static void add_and_get(void **state)
{
	struct virtq *vq = make(16, 0);
	char req[] = "hello", hdr[] = "hd", reply[32] = { 0 };
	struct vq_buf out[2] = { { hdr, 2 }, { req, 5 } };
	struct vq_buf in[1] = { { reply, sizeof(reply) } };
	struct seen s;
	u32 len = 99;

	assert_int_equal(vq_add(vq, out, 2, in, 1, req), 0);
	assert_int_equal(vq_num_free(vq), 13);
	assert_null(vq_get_used(vq, &len)); /* not used yet */
	assert_true(dev_pop(&s));
	assert_false(s.indirect);
	assert_int_equal(s.nout, 2);
	assert_int_equal(s.nin, 1);
	assert_memory_equal(s.out, "hdhello", 7);
	assert_ptr_equal(s.in[0], reply);
	assert_int_equal(s.in_len[0], sizeof(reply));
	memcpy(s.in[0], "world", 5);
	dev_push(s.head, 5);
	assert_true(vq_has_used(vq));
	assert_ptr_equal(vq_get_used(vq, &len), req);
	assert_int_equal(len, 5);
	assert_memory_equal(reply, "world", 5);
	assert_int_equal(vq_num_free(vq), 16);
	assert_null(vq_get_used(vq, &len));
	vq_destroy(vq);
}

/* Buffers used out of order come back by token, descriptors recycled. */
static void out_of_order(void **state)
{
	struct virtq *vq = make(8, 0);
	char b[4][8];
	struct seen s[4];
	u32 len;

	for (int i = 0; i < 4; i++) {
		struct vq_buf in[2] = { { b[i], 4 }, { b[i] + 4, 4 } };
		assert_int_equal(vq_add(vq, NULL, 0, in, 2, b[i]), 0);
	}
	assert_int_equal(vq_num_free(vq), 0);
	for (int i = 0; i < 4; i++)
		assert_true(dev_pop(&s[i]));
	dev_push(s[2].head, 1);
	dev_push(s[0].head, 2);
	assert_ptr_equal(vq_get_used(vq, &len), b[2]);
	assert_ptr_equal(vq_get_used(vq, &len), b[0]);
	assert_int_equal(vq_num_free(vq), 4);
	/* The freed descriptors make one new two-piece buffer each. */
	struct vq_buf in[2] = { { b[0], 4 }, { b[0] + 4, 4 } };
	assert_int_equal(vq_add(vq, NULL, 0, in, 2, b[0]), 0);
	assert_int_equal(vq_add(vq, NULL, 0, in, 2, b[2]), 0);
	assert_int_equal(vq_add(vq, NULL, 0, in, 1, b[3]), -ENOSPC);
	vq_destroy(vq);
}

/* The 16-bit indexes wrap past 65535 on both rings. */
static void index_wrap(void **state)
{
	struct virtq *vq = make(4, VIRTIO_F_EVENT_IDX);
	u16 start = 65530;
	int tokens[3], irqs = 0;
	u32 len;

	/* Both sides as after 65530 buffers (section 2.7: free-running). */
	vq->avail_idx = vq->kicked_idx = vq->last_used = start;
	vq->avail->idx = vq->used->idx = dev.last_avail = start;
	*used_event_of(vq) = start;
	for (int round = 0; round < 10; round++) {
		for (int i = 0; i < 3; i++) {
			struct vq_buf in = { &tokens[i], sizeof(int) };
			assert_int_equal(vq_add(vq, NULL, 0, &in, 1, &tokens[i]), 0);
		}
		dev_want_kick();
		*avail_event_of(vq) = vq->avail->idx - 3;
		assert_true(vq_kick(vq));
		struct seen s;
		for (int i = 0; i < 3; i++) {
			assert_true(dev_pop(&s));
			irqs += dev_push(s.head, i);
		}
		for (int i = 0; i < 3; i++) {
			assert_ptr_equal(vq_get_used(vq, &len), &tokens[i]);
			assert_int_equal(len, i);
		}
		assert_null(vq_get_used(vq, &len));
	}
	assert_int_equal(vq->avail->idx, (u16)(start + 30));
	assert_true(vq->avail->idx < start); /* it wrapped */
	assert_int_equal(vq->last_used, vq->used->idx);
	assert_int_equal(dev.notified, 10);
	assert_int_equal(irqs, 10); /* one per round: the first used buffer */
	vq_destroy(vq);
}

/* With EVENT_IDX the driver notifies only when avail_event is passed. */
static void kick_event_idx(void **state)
{
	struct virtq *vq = make(8, VIRTIO_F_EVENT_IDX);
	int t[6];
	struct vq_buf b = { t, 4 };

	assert_false(vq_kick(vq)); /* nothing added */
	dev_want_kick(); /* avail_event = 0 */
	assert_int_equal(vq_add(vq, &b, 1, NULL, 0, &t[0]), 0);
	assert_true(vq_kick(vq));
	assert_int_equal(dev.notified, 1);
	/* The device is busy (avail_event still 0): no notification. */
	assert_int_equal(vq_add(vq, &b, 1, NULL, 0, &t[1]), 0);
	assert_false(vq_kick(vq));
	/* Two adds, one kick, the event at the first of them: notified. */
	dev_want_kick(); /* 2 */
	assert_int_equal(vq_add(vq, &b, 1, NULL, 0, &t[2]), 0);
	assert_int_equal(vq_add(vq, &b, 1, NULL, 0, &t[3]), 0);
	assert_true(vq_kick(vq));
	/* ... at the second: passed too. */
	*avail_event_of(vq) = vq->avail->idx + 1;
	assert_int_equal(vq_add(vq, &b, 1, NULL, 0, &t[4]), 0);
	assert_int_equal(vq_add(vq, &b, 1, NULL, 0, &t[5]), 0);
	assert_true(vq_kick(vq));
	assert_int_equal(dev.notified, 3);
	/* The flag is ignored with EVENT_IDX. */
	vq->used->flags = VRING_USED_F_NO_NOTIFY;
	assert_false(vq_kick(vq));
	vq_destroy(vq);
}

/* Without EVENT_IDX the device's NO_NOTIFY flag decides. */
static void kick_flags(void **state)
{
	struct virtq *vq = make(8, 0);
	int t[2];
	struct vq_buf b = { t, 4 };

	vq->used->flags = VRING_USED_F_NO_NOTIFY;
	assert_int_equal(vq_add(vq, &b, 1, NULL, 0, &t[0]), 0);
	assert_false(vq_kick(vq));
	vq->used->flags = 0;
	assert_int_equal(vq_add(vq, &b, 1, NULL, 0, &t[1]), 0);
	assert_true(vq_kick(vq));
	assert_int_equal(dev.notified, 1);
	vq_destroy(vq);
}

/* The device's interrupt decisions follow used_event, and the NAPI-style
 * enable reports buffers that arrived meanwhile. */
static void interrupts_event_idx(void **state)
{
	struct virtq *vq = make(8, VIRTIO_F_EVENT_IDX);
	int t[8];
	struct vq_buf b = { t, 4 };
	struct seen s;
	u32 len;

	for (int i = 0; i < 6; i++)
		assert_int_equal(vq_add(vq, NULL, 0, &b, 1, &t[i]), 0);
	/* Enabled at creation: the first used buffer interrupts... */
	assert_true(dev_pop(&s) && dev_push(s.head, 4));
	/* ... the next not, until the driver consumed the first. */
	assert_true(dev_pop(&s));
	assert_false(dev_push(s.head, 4));
	assert_ptr_equal(vq_get_used(vq, &len), &t[0]);
	assert_ptr_equal(vq_get_used(vq, &len), &t[1]);
	assert_true(dev_pop(&s) && dev_push(s.head, 4));
	assert_ptr_equal(vq_get_used(vq, &len), &t[2]);
	/* Disabled: no interrupt, however many buffers. */
	vq_disable_cb(vq);
	assert_true(dev_pop(&s));
	assert_false(dev_push(s.head, 4));
	assert_true(dev_pop(&s));
	assert_false(dev_push(s.head, 4));
	/* Enabling with buffers pending says so: poll again. */
	assert_false(vq_enable_cb(vq));
	assert_ptr_equal(vq_get_used(vq, &len), &t[3]);
	assert_ptr_equal(vq_get_used(vq, &len), &t[4]);
	assert_true(vq_enable_cb(vq));
	/* Enabled and drained: the next one interrupts. */
	assert_true(dev_pop(&s) && dev_push(s.head, 4));
	assert_ptr_equal(vq_get_used(vq, &len), &t[5]);
	vq_destroy(vq);
}

static void interrupts_flags(void **state)
{
	struct virtq *vq = make(8, 0);
	int t[3];
	struct vq_buf b = { t, 4 };
	struct seen s;
	u32 len;

	for (int i = 0; i < 3; i++)
		assert_int_equal(vq_add(vq, NULL, 0, &b, 1, &t[i]), 0);
	vq_disable_cb(vq);
	assert_true(dev_pop(&s));
	assert_false(dev_push(s.head, 4));
	assert_false(vq_enable_cb(vq));
	assert_ptr_equal(vq_get_used(vq, &len), &t[0]);
	assert_true(vq_enable_cb(vq));
	assert_true(dev_pop(&s) && dev_push(s.head, 4));
	assert_true(dev_pop(&s) && dev_push(s.head, 4));
	vq_destroy(vq);
}

/* A multi-piece buffer takes one descriptor through an indirect table. */
static void indirect(void **state)
{
	struct virtq *vq = make(4, VIRTIO_F_INDIRECT_DESC);
	char hdr[16] = "header", data[100] = "payload", status = 0;
	struct vq_buf out[2] = { { hdr, 6 }, { data, 7 } };
	struct vq_buf in[1] = { { &status, 1 } };
	struct seen s;
	u32 len;

	for (int i = 0; i < 4; i++)
		assert_int_equal(vq_add(vq, out, 2, in, 1, &hdr[i]), 0);
	assert_int_equal(vq_num_free(vq), 0);
	assert_int_equal(vq_add(vq, out, 2, in, 1, data), -ENOSPC);
	for (int i = 0; i < 4; i++) {
		assert_true(dev_pop(&s));
		assert_true(s.indirect);
		assert_int_equal(s.nout, 2);
		assert_int_equal(s.nin, 1);
		assert_memory_equal(s.out, "headerpayload", 13);
		*(char *)s.in[0] = 'A' + i;
		dev_push(s.head, 1);
	}
	for (int i = 0; i < 4; i++)
		assert_ptr_equal(vq_get_used(vq, &len), &hdr[i]);
	assert_int_equal(status, 'D');
	assert_int_equal(vq_num_free(vq), 4);
	/* One piece: a plain descriptor, no table. */
	assert_int_equal(vq_add(vq, out, 1, NULL, 0, data), 0);
	assert_true(dev_pop(&s));
	assert_false(s.indirect);
	/* The table's allocation failing falls back to a chain. */
	shim_kmalloc_fail_nth = 1;
	assert_int_equal(vq_add(vq, out, 2, in, 1, hdr), 0);
	assert_int_equal(vq_num_free(vq), 0);
	assert_true(dev_pop(&s));
	assert_false(s.indirect);
	assert_int_equal(s.nout + s.nin, 3);
	vq_destroy(vq); /* frees tables still in flight (ASan checks) */
}

static void full_and_invalid(void **state)
{
	struct virtq *vq = make(4, 0);
	char x[8];
	struct vq_buf b = { x, 8 }, empty = { x, 0 }, many[5];
	u32 len;

	for (int i = 0; i < 5; i++)
		many[i] = b;
	assert_int_equal(vq_add(vq, &b, 1, NULL, 0, NULL), -EINVAL);
	assert_int_equal(vq_add(vq, NULL, 0, NULL, 0, x), -EINVAL);
	assert_int_equal(vq_add(vq, &empty, 1, NULL, 0, x), -EINVAL);
	assert_int_equal(vq_add(vq, many, 5, NULL, 0, x), -EINVAL);
	assert_int_equal(vq_num_free(vq), 4);
	assert_int_equal(vq_add(vq, many, 3, NULL, 0, &x[0]), 0);
	assert_int_equal(vq_add(vq, many, 2, NULL, 0, &x[1]), -ENOSPC);
	assert_int_equal(vq_add(vq, many, 1, NULL, 0, &x[2]), 0);
	assert_int_equal(vq_add(vq, many, 1, NULL, 0, &x[3]), -ENOSPC);
	/* Taken back after a reset. */
	assert_ptr_equal(vq_detach(vq), &x[0]);
	assert_ptr_equal(vq_detach(vq), &x[2]);
	assert_null(vq_detach(vq));
	assert_int_equal(vq_num_free(vq), 4);
	assert_null(vq_get_used(vq, &len));
	vq_destroy(vq);
}

/* A device naming a descriptor not in flight stops the queue. */
static void bad_device(void **state)
{
	struct virtq *vq = make(4, 0);
	char x[4];
	struct vq_buf b = { x, 4 };
	u32 len;

	assert_int_equal(vq_add(vq, &b, 1, NULL, 0, x), 0);
	dev_push(3, 0); /* never added */
	assert_null(vq_get_used(vq, &len));
	assert_true(vq->broken);
	assert_int_equal(vq_add(vq, &b, 1, NULL, 0, x), -EIO);
	dev_push(17, 0); /* out of range */
	assert_null(vq_get_used(vq, &len));
	vq_destroy(vq);
}

static void bad_sizes(void **state)
{
	assert_null(vq_create(0, 0, 0));
	assert_null(vq_create(0, 6, 0));
	assert_null(vq_create(0, 65535, 0));
	struct virtq *vq = vq_create(0, 32768, 0);
	assert_non_null(vq);
	vq_destroy(vq);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_and_get),
		cmocka_unit_test(out_of_order),
		cmocka_unit_test(index_wrap),
		cmocka_unit_test(kick_event_idx),
		cmocka_unit_test(kick_flags),
		cmocka_unit_test(interrupts_event_idx),
		cmocka_unit_test(interrupts_flags),
		cmocka_unit_test(indirect),
		cmocka_unit_test(full_and_invalid),
		cmocka_unit_test(bad_device),
		cmocka_unit_test(bad_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

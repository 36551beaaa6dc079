/*
 * mm/heap.c: the kernel heap. Small objects (up to 2 KiB) come from
 * power-of-two size classes carved out of whole pages; larger ones are page
 * runs. Every block has a 16-byte header naming its class or page count, so
 * kfree needs no size. One spinlock; never sleeps.
 */
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include <skiff/sched.h>

#define MIN_SHIFT 4  /* 16 bytes */
#define MAX_SHIFT 11 /* 2 KiB */
#define NCLASSES (MAX_SHIFT - MIN_SHIFT + 1)
#define HDR 16
#define MAGIC_SMALL 0x5ea11u
#define MAGIC_LARGE 0x1a26eu

struct header {
	u32 magic;
	u32 class;   /* size class, or 0 for a page run */
	u64 npages;  /* page run length (large blocks) */
};

struct free_block {
	struct free_block *next;
};

static struct spinlock lock = SPINLOCK_INIT;
static struct free_block *free_lists[NCLASSES];
static size_t held_pages; /* pages the heap took (atomic): heap_page_count */

size_t heap_page_count(void)
{
	return __atomic_load_n(&held_pages, __ATOMIC_RELAXED);
}

static int class_of(size_t total)
{
	int c = 0;

	while (((size_t)1 << (c + MIN_SHIFT)) < total)
		c++;
	return c;
}

static bool refill(int c)
{
	size_t size = (size_t)1 << (c + MIN_SHIFT);
	u8 *page = page_alloc(1);

	if (!page)
		return false;
	__atomic_fetch_add(&held_pages, 1, __ATOMIC_RELAXED);
	for (size_t off = 0; off + size <= PAGE_SIZE; off += size) {
		struct free_block *b = (void *)(page + off);
		b->next = free_lists[c];
		free_lists[c] = b;
	}
	return true;
}

void *kmalloc(size_t size)
{
	size_t total = size + HDR;
	struct header *h;

	if (size > (1ul << 40))
		return NULL;
	if (total > (1u << MAX_SHIFT)) {
		size_t n = ALIGN_UP(total, PAGE_SIZE) / PAGE_SIZE;
		h = page_alloc(n);
		if (!h)
			return NULL;
		__atomic_fetch_add(&held_pages, n, __ATOMIC_RELAXED);
		*h = (struct header){ MAGIC_LARGE, 0, n };
		return (u8 *)h + HDR;
	}
	int c = class_of(total);
	spin_lock(&lock);
	if (!free_lists[c] && !refill(c)) {
		/* The shrinkers run without the heap's lock (they free). */
		spin_unlock(&lock);
		if (!page_shrink(1))
			return NULL;
		spin_lock(&lock);
		if (!free_lists[c] && !refill(c)) {
			spin_unlock(&lock);
			return NULL;
		}
	}
	h = (struct header *)free_lists[c];
	free_lists[c] = free_lists[c]->next;
	spin_unlock(&lock);
	*h = (struct header){ MAGIC_SMALL, c, 0 };
	return (u8 *)h + HDR;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

static size_t usable_size(const struct header *h)
{
	if (h->magic == MAGIC_LARGE)
		return h->npages * PAGE_SIZE - HDR;
	return ((size_t)1 << (h->class + MIN_SHIFT)) - HDR;
}

static struct header *header_of(void *p)
{
	struct header *h = (struct header *)((u8 *)p - HDR);

	if (h->magic != MAGIC_SMALL && h->magic != MAGIC_LARGE)
		panic("kfree/krealloc: %p is not a heap block", p);
	return h;
}

void kfree(void *p)
{
	if (!p)
		return;
	struct header *h = header_of(p);
	if (h->magic == MAGIC_LARGE) {
		h->magic = 0;
		__atomic_fetch_sub(&held_pages, h->npages, __ATOMIC_RELAXED);
		page_free(h, h->npages);
		return;
	}
	int c = h->class;
	h->magic = 0;
	spin_lock(&lock);
	struct free_block *b = (void *)h;
	b->next = free_lists[c];
	free_lists[c] = b;
	spin_unlock(&lock);
}

void *krealloc(void *p, size_t size)
{
	if (!p)
		return kmalloc(size);
	size_t old = usable_size(header_of(p));
	if (size <= old)
		return p;
	void *n = kmalloc(size);
	if (!n)
		return NULL;
	memcpy(n, p, old);
	kfree(p);
	return n;
}

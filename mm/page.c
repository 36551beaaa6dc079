/*
 * mm/page.c: the physical page allocator. A bitmap with one bit per 4 KiB
 * page of guest-physical memory (set = in use), filled from the PVH memory
 * map. page_alloc finds a run of free pages with a next-fit scan; it is
 * small, exact and fast enough for a kernel that allocates few large runs.
 * A reserve of pages is kept for faults (page_urgent_enter). One spinlock;
 * never sleeps.
 */
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include <skiff/sched.h>
#include "page.h"

static struct spinlock lock = SPINLOCK_INIT;
static u64 *bitmap;
static size_t npages;    /* pages covered by the bitmap */
static size_t nfree;     /* free pages now */
static size_t ntotal;    /* usable RAM pages */
static size_t hint;      /* where the next scan starts */
static int urgent;       /* > 0: allocations may use the reserve */

/*
 * The reserve: pages that ordinary allocations leave free, so that a
 * fault on memory the program already mapped (its page and page tables)
 * can still be served after a NEW request (clone, mmap, the kernel heap)
 * was refused for want of memory. 1/32 of RAM, 64 pages (256 KiB) to
 * 16 MiB: enough for a fault and its page tables, little in a tiny VM.
 */
static size_t reserve_pages(void)
{
	return MIN(MAX(ntotal / 32, 64), 4096);
}

static bool used(size_t i)
{
	return bitmap[i / 64] & (1ull << (i % 64));
}

static void set_range(size_t first, size_t n, bool use)
{
	for (size_t i = first; i < first + n; i++) {
		if (use)
			bitmap[i / 64] |= 1ull << (i % 64);
		else
			bitmap[i / 64] &= ~(1ull << (i % 64));
	}
}

void page_init(void *map, size_t map_pages)
{
	bitmap = map;
	npages = map_pages;
	memset(bitmap, 0xff, ALIGN_UP(npages, 64) / 8);
}

void page_add_free(paddr_t start, paddr_t end)
{
	size_t i = ALIGN_UP(start, PAGE_SIZE) >> PAGE_SHIFT;
	size_t last = MIN(end >> PAGE_SHIFT, npages);

	/* Word by word where whole words are covered: boot time counts. */
	while (i < last) {
		if (!(i % 64) && i + 64 <= last) {
			size_t n = __builtin_popcountll(bitmap[i / 64]);
			bitmap[i / 64] = 0;
			nfree += n;
			ntotal += n;
			i += 64;
			continue;
		}
		if (used(i)) {
			set_range(i, 1, false);
			nfree++;
			ntotal++;
		}
		i++;
	}
}

void page_reserve(paddr_t start, paddr_t end)
{
	size_t first = start >> PAGE_SHIFT;
	size_t last = MIN(ALIGN_UP(end, PAGE_SIZE) >> PAGE_SHIFT, npages);

	for (size_t i = first; i < last; i++) {
		if (!used(i)) {
			set_range(i, 1, true);
			nfree--;
			ntotal--;
		}
	}
}

/* The first index >= from where n free pages start, or npages. */
static size_t find_run(size_t from, size_t n)
{
	size_t run = 0;

	for (size_t i = from; i < npages; i++) {
		if (!(i % 64) && bitmap[i / 64] == ~0ull) {
			run = 0;
			i += 63;
			continue;
		}
		run = used(i) ? 0 : run + 1;
		if (run == n)
			return i + 1 - n;
	}
	return npages;
}

static void kick_shrinkers(void);

/* n free pages, leaving the reserve unless may_reserve; NULL if none. */
static void *alloc_run(size_t n, bool may_reserve)
{
	size_t first;

	if (!n)
		return NULL;
	spin_lock(&lock);
	may_reserve |= __atomic_load_n(&urgent, __ATOMIC_RELAXED) > 0;
	if (nfree < n || (!may_reserve && nfree - n < reserve_pages())) {
		spin_unlock(&lock);
		return NULL;
	}
	first = find_run(hint, n);
	if (first == npages)
		first = find_run(0, n);
	if (first == npages) {
		spin_unlock(&lock);
		return NULL;
	}
	set_range(first, n, true);
	nfree -= n;
	hint = first + n;
	bool short_now = nfree < reserve_pages();
	spin_unlock(&lock);
	if (short_now)
		kick_shrinkers();

	return phys_to_virt((paddr_t)first << PAGE_SHIFT);
}

/*
 * Caches that give pages back when memory runs short (the block cache of
 * fs/ext2/cache.c): called when an ordinary allocation found no room,
 * only with interrupts on (so no spinlock is held, the heap's included),
 * then the allocation is tried once more. A shrinker must not sleep on a
 * lock the allocating thread may hold: it takes its locks with a try.
 */
#define MAX_SHRINKERS 4
static size_t (*shrinkers[MAX_SHRINKERS])(size_t want);
static void (*kicks[MAX_SHRINKERS])(void);
static struct spinlock shrinker_lock = SPINLOCK_INIT;

int page_shrinker_register(size_t (*fn)(size_t want), void (*kick)(void))
{
	int r = -ENOSPC;

	spin_lock(&shrinker_lock);
	for (unsigned i = 0; i < MAX_SHRINKERS && r; i++) {
		if (shrinkers[i])
			continue;
		__atomic_store_n(&kicks[i], kick, __ATOMIC_RELEASE);
		__atomic_store_n(&shrinkers[i], fn, __ATOMIC_RELEASE);
		r = 0;
	}
	spin_unlock(&shrinker_lock);
	return r;
}

/*
 * Memory ran short where no shrinker may run (interrupts off: a fault
 * taking the reserve under its address space's lock): the kicks ask the
 * caches to shrink from a thread of their own, before the reserve is gone.
 */
static void kick_shrinkers(void)
{
	for (unsigned i = 0; i < MAX_SHRINKERS; i++) {
		void (*kick)(void) = __atomic_load_n(&kicks[i], __ATOMIC_ACQUIRE);

		if (kick)
			kick();
	}
}

bool page_shrink(size_t want)
{
	size_t got = 0;

	if (!irq_enabled())
		return false;
	for (unsigned i = 0; i < MAX_SHRINKERS && got < want; i++) {
		size_t (*fn)(size_t) = __atomic_load_n(&shrinkers[i],
						       __ATOMIC_ACQUIRE);

		if (fn)
			got += fn(want - got);
	}
	return got > 0;
}

/* An ordinary allocation, with the shrinkers' help when it fails. */
static void *alloc_or_shrink(size_t n)
{
	void *p = alloc_run(n, false);

	if (!p && n && page_shrink(n + reserve_pages() / 4))
		p = alloc_run(n, false);
	return p;
}

void *page_alloc(size_t n)
{
	void *p = alloc_or_shrink(n);

	if (p)
		memset(p, 0, n * PAGE_SIZE);
	return p;
}

void *page_alloc_dirty(size_t n)
{
	return alloc_or_shrink(n);
}

void *page_alloc_reserved(size_t n, bool zero)
{
	void *p = alloc_run(n, true);

	if (p && zero)
		memset(p, 0, n * PAGE_SIZE);
	return p;
}

void page_free(void *p, size_t n)
{
	size_t first = virt_to_phys(p) >> PAGE_SHIFT;

	if (n == 1 && !page_unshare(virt_to_phys(p)))
		return; /* a private mapping has it: the last one frees it */
	spin_lock(&lock);
	for (size_t i = first; i < first + n; i++)
		if (!used(i))
			panic("page_free: page %#lx is not in use",
			      (unsigned long)i << PAGE_SHIFT);
	set_range(first, n, false);
	nfree += n;
	if (first < hint)
		hint = first;
	spin_unlock(&lock);
}

void page_urgent_enter(void)
{
	__atomic_fetch_add(&urgent, 1, __ATOMIC_RELAXED);
}

void page_urgent_leave(void)
{
	__atomic_fetch_sub(&urgent, 1, __ATOMIC_RELAXED);
}

/*
 * Share counts of program pages (copy-on-write after fork, and a file's
 * pages mapped MAP_PRIVATE): refs[i] is how many address spaces map page i
 * beyond the first owner (an address space, or the file), so 0 means one
 * owner. The array (2 bytes a page) is allocated at the first share.
 * Counts change atomically (two address spaces fault on one page under
 * their own locks); the table pointer is set once.
 */
static u16 *refs;

int page_share(paddr_t pa)
{
	size_t i = pa >> PAGE_SHIFT;

	if (i >= npages)
		return -EOVERFLOW; /* not a page the counts cover */
	if (!__atomic_load_n(&refs, __ATOMIC_ACQUIRE)) {
		size_t n = ALIGN_UP(npages * sizeof(*refs), PAGE_SIZE) / PAGE_SIZE;
		u16 *r = page_alloc(n);
		if (!r)
			return -ENOMEM;
		u16 *none = NULL;
		if (!__atomic_compare_exchange_n(&refs, &none, r, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			page_free(r, n);
	}
	for (u16 v = __atomic_load_n(&refs[i], __ATOMIC_RELAXED);;) {
		if (v == 0xffff)
			return -EOVERFLOW;
		if (__atomic_compare_exchange_n(&refs[i], &v, v + 1, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return 0;
	}
}

bool page_unshare(paddr_t pa)
{
	size_t i = pa >> PAGE_SHIFT;

	if (!refs)
		return true;
	for (u16 v = __atomic_load_n(&refs[i], __ATOMIC_RELAXED);;) {
		if (v == 0)
			return true;
		if (__atomic_compare_exchange_n(&refs[i], &v, v - 1, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return false;
	}
}

bool page_is_shared(paddr_t pa)
{
	return refs && __atomic_load_n(&refs[pa >> PAGE_SHIFT], __ATOMIC_ACQUIRE);
}

size_t page_free_count(void)
{
	return nfree;
}

size_t page_total_count(void)
{
	return ntotal;
}

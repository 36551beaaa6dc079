/* SOURCES: lib/rbtree.c mm/vm.c mm/space.c mm/fault.c mm/vmquery.c tests/unit/shim_mm.c */
/*
 * mm/vm.c, mm/fault.c and mm/vmquery.c on the host, over the fake page
 * table of shim_mm.c: map, unmap, split, merge, protect, remap in all its
 * overlap cases, brk, find_free at the edges, faults, and 10,000 areas.
 * The invariants of mm/vm.c are checked after every change; each test ends
 * with the address space cleared and no page or file reference leaked.
 */
#include <stdlib.h>
#include <string.h>
#include <skiff/errno.h>
#include <skiff/mm.h>
#include "shim.h"
#include "shim_mm.h"
#include "vm_test.h"

#define T VM_MMAP_TOP

/* The areas as vm_for_each_area shows them. */
static struct vm_area_info seen[64];
static size_t nseen;

static void collect(const struct vm_area_info *a, void *arg)
{
	(void)arg;
	if (nseen < 64)
		seen[nseen] = *a;
	nseen++;
}

static size_t snap(void)
{
	nseen = 0;
	assert_int_equal(vm_for_each_area(collect, NULL), 0);
	return nseen;
}

/* The areas must be exactly these [start, end) pairs. */
static void expect(size_t n, const u64 *bounds)
{
	check();
	assert_int_equal(snap(), n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(seen[i].start, bounds[2 * i]);
		assert_int_equal(seen[i].end, bounds[2 * i + 1]);
	}
}
#define EXPECT(...) do { const u64 b_[] = { __VA_ARGS__ };			\
	expect(sizeof(b_) / sizeof(b_[0]) / 2, b_); } while (0)

static void test_map_unmap_split(void **state)
{
	(void)state;
	assert_int_equal(vm_map(B, 4 * PG, RW, true, false), B);
	EXPECT(B, B + 4 * PG);
	fill(B, 4);
	assert_int_equal(vm_unmap(B + PG, PG), 0);
	EXPECT(B, B + PG, B + 2 * PG, B + 4 * PG);
	assert_int_equal(shim_pages_in_use(), 3);
	/* Fixed over what is there replaces it; noreplace refuses. */
	assert_int_equal(vm_map(B + 2 * PG, PG, PROT_READ, true, false), B + 2 * PG);
	EXPECT(B, B + PG, B + 2 * PG, B + 3 * PG, B + 3 * PG, B + 4 * PG);
	assert_int_equal(shim_pages_in_use(), 2);
	assert_int_equal(vm_map(B, 2 * PG, RW, true, true), -EEXIST);
	EXPECT(B, B + PG, B + 2 * PG, B + 3 * PG, B + 3 * PG, B + 4 * PG);
	/* munmap's own checks. */
	assert_int_equal(vm_unmap(B + 1, PG), -EINVAL);
	assert_int_equal(vm_unmap(B, 0), -EINVAL);
	assert_int_equal(vm_unmap(VM_TASK_END, PG), -EINVAL);
	assert_int_equal(vm_unmap(VM_TASK_END - PG, 2 * PG), -EINVAL);
	assert_int_equal(vm_unmap(B, ~0ul), -EINVAL);
	assert_int_equal(vm_unmap(B, 1ul << 47), -EINVAL);
	assert_int_equal(vm_unmap(B, 1), 0); /* rounds up to the page */
	EXPECT(B + 2 * PG, B + 3 * PG, B + 3 * PG, B + 4 * PG);
	assert_int_equal(vm_unmap(0x10000, B), 0); /* holes are fine */
	EXPECT();
	assert_int_equal(shim_pages_in_use(), 0);
}

static void test_merge(void **state)
{
	(void)state;
	struct file *f = shim_file_new(16 * PG);

	assert_int_equal(vm_map(B, PG, RW, true, false), B);
	assert_int_equal(vm_map(B + PG, PG, RW, true, false), B + PG);
	EXPECT(B, B + 2 * PG);
	assert_int_equal(vm_map(B + 2 * PG, PG, PROT_READ, true, false), B + 2 * PG);
	EXPECT(B, B + 2 * PG, B + 2 * PG, B + 3 * PG);
	assert_int_equal(vm_protect(B + 2 * PG, PG, RW), 0);
	EXPECT(B, B + 3 * PG);
	/* Files: contiguous offsets merge; a gap, sharing or anon do not. */
	assert_int_equal(vm_map_file(B + 8 * PG, 2 * PG, PROT_READ, true, false,
				     f, 0, false, false), B + 8 * PG);
	assert_int_equal(vm_map_file(B + 10 * PG, 2 * PG, PROT_READ, true, false,
				     f, 2, false, false), B + 10 * PG);
	EXPECT(B, B + 3 * PG, B + 8 * PG, B + 12 * PG);
	assert_int_equal(seen[1].pgoff, 0);
	assert_int_equal(vm_map_file(B + 12 * PG, PG, PROT_READ, true, false,
				     f, 5, false, false), B + 12 * PG);
	assert_int_equal(vm_map_file(B + 13 * PG, PG, PROT_READ, true, false,
				     f, 6, true, false), B + 13 * PG);
	assert_int_equal(vm_map(B + 14 * PG, PG, PROT_READ, true, false), B + 14 * PG);
	EXPECT(B, B + 3 * PG, B + 8 * PG, B + 12 * PG, B + 12 * PG, B + 13 * PG,
	       B + 13 * PG, B + 14 * PG, B + 14 * PG, B + 15 * PG);
	/* Splitting a file area keeps offsets; protecting back merges it. */
	assert_int_equal(vm_protect(B + 9 * PG, PG, RW), 0);
	EXPECT(B, B + 3 * PG, B + 8 * PG, B + 9 * PG, B + 9 * PG, B + 10 * PG,
	       B + 10 * PG, B + 12 * PG, B + 12 * PG, B + 13 * PG,
	       B + 13 * PG, B + 14 * PG, B + 14 * PG, B + 15 * PG);
	assert_int_equal(seen[3].pgoff, 2);
	assert_int_equal(vm_protect(B + 9 * PG, PG, PROT_READ), 0);
	EXPECT(B, B + 3 * PG, B + 8 * PG, B + 12 * PG, B + 12 * PG, B + 13 * PG,
	       B + 13 * PG, B + 14 * PG, B + 14 * PG, B + 15 * PG);
	/* Unmapping the gap's neighbours and mapping offset 4..5 joins them. */
	assert_int_equal(vm_map_file(B + 12 * PG, PG, PROT_READ, true, false,
				     f, 4, false, false), B + 12 * PG);
	EXPECT(B, B + 3 * PG, B + 8 * PG, B + 13 * PG, B + 13 * PG, B + 14 * PG,
	       B + 14 * PG, B + 15 * PG);
	vm_space_clear(vm_current());
	shim_file_free(f);
}

static void test_protect(void **state)
{
	(void)state;
	assert_int_equal(vm_map(B, 8 * PG, RW, true, false), B);
	fill(B, 8);
	assert_int_equal(vm_protect(B + 3 * PG, 2 * PG, PROT_READ), 0);
	EXPECT(B, B + 3 * PG, B + 3 * PG, B + 5 * PG, B + 5 * PG, B + 8 * PG);
	assert_int_equal(flags_at(B + 3 * PG), PROT_READ);
	assert_int_equal(flags_at(B + 5 * PG), RW);
	assert_int_equal(fault(B + 3 * PG, true, false), -EFAULT);
	assert_int_equal(fault(B + 3 * PG, false, true), -EFAULT);
	/* PROT_NONE keeps the page but refuses every access. */
	assert_int_equal(vm_protect(B, PG, PROT_NONE), 0);
	assert_int_equal(flags_at(B), PROT_NONE);
	assert_int_equal(fault(B, false, false), -EFAULT);
	assert_int_equal(shim_pages_in_use(), 8);
	assert_int_equal(vm_protect(B, 8 * PG, RW), 0);
	EXPECT(B, B + 8 * PG);
	assert_true(holds(B, 8, 0));
	/* Holes, wrapping and misaligned ranges change nothing. */
	assert_int_equal(vm_protect(B + 4 * PG, 8 * PG, PROT_READ), -ENOMEM);
	assert_int_equal(vm_protect(B - PG, 2 * PG, PROT_READ), -ENOMEM);
	assert_int_equal(vm_protect(B, -PG, PROT_READ), -ENOMEM);
	assert_int_equal(vm_protect(B, ~0ul, PROT_READ), -ENOMEM);
	assert_int_equal(vm_protect(B + 1, PG, PROT_READ), -EINVAL);
	assert_int_equal(vm_protect(B, 0, PROT_READ), 0);
	assert_int_equal(vm_protect(VM_TASK_END, PG, PROT_READ), -ENOMEM);
	EXPECT(B, B + 8 * PG);
	assert_int_equal(flags_at(B + 4 * PG), RW);
	/* A shared file opened read-only cannot become writable. */
	struct file *f = shim_file_new(4 * PG);
	assert_int_equal(vm_map_file(B + 16 * PG, 2 * PG, PROT_READ, true, false,
				     f, 0, true, false), B + 16 * PG);
	assert_int_equal(vm_protect(B + 16 * PG, PG, RW), -EACCES);
	assert_int_equal(vm_protect(B + 16 * PG, PG, PROT_READ | PROT_EXEC), 0);
	check();
	vm_space_clear(vm_current());
	shim_file_free(f);
}

/* Old: 8 pages at page 24 of B, filled. */
static void remap_setup(void)
{
	vm_space_clear(vm_current());
	assert_int_equal(vm_map(B + 24 * PG, 8 * PG, RW, true, false), B + 24 * PG);
	fill(B + 24 * PG, 8);
}

static void test_remap_overlap(void **state)
{
	(void)state;
	/* Every overlap of a fixed destination with the source: EINVAL. */
	static const long bad[][3] = { /* oldlen, new page, newlen */
		{ 8, 24, 8 }, { 8, 28, 8 }, { 8, 20, 8 }, { 8, 26, 2 },
		{ 8, 20, 16 }, { 8, 24, 12 }, { 8, 28, 2 }, { 8, 22, 4 },
		{ 4, 26, 8 }, { 8, 31, 1 }, { 8, 17, 8 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		remap_setup();
		assert_int_equal(vm_remap(B + 24 * PG, bad[i][0] * PG,
					  bad[i][2] * PG, true, true,
					  B + bad[i][1] * PG), -EINVAL);
		EXPECT(B + 24 * PG, B + 32 * PG);
		assert_true(holds(B + 24 * PG, 8, 0));
	}
	/* Disjoint, adjacent or not: the pages move, the source goes. */
	static const long good[][3] = {
		{ 8, 32, 8 }, { 8, 16, 8 }, { 8, 20, 4 }, { 8, 40, 12 },
		{ 4, 40, 4 }, { 8, 48, 8 }, { 8, 32, 2 },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		u64 new = B + good[i][1] * PG, newlen = good[i][2] * PG;
		long oldlen = good[i][0];
		remap_setup();
		assert_int_equal(vm_remap(B + 24 * PG, oldlen * PG, newlen, true,
					  true, new), new);
		check();
		long kept = oldlen < good[i][2] ? oldlen : good[i][2];
		assert_true(holds(new, kept, 0));
		assert_int_equal(vm_check(B + 24 * PG, PG, 0), -EFAULT);
		if (oldlen < 8) { /* the rest of the source stays */
			assert_true(holds(B + (24 + oldlen) * PG, 8 - oldlen, oldlen));
			EXPECT(B + 28 * PG, B + 32 * PG, new, new + newlen);
		} else {
			EXPECT(new, new + newlen);
		}
	}
	/* Argument checks. */
	remap_setup();
	u64 old = B + 24 * PG;
	assert_int_equal(vm_remap(old, PG, PG, false, true, B), -EINVAL);
	assert_int_equal(vm_remap(old, PG, PG, true, true, B + 1), -EINVAL);
	assert_int_equal(vm_remap(old + 1, PG, PG, true, false, 0), -EINVAL);
	assert_int_equal(vm_remap(old, PG, 0, true, false, 0), -EINVAL);
	assert_int_equal(vm_remap(old, PG, 1ul << 47, true, false, 0), -EINVAL);
	assert_int_equal(vm_remap(old, PG, -2 * PG, true, false, 0), -EINVAL);
	assert_int_equal(vm_remap(old, PG, 2 * PG, true, true,
				  VM_TASK_END - PG), -EINVAL);
	assert_int_equal(vm_remap(old, PG, 2 * PG, true, true, -PG), -EINVAL);
	assert_int_equal(vm_remap(B, PG, 2 * PG, true, false, 0), -EFAULT);
	assert_int_equal(vm_remap(old, 0, PG, true, false, 0), -EINVAL);
	assert_int_equal(vm_remap(old, 1ul << 50, PG, false, false, 0), -EINVAL);
	EXPECT(B + 24 * PG, B + 32 * PG);
	assert_true(holds(old, 8, 0));
}

static void test_remap_resize(void **state)
{
	(void)state;
	u64 old = B + 24 * PG;

	remap_setup();
	assert_int_equal(vm_remap(old, 8 * PG, 4 * PG, false, false, 0), old);
	EXPECT(old, old + 4 * PG);
	assert_int_equal(shim_pages_in_use(), 4);
	assert_int_equal(vm_remap(old, 4 * PG, 8 * PG, false, false, 0), old);
	EXPECT(old, old + 8 * PG);
	/* Growing up to a compatible neighbour merges with it. */
	assert_int_equal(vm_map(old + 10 * PG, 2 * PG, RW, true, false), old + 10 * PG);
	assert_int_equal(vm_remap(old, 8 * PG, 10 * PG, false, false, 0), old);
	EXPECT(old, old + 12 * PG);
	/* Blocked: ENOMEM unless it may move. */
	assert_int_equal(vm_map(old + 12 * PG, PG, PROT_READ, true, false), old + 12 * PG);
	assert_int_equal(vm_remap(old, 12 * PG, 14 * PG, false, false, 0), -ENOMEM);
	long r = vm_remap(old, 12 * PG, 14 * PG, true, false, 0);
	assert_true(r > 0 && (u64)r + 14 * PG <= T);
	EXPECT(old + 12 * PG, old + 13 * PG, (u64)r, (u64)r + 14 * PG);
	assert_true(holds((u64)r, 4, 0)); /* 4-7 were dropped by the shrink */
	/* Part of an area moves; across areas is EFAULT. */
	assert_int_equal(vm_remap((u64)r + 14 * PG - PG, 2 * PG, 3 * PG, true,
				  false, 0), -EFAULT);
	vm_space_clear(vm_current());
	/* Growth past the top: never in place, and only below the mmap top. */
	u64 top = VM_TASK_END - 2 * PG;
	assert_int_equal(vm_map(top, 2 * PG, RW, true, false), top);
	assert_int_equal(vm_remap(top, 2 * PG, 4 * PG, false, false, 0), -ENOMEM);
	r = vm_remap(top, 2 * PG, 4 * PG, true, false, 0);
	assert_true(r > 0 && (u64)r + 4 * PG <= T);
	EXPECT((u64)r, (u64)r + 4 * PG);
	/* A shared file area can be mapped twice (old length 0). */
	vm_space_clear(vm_current());
	struct file *f = shim_file_new(8 * PG);
	assert_int_equal(vm_map_file(B, 4 * PG, RW, true, false, f, 2, true, true), B);
	assert_int_equal(fault(B + PG, true, false), 0);
	assert_int_equal(flags_at(B + PG), RW | PT_FILE);
	assert_int_equal(shim_page_at(B + PG)[0], 'A' + 3);
	r = vm_remap(B + PG, 0, 2 * PG, true, false, 0);
	assert_true(r > 0);
	EXPECT(B, B + 4 * PG, (u64)r, (u64)r + 2 * PG);
	assert_int_equal(seen[1].pgoff, 3);
	assert_int_equal(fault((u64)r, false, false), 0);
	assert_ptr_equal(shim_page_at((u64)r), shim_page_at(B + PG));
	/* Moving a shared area moves its file pages, never frees them. */
	assert_int_equal(vm_remap(B, 4 * PG, 4 * PG, true, true, B + 16 * PG),
			 B + 16 * PG);
	assert_int_equal(flags_at(B + 17 * PG), RW | PT_FILE);
	assert_int_equal(shim_pages_in_use(), 0);
	vm_space_clear(vm_current());
	shim_file_free(f);
}

static void test_brk(void **state)
{
	(void)state;
	u64 s = B + PG;

	assert_int_equal(vm_map(B, PG, RW, true, false), B); /* like .bss */
	vm_set_brk_start(B + 5);
	assert_int_equal(vm_brk(0), s);
	assert_int_equal(vm_brk(s + 100), s + 100);
	EXPECT(B, s + PG); /* merged with the area below */
	assert_string_equal(seen[0].name, "[heap]");
	fill(s, 1);
	/* A mapping 10 pages up: the break stops one page below it. */
	assert_int_equal(vm_map(s + 10 * PG, PG, PROT_READ, true, false), s + 10 * PG);
	assert_int_equal(vm_brk(s + 10 * PG), s + 100);
	assert_int_equal(vm_brk(s + 9 * PG + 1), s + 100);
	assert_int_equal(vm_brk(s + 9 * PG), s + 9 * PG);
	EXPECT(B, s + 9 * PG, s + 10 * PG, s + 11 * PG);
	assert_null(seen[1].name);
	assert_int_equal(vm_brk(T), s + 9 * PG);
	assert_int_equal(vm_brk(~0ul), s + 9 * PG);
	assert_int_equal(vm_brk(-PG), s + 9 * PG);
	assert_int_equal(vm_brk(1ul << 47), s + 9 * PG);
	assert_int_equal(vm_brk(B), s + 9 * PG);
	/* Shrinking frees the pages; the empty heap names nothing. */
	assert_int_equal(vm_brk(s), s);
	EXPECT(B, s, s + 10 * PG, s + 11 * PG);
	assert_null(seen[0].name);
	assert_int_equal(shim_pages_in_use(), 0);
	vm_space_clear(vm_current());
}

static void test_find_free_edges(void **state)
{
	(void)state;
	assert_int_equal(vm_map(0, 1ul << 47, RW, false, false), -ENOMEM);
	assert_int_equal(vm_map(0, VM_TASK_END + 1, RW, false, false), -ENOMEM);
	assert_int_equal(vm_map(0, ~0ul, RW, false, false), -ENOMEM);
	assert_int_equal(vm_map(0, -PG, RW, false, false), -ENOMEM);
	assert_int_equal(vm_map(0, 0, RW, false, false), -EINVAL);
	assert_int_equal(vm_map(0, T - VM_MIN_ADDR + PG, RW, false, false), -ENOMEM);
	/* Exactly the room there is, then none. */
	assert_int_equal(vm_map(0, T - VM_MIN_ADDR, RW, false, false), VM_MIN_ADDR);
	assert_int_equal(vm_map(0, PG, RW, false, false), -ENOMEM);
	vm_space_clear(vm_current());
	/* Top-down, into the highest gap that fits. */
	assert_int_equal(vm_map(T - 4 * PG, 4 * PG, RW, true, false), T - 4 * PG);
	assert_int_equal(vm_map(T - 10 * PG, 4 * PG, PROT_READ, true, false),
			 T - 10 * PG);
	assert_int_equal(vm_map(0, 3 * PG, PROT_EXEC, false, false), T - 13 * PG);
	assert_int_equal(vm_map(0, 2 * PG, PROT_EXEC, false, false), T - 6 * PG);
	assert_int_equal(vm_map(0, PG, PROT_EXEC, false, false), T - 14 * PG);
	check();
	vm_space_clear(vm_current());
	/* An area across the mmap top. */
	assert_int_equal(vm_map(T - PG, 2 * PG, RW, true, false), T - PG);
	assert_int_equal(vm_map(0, PG, PROT_READ, false, false), T - 2 * PG);
	vm_space_clear(vm_current());
	/* Hints: taken when free and below the top (rounded up), else not. */
	assert_int_equal(vm_map(B + 1, PG, RW, false, false), B + PG);
	assert_int_equal(vm_map(B + PG, PG, PROT_READ, false, false), T - PG);
	assert_int_equal(vm_map(1ul << 47, PG, RW, false, false), T - 2 * PG);
	assert_int_equal(vm_map(-PG, PG, PROT_READ, false, false), T - 3 * PG);
	assert_int_equal(vm_map(VM_TASK_END - PG, 2 * PG, PROT_EXEC, false, false),
			 T - 5 * PG);
	assert_int_equal(vm_map(VM_TASK_END - PG, PG, RW, false, false),
			 VM_TASK_END - PG);
	assert_int_equal(vm_map(0x1000, PG, RW, false, false), VM_MIN_ADDR);
	/* Fixed at the top, and misaligned. */
	assert_int_equal(vm_map(VM_TASK_END, PG, RW, true, false), -ENOMEM);
	assert_int_equal(vm_map(VM_TASK_END - PG, 2 * PG, RW, true, false), -ENOMEM);
	assert_int_equal(vm_map(-PG, 2 * PG, RW, true, false), -ENOMEM);
	assert_int_equal(vm_map(B + 1, PG, RW, true, false), -EINVAL);
	check();
}

static void test_many_areas(void **state)
{
	(void)state;
	enum { N = 10000 };
	struct vm_space *vs = vm_current();

	/* The full check is O(areas): after every 500th change here. */
	for (u64 i = 0; i < N; i++) {
		assert_int_equal(vm_map(B + 2 * i * PG, PG, RW, true, false),
				 B + 2 * i * PG);
		if (i % 500 == 0)
			check();
	}
	assert_int_equal(vs->nareas, N);
	check();
	for (u64 i = 0; i < N; i += 97) {
		assert_int_equal(vm_check(B + 2 * i * PG, PG, PROT_WRITE), 0);
		assert_int_equal(vm_check(B + (2 * i + 1) * PG, 1, 0), -EFAULT);
		assert_int_equal(fault(B + 2 * i * PG, true, false), 0);
	}
	/* Filling the holes alternately merges everything into one area. */
	for (u64 i = 0; i + 1 < N; i++) {
		assert_int_equal(vm_map(B + (2 * i + 1) * PG, PG, RW, true, false),
				 B + (2 * i + 1) * PG);
		if (i % 500 == 0)
			check();
	}
	EXPECT(B, B + (2 * N - 1) * PG);
	/* Alternate protections: 2N - 1 areas, one check across all. */
	for (u64 i = 0; i < 2 * N - 1; i += 2) {
		assert_int_equal(vm_protect(B + i * PG, PG, PROT_READ | PROT_EXEC), 0);
		if (i % 1000 == 0)
			check();
	}
	assert_int_equal(vs->nareas, 2 * N - 1);
	check();
	assert_int_equal(vm_check(B, (2 * N - 1) * PG, PROT_READ), 0);
	assert_int_equal(vm_check(B, (2 * N - 1) * PG, PROT_WRITE), -EFAULT);
	assert_int_equal(vm_mapped_end(B, PROT_READ), B + (2 * N - 1) * PG);
	assert_int_equal(vm_protect(B, (2 * N - 1) * PG, RW), 0);
	EXPECT(B, B + (2 * N - 1) * PG);
	/* mmap still finds room below all of them. */
	assert_int_equal(vm_map(0, PG, RW, false, false), T - PG);
	assert_int_equal(vm_unmap(B, (2 * N - 1) * PG), 0);
	check();
}

/* mmap after mmap resumes its search; holes above are found again. */
static void test_find_free_resume(void **state)
{
	(void)state;
	enum { N = 10000 };

	for (u64 i = 0; i < N; i++) {
		int prot = i % 2 ? PROT_READ : RW; /* no merging */
		assert_int_equal(vm_map(0, PG, prot, false, false), T - (i + 1) * PG);
		if (i % 500 == 0)
			check();
	}
	assert_int_equal(vm_current()->nareas, N);
	/* A hole made above the resume point is found first. */
	assert_int_equal(vm_unmap(T - 100 * PG, PG), 0);
	check();
	assert_int_equal(vm_map(0, 2 * PG, RW, false, false), T - (N + 2) * PG);
	check();
	/* The 1-page hole was skipped by the 2-page search; it is still found. */
	assert_int_equal(vm_map(0, PG, PROT_EXEC, false, false), T - 100 * PG);
	check();
	assert_int_equal(vm_map(0, PG, PROT_EXEC, false, false), T - (N + 3) * PG);
	/* Moving an area away leaves a hole that is found again. */
	long r = vm_remap(T - 50 * PG, PG, 3 * PG, true, false, 0);
	assert_int_equal(r, T - (N + 6) * PG);
	check();
	assert_int_equal(vm_map(0, PG, PROT_EXEC, false, false), T - 50 * PG);
	check();
}

static void test_fault(void **state)
{
	(void)state;
	struct file *f = shim_file_new(2 * PG + PG / 2);
	u64 before, after;

	vm_fault_stats(&before, NULL);
	assert_int_equal(fault(B, false, false), -EFAULT);
	assert_int_equal(vm_map(B, PG, PROT_NONE, true, false), B);
	assert_int_equal(fault(B, false, false), -EFAULT);
	assert_int_equal(vm_map(B + PG, PG, PROT_READ, true, false), B + PG);
	assert_int_equal(fault(B + PG, true, false), -EFAULT);
	assert_int_equal(fault(B + PG, false, true), -EFAULT);
	assert_int_equal(fault(B + PG + 5, false, false), 0);
	assert_int_equal(flags_at(B + PG), PROT_READ);
	assert_int_equal(shim_page_at(B + PG)[5], 0);
	/* Private file pages are copies; past the end is zeros, then SIGBUS. */
	assert_int_equal(vm_map_file(B + 8 * PG, 4 * PG, RW, true, false, f, 0,
				     false, false), B + 8 * PG);
	assert_int_equal(fault(B + 9 * PG, true, false), 0);
	assert_int_equal(shim_page_at(B + 9 * PG)[0], 'B');
	assert_int_equal(fault(B + 10 * PG, false, false), 0);
	assert_int_equal(shim_page_at(B + 10 * PG)[PG / 2 - 1], 'C');
	assert_int_equal(shim_page_at(B + 10 * PG)[PG / 2], 0);
	assert_int_equal(fault(B + 11 * PG, false, false), -EIO);
	assert_int_equal(flags_at(B + 9 * PG), RW);
	/* Shared pages are the file's. */
	assert_int_equal(vm_map_file(B + 16 * PG, 2 * PG, PROT_READ, true, false,
				     f, 1, true, false), B + 16 * PG);
	assert_int_equal(fault(B + 16 * PG, false, false), 0);
	assert_int_equal(flags_at(B + 16 * PG), PROT_READ | PT_FILE);
	assert_int_equal(shim_page_at(B + 16 * PG)[0], 'B');
	check();
	long pages = shim_pages_in_use();
	assert_int_equal(vm_unmap(B + 16 * PG, 2 * PG), 0);
	assert_int_equal(shim_pages_in_use(), pages);
	vm_fault_stats(&after, NULL);
	assert_int_equal(after - before, 9);
	vm_space_clear(vm_current());
	shim_file_free(f);
}

/*
 * MAP_PRIVATE of a file that offers its pages (share_page): a read maps
 * the file's page read-only, copy-on-write; a write gets a copy and the
 * file keeps its data; a page the file drops while mapped stays the
 * mapping's until it lets go. Nothing leaks.
 */
static void test_fault_private_shared(void **state)
{
	(void)state;
	struct file *f = shim_cow_file_new(3 * PG);
	long pages = shim_pages_in_use();

	assert_int_equal(vm_map_file(B, 3 * PG, RW, true, false, f, 0, false,
				     false), B);
	assert_int_equal(fault(B + 1, false, false), 0);
	assert_int_equal(flags_at(B), RW | PT_COW);
	u8 *file0 = shim_page_at(B);
	assert_int_equal(file0[1], 'a');
	assert_int_equal(fault(B, true, false), 0); /* the write: a copy */
	assert_int_equal(flags_at(B), RW);
	assert_ptr_not_equal(shim_page_at(B), file0);
	shim_page_at(B)[0] = 'x';
	assert_int_equal(file0[0], 'a');
	/* A write first: a copy of the file's page at once. */
	assert_int_equal(fault(B + PG, true, false), 0);
	assert_int_equal(flags_at(B + PG), RW);
	assert_int_equal(shim_page_at(B + PG)[0], 'b');
	/* Dropped by the file (truncate) while mapped: still readable. */
	assert_int_equal(fault(B + 2 * PG, false, false), 0);
	shim_file_drop_page(f, 2);
	assert_int_equal(shim_page_at(B + 2 * PG)[0], 'c');
	assert_int_equal(fault(B + 2 * PG, true, false), 0); /* ours now */
	assert_int_equal(flags_at(B + 2 * PG), RW);
	assert_int_equal(shim_page_at(B + 2 * PG)[0], 'c');
	check();
	vm_space_clear(vm_current());
	shim_file_free(f);
	assert_int_equal(shim_pages_in_use(), pages);
}

static void test_check_and_advise(void **state)
{
	(void)state;
	assert_int_equal(vm_map(B, PG, RW, true, false), B);
	assert_int_equal(vm_map(B + PG, PG, PROT_READ, true, false), B + PG);
	assert_int_equal(vm_map(B + 3 * PG, 4 * PG, RW, true, false), B + 3 * PG);
	assert_int_equal(vm_check(B, 2 * PG, PROT_READ), 0);
	assert_int_equal(vm_check(B + 8, 2 * PG - 8, PROT_READ), 0);
	assert_int_equal(vm_check(B, 2 * PG, PROT_WRITE), -EFAULT);
	assert_int_equal(vm_check(B, 3 * PG, 0), -EFAULT);
	assert_int_equal(vm_check(B, 0, PROT_WRITE), 0);
	assert_int_equal(vm_check(B, -B, 0), -EFAULT);
	assert_int_equal(vm_check(B, ~0ul, 0), -EFAULT);
	assert_int_equal(vm_mapped_end(B + 5, PROT_READ), B + 2 * PG);
	assert_int_equal(vm_mapped_end(B + 5, PROT_WRITE), B + PG);
	assert_int_equal(vm_mapped_end(B + 2 * PG, 0), B + 2 * PG);
	/* madvise: drop pages, say ENOMEM over holes, refuse bad ranges. */
	fill(B + 3 * PG, 4);
	assert_true(vm_resident(B + 4 * PG + 9));
	assert_int_equal(vm_advise(B + 3 * PG, 2 * PG, true), 0);
	check();
	assert_false(vm_resident(B + 4 * PG));
	assert_int_equal(shim_pages_in_use(), 2);
	assert_int_equal(vm_advise(B + PG, 4 * PG, false), -ENOMEM);
	assert_int_equal(vm_advise(B + 2 * PG, 5 * PG, true), -ENOMEM);
	check();
	assert_int_equal(shim_pages_in_use(), 0);
	assert_int_equal(vm_advise(B + 1, PG, true), -EINVAL);
	assert_int_equal(vm_advise(B, -PG, true), -EINVAL);
	assert_int_equal(vm_advise(B, ~0ul, false), -EINVAL);
	assert_int_equal(vm_advise(-PG, PG, true), -EINVAL);
	assert_int_equal(vm_advise(B, 0, true), 0);
	assert_int_equal(vm_advise(VM_TASK_END, PG, true), -ENOMEM);
	EXPECT(B, B + PG, B + PG, B + 2 * PG, B + 3 * PG, B + 7 * PG);
}

/*
 * vma_find looks first at the area it found last (vm_space.hint): after
 * that area is unmapped, split or merged away, checks still see the
 * areas as they are (a hint left dangling would be a use after free,
 * which ASan reports).
 */
static void test_check_last_area(void **state)
{
	(void)state;
	assert_int_equal(vm_map(B, 4 * PG, RW, true, false), B);
	assert_int_equal(vm_check(B + PG, 8, PROT_WRITE), 0);
	assert_int_equal(vm_unmap(B, 4 * PG), 0);
	assert_int_equal(vm_check(B + PG, 8, 0), -EFAULT);
	assert_int_equal(vm_map(B, 4 * PG, RW, true, false), B);
	assert_int_equal(vm_check(B + 2 * PG, 1, PROT_WRITE), 0);
	assert_int_equal(vm_protect(B + PG, PG, PROT_READ), 0);
	check();
	assert_int_equal(vm_check(B + 2 * PG, 1, PROT_WRITE), 0);
	assert_int_equal(vm_check(B + PG, 1, PROT_WRITE), -EFAULT);
	assert_int_equal(vm_check(B + PG, 1, PROT_READ), 0);
	assert_int_equal(vm_check(B, 1, PROT_WRITE), 0);
	assert_int_equal(vm_protect(B + PG, PG, RW), 0); /* merged again */
	check();
	assert_int_equal(vm_check(B + 3 * PG, 1, PROT_WRITE), 0);
	assert_int_equal(vm_check(B, 4 * PG, PROT_WRITE), 0);
	assert_int_equal(vm_unmap(B + 3 * PG, PG), 0);
	assert_int_equal(vm_check(B + 3 * PG, 1, 0), -EFAULT);
	assert_int_equal(vm_check(B, 3 * PG, PROT_WRITE), 0);
	EXPECT(B, B + 3 * PG);
}

/* The state a failed operation must leave alone. */
struct state {
	size_t n;
	struct vm_area_info a[64];
	size_t ptes;
	long pages;
	u64 brk;
};

static void save(struct state *st)
{
	st->n = snap();
	memcpy(st->a, seen, sizeof(st->a));
	st->ptes = shim_pt_count();
	st->pages = shim_pages_in_use();
	st->brk = vm_current()->brk_cur;
}

static void same(const struct state *st)
{
	check();
	assert_int_equal(snap(), st->n);
	for (size_t i = 0; i < st->n; i++) {
		assert_int_equal(seen[i].start, st->a[i].start);
		assert_int_equal(seen[i].end, st->a[i].end);
		assert_int_equal(seen[i].prot, st->a[i].prot);
	}
	assert_int_equal(shim_pt_count(), st->ptes);
	assert_int_equal(shim_pages_in_use(), st->pages);
	assert_int_equal(vm_current()->brk_cur, st->brk);
}

/*
 * Out of memory in a fault: the reserve serves faults (and mremap's page
 * tables) when only it is left; without any page the fault is -ENOMEM
 * (SIGBUS for the program), with nothing half done and no page lost.
 */
static void test_fault_out_of_memory(void **state)
{
	(void)state;
	struct file *f = shim_file_new(4 * PG);

	assert_int_equal(vm_map(B, 4 * PG, RW, true, false), B);
	assert_int_equal(vm_map_file(B + 8 * PG, 4 * PG, RW, true, false, f, 0,
				     false, false), B + 8 * PG);
	shim_pages_short = 1;
	assert_int_equal(fault(B, true, false), 0);
	assert_int_equal(fault(B + 8 * PG, true, false), 0);
	assert_int_equal(shim_page_at(B + 8 * PG)[0], 'A');
	shim_page_at(B)[0] = 7;
	assert_int_equal(vm_remap(B, PG, PG, true, true, B + 32 * PG), B + 32 * PG);
	assert_int_equal(shim_page_at(B + 32 * PG)[0], 7);
	shim_pages_short = 2;
	long pages = shim_pages_in_use();
	size_t entries = shim_pt_count();
	assert_int_equal(fault(B + PG, true, false), -ENOMEM);
	assert_int_equal(fault(B + 9 * PG, false, false), -ENOMEM);
	assert_int_equal(shim_pages_in_use(), pages);
	assert_int_equal(shim_pt_count(), entries);
	assert_null(shim_page_at(B + PG));
	shim_pages_short = 0;
	assert_int_equal(fault(B + PG, true, false), 0);
	assert_int_equal(fault(B + 9 * PG, false, false), 0);
	assert_int_equal(shim_page_at(B + 9 * PG)[0], 'B');
	vm_space_clear(vm_current());
	shim_file_free(f);
}

/* Sets up areas with pages: [B, B+8) RW, [B+8, B+12) R, brk after them. */
static void oom_setup(void)
{
	vm_space_clear(vm_current());
	assert_int_equal(vm_map(B, 8 * PG, RW, true, false), B);
	assert_int_equal(vm_map(B + 8 * PG, 4 * PG, PROT_READ, true, false), B + 8 * PG);
	fill(B, 8);
	vm_set_brk_start(B + 16 * PG);
}

/* Runs op with the nth kmalloc failing, for every n until it succeeds:
 * each failure must leave everything as it was. */
static void oom_each(long (*op)(void), long fail)
{
	for (int n = 1;; n++) {
		struct state st;
		oom_setup();
		save(&st);
		shim_kmalloc_fail_nth = n;
		long r = op();
		bool failed = shim_kmalloc_fail_nth == 0;
		shim_kmalloc_fail_nth = 0;
		if (!failed) {
			assert_int_not_equal(r, fail);
			check();
			return;
		}
		assert_int_equal(r, fail);
		same(&st);
		assert_true(n < 16);
	}
}

static long op_map(void) { return vm_map(B + 2 * PG, 2 * PG, PROT_EXEC, true, false); }
static long op_unmap(void) { return vm_unmap(B + 2 * PG, 2 * PG); }
static long op_protect(void) { return vm_protect(B + 2 * PG, 8 * PG, PROT_EXEC); }
static long op_remap(void) { return vm_remap(B + 2 * PG, 4 * PG, 6 * PG, true, true, B + 32 * PG); }
static long op_brk(void) { return (long)vm_brk(B + 20 * PG); }

/*
 * Unmapping whole areas needs no memory: with every kmalloc failing it
 * still works (glibc aborts when munmap of a freed thread stack fails,
 * as it did when the heap was exhausted: threads_until_eagain).
 */
static void test_unmap_whole_without_memory(void **state)
{
	(void)state;
	oom_setup();
	shim_kmalloc_fail_nth = 1;
	assert_int_equal(vm_unmap(B + 8 * PG, 4 * PG), 0);
	assert_int_equal(shim_kmalloc_fail_nth, 1); /* no kmalloc was tried */
	shim_kmalloc_fail_nth = 0;
	assert_int_equal(vm_check(B + 8 * PG, PG, 0), -EFAULT);
	check();
}

static void test_out_of_memory(void **state)
{
	(void)state;
	oom_each(op_map, -ENOMEM);
	oom_each(op_unmap, -ENOMEM);
	oom_each(op_protect, -ENOMEM);
	oom_each(op_remap, -ENOMEM);
	oom_each(op_brk, (long)(B + 16 * PG));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_map_unmap_split, teardown),
		cmocka_unit_test_teardown(test_merge, teardown),
		cmocka_unit_test_teardown(test_protect, teardown),
		cmocka_unit_test_teardown(test_remap_overlap, teardown),
		cmocka_unit_test_teardown(test_remap_resize, teardown),
		cmocka_unit_test_teardown(test_brk, teardown),
		cmocka_unit_test_teardown(test_find_free_edges, teardown),
		cmocka_unit_test_teardown(test_many_areas, teardown),
		cmocka_unit_test_teardown(test_find_free_resume, teardown),
		cmocka_unit_test_teardown(test_fault, teardown),
		cmocka_unit_test_teardown(test_fault_private_shared, teardown),
		cmocka_unit_test_teardown(test_check_and_advise, teardown),
		cmocka_unit_test_teardown(test_check_last_area, teardown),
		cmocka_unit_test_teardown(test_out_of_memory, teardown),
		cmocka_unit_test_teardown(test_unmap_whole_without_memory, teardown),
		cmocka_unit_test_teardown(test_fault_out_of_memory, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

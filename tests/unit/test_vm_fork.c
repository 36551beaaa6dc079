/* SOURCES: lib/rbtree.c mm/vm.c mm/space.c mm/fault.c mm/vmquery.c mm/fork.c tests/unit/shim_mm.c */
/*
 * mm/fork.c on the host, over shim_mm.c's page tables (one per address
 * space) and share counts: copy-on-write both ways, a read leaving a page
 * shared, mprotect keeping a shared page write-protected, the page taken
 * back without a copy once the other space is gone; fork without memory
 * failing whole, and a full share count copying instead.
 */
#include <skiff/errno.h>
#include "vm_test.h"

/* Fork: copy-on-write both ways, sharing ended by a put, file pages. */
static void test_fork(void **state)
{
	(void)state;
	struct vm_space *parent = vm_current();
	struct file *f = shim_file_new(4 * PG);

	assert_int_equal(vm_map(B, 4 * PG, RW, true, false), B);
	fill(B, 4);
	assert_int_equal(vm_map_file(B + 8 * PG, 2 * PG, RW, true, false, f, 0,
				     true, true), B + 8 * PG);
	assert_int_equal(fault(B + 8 * PG, true, false), 0);
	u8 *filepage = shim_page_at(B + 8 * PG);
	struct vm_space *child = vm_space_fork(parent);
	assert_non_null(child);
	check();
	assert_true(flags_at(B) & PT_COW);
	assert_false(flags_at(B + 8 * PG) & PT_COW);
	/* The child writes page 0: a copy; the parent keeps its byte. */
	shim_set_vm(child);
	check();
	assert_int_equal(flags_at(B), RW | PT_COW);
	assert_ptr_equal(shim_page_at(B + 8 * PG), filepage); /* the file's */
	u8 *before = shim_page_at(B);
	assert_int_equal(fault(B, true, false), 0);
	assert_ptr_not_equal(shim_page_at(B), before);
	assert_int_equal(flags_at(B), RW);
	shim_page_at(B)[0] = 100;
	/* A read leaves page 1 shared. */
	assert_int_equal(fault(B + PG, false, false), 0);
	assert_true(flags_at(B + PG) & PT_COW);
	shim_set_vm(parent);
	assert_true(holds(B, 4, 0));
	/* The parent writes page 1: a copy too, the child's stays. */
	assert_int_equal(fault(B + PG, true, false), 0);
	shim_page_at(B + PG)[0] = 101;
	shim_set_vm(child);
	assert_int_equal(shim_page_at(B + PG)[0], 1);
	assert_int_equal(shim_page_at(B)[0], 100);
	/* mprotect keeps the protection of a shared page. */
	assert_int_equal(vm_protect(B + 2 * PG, PG, PROT_READ), 0);
	assert_int_equal(vm_protect(B + 2 * PG, PG, RW), 0);
	assert_true(flags_at(B + 2 * PG) & PT_COW);
	/* The child goes: the parent's page 3 is its own again, not copied. */
	shim_set_vm(parent);
	vm_space_put(child);
	u8 *p3 = shim_page_at(B + 3 * PG);
	assert_int_equal(fault(B + 3 * PG, true, false), 0);
	assert_ptr_equal(shim_page_at(B + 3 * PG), p3);
	assert_int_equal(flags_at(B + 3 * PG), RW);
	assert_int_equal(shim_page_at(B + PG)[0], 101);
	vm_space_clear(parent);
	shim_file_free(f);
}

/* Fork without memory fails whole; with a full share count it copies. */
static void test_fork_limits(void **state)
{
	(void)state;
	struct vm_space *parent = vm_current();

	assert_int_equal(vm_map(B, 4 * PG, RW, true, false), B);
	fill(B, 4);
	long pages = shim_pages_in_use();
	shim_pages_short = 2;
	assert_null(vm_space_fork(parent));
	shim_pages_short = 0;
	assert_int_equal(shim_pages_in_use(), pages);
	check();
	assert_int_equal(fault(B, true, false), 0); /* its own again */
	assert_int_equal(flags_at(B), RW);
	shim_share_limit = 0;
	struct vm_space *child = vm_space_fork(parent);
	shim_share_limit = 0xffff;
	assert_non_null(child);
	assert_int_equal(shim_pages_in_use(), pages + 4);
	shim_set_vm(child);
	assert_true(holds(B, 4, 0));
	assert_int_equal(flags_at(B + PG), RW);
	shim_set_vm(parent);
	vm_space_put(child);
	assert_int_equal(shim_pages_in_use(), pages);
	vm_space_clear(parent);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_fork, teardown),
		cmocka_unit_test_teardown(test_fork_limits, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

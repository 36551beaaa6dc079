/*
 * tests/unit/vm_test.h: what the unit tests of mm/ (test_vm.c,
 * test_vm_fork.c) share: the invariant check after each step, faults,
 * filling pages with known bytes, the flags of a mapping, and the teardown
 * that proves nothing leaked. Static: each test program has its copy.
 */
#ifndef SKIFF_TEST_VM_TEST_H
#define SKIFF_TEST_VM_TEST_H

#include <skiff/mm.h>
#include "shim.h"
#include "shim_mm.h"

#define PG PAGE_SIZE
#define B 0x100000000ul	/* where the tests map */
#define RW (PROT_READ | PROT_WRITE)

static void check(void)
{
	vm_check_invariants(vm_current());
	assert_int_equal(vm_current()->lock.locked, 0);
}

static int fault(u64 va, bool write, bool exec)
{
	struct fault_info fi = { .addr = va, .write = write, .exec = exec };
	int r = vm_fault(&fi);

	check();
	return r;
}

/* Faults in n pages at va for writing, page i holding byte i. */
static void fill(u64 va, int n)
{
	for (int i = 0; i < n; i++) {
		assert_int_equal(fault(va + i * PG, true, false), 0);
		shim_page_at(va + i * PG)[0] = (u8)i;
	}
}

static bool holds(u64 va, int n, int first)
{
	for (int i = 0; i < n; i++) {
		u8 *p = shim_page_at(va + i * PG);
		if (!p || p[0] != (u8)(first + i))
			return false;
	}
	return true;
}

static unsigned flags_at(u64 va)
{
	unsigned f;

	return pt_lookup(vm_current()->pt, va, &f) ? f : ~0u;
}

static int teardown(void **state)
{
	(void)state;
	vm_space_clear(vm_current());
	assert_int_equal(vm_current()->nareas, 0);
	assert_int_equal(shim_pt_count(), 0);
	assert_int_equal(shim_pages_in_use(), 0);
	return 0;
}

#endif

/*
 * Host versions of the kernel services that modules under unit test call:
 * the heap is malloc, locks are no-ops (the tests are single-threaded), the
 * log goes to stderr, panic aborts. Built with every unit test.
 */
#ifndef SKIFF_TEST_SHIM_H
#define SKIFF_TEST_SHIM_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

/* When set to n, the nth next kmalloc fails (out-of-memory injection). */
extern int shim_kmalloc_fail_nth;

#endif

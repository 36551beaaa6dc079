/* SOURCES: linux/time.c */
/*
 * linux/time.c's absolute clock_nanosleep on the host: the deadline given
 * to the scheduler is never before the requested time, even when the
 * clocks move between two reads (a preemption there). The fake monotonic
 * clock here advances 1 ms at every read, so a deadline built from two
 * reads comes out early. Reproducer of the bug where an absolute sleep
 * ended early: the kernel took "now" once for the monotonic clock and
 * again for the requested one.
 */
#include <string.h>
#include <skiff/errno.h>
#include <skiff/mm.h>
#include <skiff/process.h>
#include <skiff/sched.h>
#include <skiff/time.h>
#include "../../linux/abi.h"
#include "../../linux/sys.h"
#include "shim.h"

#define MS 1000000ull
#define REALTIME_BASE (1700000000ull * NSEC_PER_SEC)

static u64 mono;       /* the fake monotonic clock */
static u64 slept_until; /* the deadline sched_sleep_until got */
static struct process self;

u64 time_monotonic_ns(void) { return mono += MS; }
u64 time_realtime_ns(void) { return REALTIME_BASE + time_monotonic_ns(); }
int sched_sleep_until(u64 deadline_ns) { slept_until = deadline_ns; return 0; }
struct process *process_current(void) { return &self; }
struct thread *thread_current(void) { return NULL; }
struct thread *thread_find(int tid) { (void)tid; return NULL; }
struct process *thread_process(struct thread *t) { (void)t; return &self; }
u64 thread_cpu_ns(struct thread *t) { (void)t; return 0; }
u64 sched_process_cpu_ns(void) { return 0; }
u64 sched_thread_cpu_ns(void) { return 0; }
int copy_from_user(void *dst, const void *src, size_t n) { memcpy(dst, src, n); return 0; }
int copy_to_user(void *dst, const void *src, size_t n) { memcpy(dst, src, n); return 0; }

static struct linux_timespec ts(u64 ns)
{
	return (struct linux_timespec){ ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };
}

static void test_monotonic(void **state)
{
	(void)state;
	mono = 5 * NSEC_PER_SEC;
	u64 want = mono + 20 * MS;
	struct linux_timespec t = ts(want);

	assert_int_equal(sys_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL), 0);
	assert_true(slept_until >= want);
}

static void test_realtime(void **state)
{
	(void)state;
	mono = 5 * NSEC_PER_SEC;
	u64 want = REALTIME_BASE + mono + 20 * MS;
	struct linux_timespec t = ts(want);

	assert_int_equal(sys_clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &t, NULL), 0);
	/* The realtime clock reaches want when the monotonic one reaches
	 * want - REALTIME_BASE. */
	assert_true(slept_until >= want - REALTIME_BASE);
}

static void test_past(void **state)
{
	(void)state;
	mono = 5 * NSEC_PER_SEC;
	struct linux_timespec t = ts(0);

	/* A deadline long gone: no wait, but never 0 ("no deadline"). */
	assert_int_equal(sys_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL), 0);
	assert_true(slept_until != 0);
	assert_int_equal(sys_clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &t, NULL), 0);
	assert_true(slept_until != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monotonic),
		cmocka_unit_test(test_realtime),
		cmocka_unit_test(test_past),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

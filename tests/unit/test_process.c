/* SOURCES: sched/process.c */
/*
 * sched/process.c, the process tree: the pid table in pid order, lookups
 * holding references, children inheriting group and session, a process's
 * end giving its children to pid 1, zombies until reaped (or reaped at
 * once), the last reference freeing a reaped process (ASan sees a leak or
 * a use after free), the vfork flag.
 */
#include <skiff/errno.h>
#include "../../sched/thread.h"
#include "shim.h"

static struct thread self = { .tid = 1, .name = "main" };

struct thread *thread_current(void) { return &self; }
struct process *process_current(void) { return self.h.process; }

int waitq_sleep(struct waitq *wq, struct spinlock *lk, u64 deadline_ns)
{
	(void)wq;
	(void)lk;
	(void)deadline_ns;
	return -EINTR;
}

static struct process *init;

static struct process *child_of(struct process *parent, int pid)
{
	struct process *c = process_create(pid);

	assert_non_null(c);
	process_add_child(parent, c);
	return c;
}

static int setup(void **state)
{
	(void)state;
	init = process_create(1);
	self.h.process = init;
	process_boot(init);
	return 0;
}

static bool collect(struct process *p, void *arg)
{
	int *pids = arg;

	pids[++pids[0]] = p->pid;
	return false;
}

static void test_table(void **state)
{
	(void)state;
	init->pgid = 1;
	init->sid = 1;
	struct process *a = child_of(init, 2), *b = child_of(init, 5);
	int pids[8] = { 0 };

	assert_int_equal(process_count(), 3);
	process_for_each(collect, pids);
	assert_int_equal(pids[0], 3);
	assert_int_equal(pids[1], 1);
	assert_int_equal(pids[2], 2);
	assert_int_equal(pids[3], 5);
	assert_ptr_equal(a->parent, init);
	assert_int_equal(a->pgid, 1);
	assert_int_equal(b->sid, 1);
	struct process *l = process_lookup(5);
	assert_ptr_equal(l, b);
	assert_int_equal(b->refs, 2);
	process_put(l);
	assert_null(process_lookup(3));
	assert_ptr_equal(process_current(), init);
	/* Both end and are reaped: the table holds pid 1 only again. */
	process_end(a, 7 << 8, false);
	assert_int_equal(a->state, PROCESS_ZOMBIE);
	assert_int_equal(a->exit_status, 7 << 8);
	assert_string_equal(a->comm, "main");
	process_tree_lock();
	process_reap_locked(a);
	process_tree_unlock();
	process_end(b, 9, true);
	assert_int_equal(process_count(), 1);
	assert_null(process_lookup(5));
	assert_true(list_empty(&init->children));
}

static void test_orphans(void **state)
{
	(void)state;
	struct process *a = child_of(init, 10);
	struct process *g1 = child_of(a, 11), *g2 = child_of(a, 12);

	process_end(g2, 0, false); /* a zombie grandchild */
	struct process *held = process_lookup(11);
	process_end(a, 0, false);
	assert_ptr_equal(g1->parent, init);
	assert_ptr_equal(g2->parent, init);
	assert_int_equal(g2->state, PROCESS_ZOMBIE);
	assert_true(list_empty(&a->children));
	/* Reaping all three; g1 stays allocated while held. */
	process_end(g1, 0, false);
	process_tree_lock();
	process_reap_locked(a);
	process_reap_locked(g2);
	process_reap_locked(g1);
	process_reap_locked(g1); /* twice: nothing more */
	process_tree_unlock();
	assert_int_equal(held->state, PROCESS_REAPED);
	assert_null(held->parent);
	process_put(held);
	assert_int_equal(process_count(), 1);
}

static void test_vfork(void **state)
{
	(void)state;
	struct process *c = child_of(init, 20);

	c->vfork_active = true;
	process_vfork_done(c);
	assert_false(c->vfork_active);
	process_vfork_wait(c); /* returns at once: not active */
	process_report_stop(c, (19 << 8) | 0x7f);
	assert_int_equal(c->stop_report, (19 << 8) | 0x7f);
	process_end(c, 0, true);
	assert_int_equal(process_count(), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_orphans),
		cmocka_unit_test(test_vfork),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}

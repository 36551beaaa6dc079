/* SOURCES: fs/init.c fs/initrd.c fs/pipe.c fs/vfs/dentry.c fs/vfs/fd.c fs/vfs/inode.c fs/vfs/namei.c fs/vfs/open.c fs/vfs/ops.c fs/vfs/rename.c fs/vfs/rw.c fs/vfs/poll.c fs/ramfs/ramfs.c fs/ramfs/file.c fs/ramfs/pagestore.c fs/devfs/mem.c fs/devfs/console.c fs/devfs/tty.c fs/procfs/procfs.c fs/procfs/pid.c fs/procfs/pidstat.c fs/procfs/info.c fs/procfs/sysfs.c fs/procfs/net.c fs/eventpoll.c fs/eventfd.c fs/timerfd.c lib/rbtree.c lib/cpio.c lib/printf.c lib/strconv.c tests/unit/shim_fs.c */
/*
 * The structures of fs/ that scale: the fd table's bitmap allocator
 * (fs/vfs/fd.c), the per-file wait queues that poll/select sleep on
 * (fs/vfs/poll.c: a change to one file wakes only its waiters), and
 * epoll's ready list (fs/eventpoll.c: level- and edge-triggered items,
 * EPOLLONESHOT, deletion while ready, and a wait that looks only at what
 * is ready among 10,000 registered items).
 *
 * The files here are "toys": anonymous files whose readiness the test
 * sets by hand and whose poll op counts its calls, so a test can see how
 * many files a wait looked at.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <skiff/errno.h>
#include <skiff/vfs.h>
#include "shim_fs.h"

struct toy {
	u32 ready;		/* what poll reports */
};

static long toy_polls;		/* poll op calls, every toy */

static u32 toy_poll(struct file *f)
{
	toy_polls++;
	return ((struct toy *)f->priv)->ready;
}

static const struct file_ops toy_ops = { .poll = toy_poll };

static struct file *toy_new(struct toy *t)
{
	struct file *f;

	assert_int_equal(anon_file_open("[toy]", &toy_ops, t, 0, &f), 0);
	return f;
}

/* The toy's readiness changes, and it says so, as every file kind does. */
static void toy_set(struct file *f, u32 ready)
{
	((struct toy *)f->priv)->ready = ready;
	vfs_poll_notify(f->inode, ready & POLLIN ? POLL_IN_BITS :
				  ready & POLLOUT ? POLL_OUT_BITS : 0);
}

/* ---- fd table ---- */

static void close_from(int first, int last)
{
	for (int fd = first; fd <= last; fd++)
		fd_close(fd);
}

/* Lowest free first (also past a hole and above min), across growth. */
static void test_fd_bitmap(void **state)
{
	struct toy t = { 0 };
	struct file *f = toy_new(&t);
	const int n = 5000;

	assert_int_equal(fd_table_set_limit(fd_table_current(), 20000,
					    NR_OPEN_MAX), 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(fd_install(file_get(f), 0, i % 3 == 0), i);
	for (int i = 0; i < n; i++)
		assert_int_equal(fd_get_flags(i), i % 3 == 0 ? FD_CLOEXEC : 0);
	assert_int_equal(fd_close(4000), 0);
	assert_int_equal(fd_close(70), 0);
	assert_int_equal(fd_close(70), -EBADF);
	assert_int_equal(fd_get_flags(70), -EBADF);
	assert_int_equal(fd_install(file_get(f), 0, false), 70);
	assert_int_equal(fd_install(file_get(f), 0, false), 4000);
	assert_int_equal(fd_install(file_get(f), 0, false), n);
	/* Above min: skips the free fds below it. */
	assert_int_equal(fd_close(10), 0);
	assert_int_equal(fd_install(file_get(f), 64, false), n + 1);
	assert_int_equal(fd_install(file_get(f), 0, false), 10);
	/* dup2 far out leaves a gap the allocator fills in order. */
	assert_int_equal(fd_install_at(9000, f, true), 9000);
	assert_int_equal(fd_get_flags(9000), FD_CLOEXEC);
	assert_int_equal(fd_install(file_get(f), 0, false), n + 2);
	assert_int_equal(fd_install(file_get(f), 8999, false), 8999);
	assert_int_equal(fd_install(file_get(f), 8999, false), 9001);
	close_from(0, 9001);
	assert_int_equal(fd_install(file_get(f), 0, false), 0);
	fd_close(0);
	assert_int_equal(fd_table_set_limit(fd_table_current(), 1024,
					    NR_OPEN_MAX), 0);
	file_put(f);
}

/* EMFILE at the soft limit; the limits' own checks. */
static void test_fd_limit_table(void **state)
{
	struct fd_table *t = fd_table_current(), *other = fd_table_create();
	struct toy toy = { 0 };
	struct file *f = toy_new(&toy);
	u64 cur, max;

	assert_non_null(other);
	fd_table_get_limit(other, &cur, &max);
	assert_int_equal(cur, 1024);
	assert_int_equal(max, NR_OPEN_MAX);
	assert_int_equal(fd_table_set_limit(other, 10, 5), -EINVAL);
	assert_int_equal(fd_table_set_limit(other, 5, 100), 0);
	assert_int_equal(fd_table_set_limit(other, 5, 101), -EPERM);
	fd_table_destroy(other);

	assert_int_equal(fd_table_set_limit(t, 3, NR_OPEN_MAX), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(fd_install(file_get(f), 0, false), i);
	file_get(f);
	assert_int_equal(fd_install(f, 0, false), -EMFILE);
	file_put(f);
	assert_int_equal(fd_install_at(3, f, false), -EBADF);
	assert_int_equal(fd_dup_to(0, 3, false), -EBADF);
	assert_int_equal(fd_dup_to(0, 2, false), 2);
	close_from(0, 2);
	assert_int_equal(fd_table_set_limit(t, 1024, NR_OPEN_MAX), 0);
	file_put(f);
}

/* Filling a large table in order stays linear (a timeout would show it). */
static void test_fd_fill_many(void **state)
{
	struct fd_table *t = fd_table_current();
	struct toy toy = { 0 };
	struct file *f = toy_new(&toy);
	const int n = 200000;

	assert_int_equal(fd_table_set_limit(t, n, NR_OPEN_MAX), 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(fd_install(file_get(f), 0, false), i);
	file_get(f);
	assert_int_equal(fd_install(f, 0, false), -EMFILE);
	file_put(f);
	for (int i = 0; i < n; i++) {
		assert_int_equal(fd_close(n - 1), 0);
		assert_int_equal(fd_install(file_get(f), 0, false), n - 1);
	}
	close_from(0, n - 1);
	assert_int_equal(fd_table_set_limit(t, 1024, NR_OPEN_MAX), 0);
	file_put(f);
}

/* ---- per-file wait queues ---- */

struct counted {
	struct poll_watch w;
	int fired;
};

static void count_fn(struct poll_watch *w, u32 events)
{
	container_of(w, struct counted, w)->fired++;
}

/* A notification runs the watches of its own file only, by their events. */
static void test_watch_per_file(void **state)
{
	struct toy ta = { 0 }, tb = { 0 };
	struct file *a = toy_new(&ta), *b = toy_new(&tb);
	struct counted wa = { { .events = POLLIN, .fn = count_fn }, 0 };
	struct counted wb = { { .events = POLLIN, .fn = count_fn }, 0 };

	poll_watch_add(a->inode, &wa.w);
	poll_watch_add(b->inode, &wb.w);
	toy_set(b, POLLIN);
	assert_int_equal(wa.fired, 0);
	assert_int_equal(wb.fired, 1);
	toy_set(a, POLLOUT);	/* not an event wa waits for */
	assert_int_equal(wa.fired, 0);
	toy_set(a, POLLIN);
	assert_int_equal(wa.fired, 1);
	assert_int_equal(wb.fired, 1);
	poll_watch_del(&wa.w);
	poll_watch_del(&wb.w);
	toy_set(a, POLLIN);
	assert_int_equal(wa.fired, 1);
	file_put(a);
	file_put(b);
}

/*
 * A poll call: the first scan watches a and b; then "another thread"
 * changes c (not watched) or b (watched). The host's waitq_sleep returns
 * -EINTR at once, so a call that had to sleep ends with -EINTR, and one
 * that was woken scans again and finds b ready.
 */
struct scan_arg {
	struct file *a, *b, *c, *change;
	int scans;
};

static long scan(void *arg, struct poll_table *pt)
{
	struct scan_arg *s = arg;
	u32 ra = poll_table_file(pt, s->a, POLLIN) & POLLIN;
	u32 rb = poll_table_file(pt, s->b, POLLIN) & POLLIN;

	if (s->scans++ == 0 && s->change)
		toy_set(s->change, POLLIN);
	return (ra != 0) + (rb != 0);
}

static void test_poll_wakes_only_watchers(void **state)
{
	struct toy ta = { 0 }, tb = { 0 }, tc = { 0 };
	struct scan_arg s = { toy_new(&ta), toy_new(&tb), toy_new(&tc), NULL, 0 };

	s.change = s.c;
	assert_int_equal(vfs_poll_until(scan, &s, 0), -EINTR);
	assert_int_equal(s.scans, 1);	/* c's change woke nobody */
	s.scans = 0;
	s.change = s.b;
	assert_int_equal(vfs_poll_until(scan, &s, 0), 1);
	assert_int_equal(s.scans, 2);	/* b's woke the call: one rescan */
	/* The call's watches are gone with it. */
	assert_true(list_empty(&s.a->inode->watchers));
	assert_true(list_empty(&s.b->inode->watchers));
	file_put(s.a);
	file_put(s.b);
	file_put(s.c);
}

/* ---- epoll ---- */

static int ep_add(struct file *ep, int op, int fd, struct file *f, u32 ev)
{
	struct linux_epoll_event e = { ev, (u64)fd };

	return epoll_ctl_file(ep, op, fd, f, op == EPOLL_CTL_DEL ? NULL : &e);
}

/* One epoll_wait with a deadline of "now": the count; data in *data. */
static int ep_wait(struct file *ep, struct linux_epoll_event *out, int max)
{
	return epoll_wait_file(ep, out, max, 1);
}

static void test_epoll_modes(void **state)
{
	struct toy tl = { 0 }, te = { 0 }, to = { 0 };
	struct file *lt = toy_new(&tl), *et = toy_new(&te), *os = toy_new(&to);
	struct linux_epoll_event out[4];
	struct file *ep;

	assert_int_equal(epoll_create_file(&ep), 0);
	assert_int_equal(ep_add(ep, EPOLL_CTL_ADD, 1, lt, POLLIN), 0);
	assert_int_equal(ep_add(ep, EPOLL_CTL_ADD, 2, et, POLLIN | EPOLLET), 0);
	assert_int_equal(ep_add(ep, EPOLL_CTL_ADD, 3, os,
				POLLIN | EPOLLONESHOT), 0);
	assert_int_equal(ep_add(ep, EPOLL_CTL_ADD, 3, os, POLLIN), -EEXIST);
	assert_int_equal(ep_wait(ep, out, 4), 0);
	toy_set(lt, POLLIN);
	toy_set(et, POLLIN);
	toy_set(os, POLLIN);
	assert_int_equal(ep_wait(ep, out, 4), 3);
	assert_int_equal(out[0].data, 1);
	assert_int_equal(out[1].data, 2);
	assert_int_equal(out[2].data, 3);
	/* Level-triggered comes back; edge and one-shot do not. */
	assert_int_equal(ep_wait(ep, out, 4), 1);
	assert_int_equal(out[0].data, 1);
	/* A new edge: et again; os stays disabled until MOD. */
	toy_set(et, POLLIN);
	toy_set(os, POLLIN);
	assert_int_equal(ep_wait(ep, out, 4), 2);
	assert_int_equal(out[1].data, 2);
	assert_int_equal(ep_add(ep, EPOLL_CTL_MOD, 3, os, POLLIN), 0);
	assert_int_equal(ep_wait(ep, out, 4), 2); /* lt, os (now level) */
	/* Not ready any more: level-triggered items drop off the list. */
	toy_set(lt, 0);
	toy_set(os, 0);
	assert_int_equal(ep_wait(ep, out, 4), 0);
	/* Delete while ready: never reported. */
	toy_set(lt, POLLIN);
	assert_int_equal(ep_add(ep, EPOLL_CTL_DEL, 1, lt, 0), 0);
	assert_int_equal(ep_add(ep, EPOLL_CTL_DEL, 1, lt, 0), -ENOENT);
	assert_int_equal(ep_wait(ep, out, 4), 0);
	/* Closing a ready file drops its item too. */
	toy_set(et, POLLIN);
	file_put(et);
	assert_int_equal(ep_wait(ep, out, 4), 0);
	file_put(ep);
	file_put(lt);
	file_put(os);
}

/* 10,000 registered, one active: the wait asks only the active file. */
static void test_epoll_many_one_active(void **state)
{
	enum { N = 10000 };
	static struct toy toys[N];
	static struct file *files[N];
	struct linux_epoll_event out[8];
	struct file *ep;
	long before;

	assert_int_equal(epoll_create_file(&ep), 0);
	for (int i = 0; i < N; i++) {
		files[i] = toy_new(&toys[i]);
		assert_int_equal(ep_add(ep, EPOLL_CTL_ADD, i, files[i],
					POLLIN), 0);
	}
	toy_set(files[4321], POLLIN);
	before = toy_polls;
	assert_int_equal(ep_wait(ep, out, 8), 1);
	assert_int_equal(out[0].data, 4321);
	assert_true(toy_polls - before <= 2);
	/* Level-triggered: again, still looking at that one file only. */
	before = toy_polls;
	assert_int_equal(ep_wait(ep, out, 8), 1);
	assert_true(toy_polls - before <= 2);
	/* ctl finds items among many: modify, delete, re-add. */
	assert_int_equal(ep_add(ep, EPOLL_CTL_MOD, 4321, files[4321],
				POLLOUT), 0);
	assert_int_equal(ep_wait(ep, out, 8), 0);
	assert_int_equal(ep_add(ep, EPOLL_CTL_DEL, 9999, files[9999], 0), 0);
	assert_int_equal(ep_add(ep, EPOLL_CTL_MOD, 9999, files[9999], POLLIN),
			 -ENOENT);
	/* Same file, another fd: a separate item. */
	assert_int_equal(ep_add(ep, EPOLL_CTL_ADD, N, files[0], POLLIN), 0);
	toy_set(files[0], POLLIN);
	assert_int_equal(ep_wait(ep, out, 8), 2);
	for (int i = 0; i < N; i++)
		file_put(files[i]);
	assert_int_equal(ep_wait(ep, out, 8), 0);
	file_put(ep);
}

/* Nested: an inner instance's ready item makes the outer one ready. */
static void test_epoll_nested_wakeup(void **state)
{
	struct toy t = { 0 };
	struct file *f = toy_new(&t), *inner, *outer;
	struct linux_epoll_event out[2];

	assert_int_equal(epoll_create_file(&inner), 0);
	assert_int_equal(epoll_create_file(&outer), 0);
	assert_int_equal(ep_add(inner, EPOLL_CTL_ADD, 5, f, POLLIN), 0);
	assert_int_equal(ep_add(outer, EPOLL_CTL_ADD, 6, inner, POLLIN), 0);
	assert_int_equal(ep_add(inner, EPOLL_CTL_ADD, 7, outer, POLLIN),
			 -ELOOP);
	assert_int_equal(ep_wait(outer, out, 2), 0);
	toy_set(f, POLLIN);
	assert_int_equal(ep_wait(outer, out, 2), 1);
	assert_int_equal(out[0].data, 6);
	assert_int_equal(ep_wait(inner, out, 2), 1);
	assert_int_equal(out[0].data, 5);
	file_put(inner);	/* closing inner drops outer's item */
	assert_int_equal(ep_wait(outer, out, 2), 0);
	file_put(outer);
	file_put(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_bitmap),
		cmocka_unit_test(test_fd_limit_table),
		cmocka_unit_test(test_fd_fill_many),
		cmocka_unit_test(test_watch_per_file),
		cmocka_unit_test(test_poll_wakes_only_watchers),
		cmocka_unit_test(test_epoll_modes),
		cmocka_unit_test(test_epoll_many_one_active),
		cmocka_unit_test(test_epoll_nested_wakeup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Host versions of the kernel services fs/ and the file syscalls of linux/
 * use, for their unit tests (listed in those tests' SOURCES line): pages
 * are aligned heap blocks, program memory is any pointer but the first
 * page (so NULL and small addresses give -EFAULT), the console is a
 * capture buffer, clocks and randomness are simple, nothing sleeps.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <skiff/console.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/sched.h>
#include <skiff/time.h>
#include <skiff/vfs.h>
#include "../../linux/signal.h"
#include "../../sched/thread.h"
#include "shim.h"
#include "shim_fs.h"

static size_t pages_used;
char shim_console_out[3][4096];
size_t shim_console_len[3];

void *page_alloc(size_t n)
{
	void *p = aligned_alloc(PAGE_SIZE, n * PAGE_SIZE);

	if (p) {
		memset(p, 0, n * PAGE_SIZE);
		pages_used += n;
	}
	return p;
}

void page_free(void *p, size_t n)
{
	pages_used -= n;
	free(p);
}

void *page_alloc_dirty(size_t n) { return page_alloc(n); }

/* Shrinkers (fs/ext2/writeback.c registers one): memory never runs out. */
int page_shrinker_register(size_t (*fn)(size_t want), void (*kick)(void))
{
	(void)fn;
	(void)kick;
	return 0;
}

/* No mapping shares a page here: file_ops.share_page copies instead. */
int page_share(paddr_t pa)
{
	(void)pa;
	return -EOVERFLOW;
}

size_t page_free_count(void) { return 1000000 - pages_used; }
size_t page_total_count(void) { return 1000000; }
size_t shim_pages_used(void) { return pages_used; }

int user_check(const void *p, size_t len, bool write)
{
	(void)write;
	if (len && (uintptr_t)p < PAGE_SIZE)
		return -EFAULT;
	return 0;
}

int copy_from_user(void *dst, const void *usrc, size_t len)
{
	if (user_check(usrc, len, false))
		return -EFAULT;
	memcpy(dst, usrc, len);
	return 0;
}

int copy_to_user(void *udst, const void *src, size_t len)
{
	if (user_check(udst, len, true))
		return -EFAULT;
	memcpy(udst, src, len);
	return 0;
}

int user_strdup(const char *usrc, size_t max, char **out)
{
	size_t n;

	if (user_check(usrc, 1, false))
		return -EFAULT;
	n = strnlen(usrc, max);
	if (n == max)
		return -ENAMETOOLONG;
	*out = strdup(usrc);
	return *out ? 0 : -ENOMEM;
}

u64 time_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

u64 time_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

void random_fill(void *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		((u8 *)buf)[i] = rand();
}

void console_write(int channel, const void *buf, size_t len)
{
	size_t *l = &shim_console_len[channel % 3];
	size_t n = len < sizeof(shim_console_out[0]) - *l ?
			   len : sizeof(shim_console_out[0]) - *l;

	memcpy(shim_console_out[channel % 3] + *l, buf, n);
	*l += n;
}

long console_read(void *buf, size_t len)
{
	(void)buf;
	(void)len;
	return 0;
}

bool console_readable(void) { return true; }

long console_write_out(int channel, const void *buf, size_t len)
{
	console_write(channel, buf, len);
	return len;
}

long console_write_nowait(int channel, const void *buf, size_t len)
{
	return console_write_out(channel, buf, len);
}

long console_read_nowait(void *buf, size_t len)
{
	(void)buf;
	(void)len;
	return 0;
}

void console_host_signal(int signo)
{
	(void)signo;
}

void console_tty_signal(int signo)
{
	(void)signo;
}

/* Single-threaded tests never wait: a sleep would be a deadlock. */
int waitq_sleep(struct waitq *wq, struct spinlock *lk, u64 deadline_ns)
{
	(void)wq;
	(void)lk;
	(void)deadline_ns;
	return -EINTR;
}

/* Signals: counted, for the tests to look at. */
int shim_signals_sent[64];

/* One process with one thread, the main one (tid 1), for /proc and the
 * signal masks. */
static struct linux_process shim_lproc;
static struct process shim_process = { .pid = 1, .abi = &shim_lproc };
static struct lthread shim_lthread;
static struct thread shim_thread = { .tid = 1, .name = "main",
				     .h = { .process = &shim_process,
					    .abi = &shim_lthread } };

/* The background writer of fs/ext2/writeback.c: made, never run here. */
__attribute__((weak)) struct thread *thread_create(const char *name,
						   void (*fn)(void *),
						   void *arg, bool program)
{
	(void)name;
	(void)fn;
	(void)arg;
	(void)program;
	return &shim_thread;
}

struct thread *thread_current(void) { return &shim_thread; }
/* The accessors of sched/threadinfo.c (skiff/sched.h) over that thread. */
int thread_id(struct thread *t) { return t->tid; }
struct process *thread_process(struct thread *t) { return t->h.process; }
struct lthread *thread_abi(struct thread *t) { return t->h.abi; }
void thread_set_name(struct thread *t, const char name[THREAD_NAME_LEN])
{
	memcpy(t->name, name, THREAD_NAME_LEN);
}
void thread_summary(struct thread *t, struct thread_summary *s)
{
	s->tid = t->tid;
	s->running = true;
	s->process = t->h.process;
	memcpy(s->name, t->name, THREAD_NAME_LEN);
}
/* The test's one process: its fd table and fs context made on first use. */
struct process *process_current(void)
{
	if (!shim_process.files)
		shim_process.files = fd_table_create();
	if (!shim_process.fs)
		shim_process.fs = fs_context_create();
	return &shim_process;
}
int thread_tid(void) { return 1; }

/* The process tree of sched/process.c: the one process, pid 1. */
static struct list shim_table = { &shim_table, &shim_table };
void process_tree_lock(void) {}
void process_tree_unlock(void) {}
struct list *process_table(void)
{
	if (list_empty(&shim_table))
		list_push_back(&shim_table, &shim_process.table_link);
	return &shim_table;
}
void process_get(struct process *p) { (void)p; }
struct thread *thread_find(int tid) { return tid == 1 ? &shim_thread : NULL; }
void process_put(struct process *p) { (void)p; }
struct process *process_lookup(int pid)
{
	return pid == 1 ? process_current() : NULL;
}
void process_for_each(bool (*fn)(struct process *p, void *arg), void *arg)
{
	fn(process_current(), arg);
}

void thread_for_each(void (*fn)(struct thread *, void *), void *arg)
{
	fn(&shim_thread, arg);
}

/* Pending signals as bits only: the tests send none through queues. */
void signal_claim(struct thread *t)
{
	struct lthread *lt = t->h.abi;

	lt->pending.set |= shim_lproc.shared.set & ~lt->sigmask;
	shim_lproc.shared.set &= lt->sigmask;
}

void signal_set_mask(u64 mask)
{
	shim_lthread.sigmask = mask & ~UNBLOCKABLE;
	signal_claim(&shim_thread);
}

void process_sig_summary(struct process *p, struct thread *t,
			 struct process_sig_summary *s)
{
	memset(s, 0, sizeof(*s));
	for (int sig = 1; sig <= NSIG; sig++) {
		u64 h = shim_lproc.actions[sig - 1].handler;
		if (h == SIG_IGN)
			s->ignored |= sigbit(sig);
		else if (h != SIG_DFL)
			s->caught |= sigbit(sig);
	}
	s->shared_pending = p ? shim_lproc.shared.set : 0;
	if (t) {
		s->blocked = shim_lthread.sigmask;
		s->pending = shim_lthread.pending.set;
	}
}

/* No address space on the host: /proc/self/maps is empty. */
void vm_fault_stats(u64 *count, u64 *cycles)
{
	if (count)
		*count = 0;
	if (cycles)
		*cycles = 0;
}

void vm_space_fault_stats(struct vm_space *vs, u64 *count, u64 *cycles)
{
	(void)vs;
	vm_fault_stats(count, cycles);
}

int vm_for_each_area(void (*fn)(const struct vm_area_info *a, void *arg),
		     void *arg)
{
	(void)fn;
	(void)arg;
	return 0;
}

int vm_space_for_each_area(struct vm_space *vs,
			   void (*fn)(const struct vm_area_info *a, void *arg),
			   void *arg)
{
	(void)vs;
	return vm_for_each_area(fn, arg);
}

void vm_space_get(struct vm_space *vs)
{
	(void)vs;
}

void vm_space_put(struct vm_space *vs)
{
	(void)vs;
}

u64 tsc_rate_khz(void) { return 1000000; }
/* arch/x86_64/smp.c: the CPUs running (fs/procfs counts them). */
int cpu_count(void) { return 1; }

/* Timers: armed ones wait in a list until shim_run_timers() finds them due. */
static struct ktimer *armed[64];

void ktimer_set(struct ktimer *k, u64 deadline_ns)
{
	size_t free_slot = ARRAY_SIZE(armed);

	for (size_t i = 0; i < ARRAY_SIZE(armed); i++) {
		if (armed[i] == k)
			armed[i] = NULL;
		if (!armed[i] && free_slot == ARRAY_SIZE(armed))
			free_slot = i;
	}
	k->node.deadline = deadline_ns;
	if (deadline_ns && free_slot < ARRAY_SIZE(armed))
		armed[free_slot] = k;
}

void shim_run_timers(void)
{
	u64 now = time_monotonic_ns();

	for (size_t i = 0; i < ARRAY_SIZE(armed); i++) {
		struct ktimer *k = armed[i];

		if (k && k->node.deadline <= now) {
			armed[i] = NULL;
			k->node.deadline = 0;
			k->fn(k);
		}
	}
}

void signal_send_thread(struct thread *t, int sig,
			const struct linux_siginfo *info)
{
	(void)t;
	(void)info;
	shim_signals_sent[sig % 64]++;
}

/* /proc/net's text without a network (fs/procfs/net.c). */
long net_proc_text(const char *name, char **buf)
{
	(void)name;
	(void)buf;
	return -ENOENT;
}

/* linux/file.c asks whether a file is a socket (net/ is not linked in:
 * no file is one). */
struct socket *sock_of_file(struct file *f) { return NULL; }
struct iovec;
long socket_iov_rw(struct file *f, const struct iovec *iov, int cnt,
		   bool write)
{
	return -ENOTSOCK;
}

/*
 * sched/process.c: struct process (include/skiff/process.h): creating it,
 * the thread count, the process tree and pid table, the exit state the
 * ABI layer's wait reads, and the calls into the ABI layer's ops.
 * Layer: sched.
 *
 * Invariants (tree_lock held):
 *   1. a process is in the table (table_link) iff its state is not
 *      PROCESS_REAPED and it was added (process_add_child); the table is in
 *      pid order, since pids only grow and processes are appended.
 *   2. every process in the table but pid 1 has a parent in the table, and
 *      is on that parent's children list (sibling); pid 1 has none.
 *   3. a PROCESS_ZOMBIE has no threads and no children.
 *   4. the table holds one reference on each process in it.
 * Pid 1 is created and put in the table by sched_init (process_boot).
 */
#include <skiff/errno.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include <skiff/process.h>
#include "thread.h"

static const struct process_abi_ops *abi_ops;
static struct spinlock tree_lock = SPINLOCK_INIT;
static struct list table = { &table, &table };
static struct process *init_process;
static int nprocs;

struct process *process_create(int pid)
{
	struct process *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->pid = pid;
	p->refs = 1;
	p->pgid = p->sid = pid;
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->table_link);
	waitq_init(&p->child_wq);
	waitq_init(&p->vfork_wq);
	return p;
}

void process_boot(struct process *p)
{
	spin_lock(&tree_lock);
	init_process = p;
	list_push_back(&table, &p->table_link);
	nprocs++;
	spin_unlock(&tree_lock);
}

void process_tree_lock(void)
{
	spin_lock(&tree_lock);
}

void process_tree_unlock(void)
{
	spin_unlock(&tree_lock);
}

struct process *process_init(void)
{
	process_tree_lock();
	struct process *p = init_process;
	process_tree_unlock();
	return p;
}

void process_add_child(struct process *parent, struct process *child)
{
	process_tree_lock();
	child->parent = parent;
	__atomic_store_n(&child->ppid, parent ? parent->pid : 0, __ATOMIC_RELAXED);
	child->pgid = parent->pgid;
	child->sid = parent->sid;
	list_push_back(&parent->children, &child->sibling);
	list_push_back(&table, &child->table_link);
	nprocs++;
	process_tree_unlock();
}

void process_get(struct process *p)
{
	__atomic_fetch_add(&p->refs, 1, __ATOMIC_RELAXED);
}

void process_put(struct process *p)
{
	if (!p || __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (p->pid == 1)
		panic("pid 1 freed");
	if (abi_ops && p->abi)
		abi_ops->process_free(p);
	kfree(p->exe);
	kfree(p->cmdline.buf);
	kfree(p->environ.buf);
	kfree(p->auxv.buf);
	kfree(p);
}

struct process *process_lookup(int pid)
{
	struct process *found = NULL;

	process_tree_lock();
	list_for_each(it, &table) {
		struct process *p = list_entry(it, struct process, table_link);
		if (p->pid == pid) {
			found = p;
			process_get(p);
			break;
		}
	}
	process_tree_unlock();
	return found;
}

void process_for_each(bool (*fn)(struct process *p, void *arg), void *arg)
{
	process_tree_lock();
	list_for_each(it, &table) {
		if (fn(list_entry(it, struct process, table_link), arg))
			break;
	}
	process_tree_unlock();
}

struct list *process_table(void)
{
	assert_held(&tree_lock);
	return &table;
}

int process_count(void)
{
	return __atomic_load_n(&nprocs, __ATOMIC_RELAXED);
}

void process_reap_locked(struct process *p)
{
	assert_held(&tree_lock);
	if (p->state == PROCESS_REAPED)
		return;
	p->state = PROCESS_REAPED;
	if (p->parent) {
		p->parent->children_cpu_ns += p->cpu_ns + p->children_cpu_ns;
		list_remove(&p->sibling);
		p->parent = NULL;
		__atomic_store_n(&p->ppid, 0, __ATOMIC_RELAXED);
	}
	list_remove(&p->table_link);
	nprocs--;
	process_put(p); /* the table's; a thread or a lookup may hold more */
}

/* Gives p's children to pid 1; tree_lock held. */
static void reparent_children(struct process *p)
{
	bool zombie = false;

	while (!list_empty(&p->children)) {
		struct process *c = list_entry(p->children.next, struct process,
					       sibling);
		list_remove(&c->sibling);
		c->parent = init_process;
		c->adopted = true;
		__atomic_store_n(&c->ppid, init_process->pid, __ATOMIC_RELAXED);
		list_push_back(&init_process->children, &c->sibling);
		zombie |= c->state == PROCESS_ZOMBIE;
	}
	if (zombie)
		waitq_wake_all(&init_process->child_wq);
}

void process_end(struct process *p, int status, bool reap)
{
	memcpy(p->comm, thread_current()->name, sizeof(p->comm));
	process_tree_lock();
	reparent_children(p);
	p->exit_status = status;
	p->state = PROCESS_ZOMBIE;
	p->vfork_active = false;
	waitq_wake_all(&p->vfork_wq);
	if (p->parent)
		waitq_wake_all(&p->parent->child_wq);
	if (reap)
		process_reap_locked(p);
	process_tree_unlock();
}

void process_report_stop(struct process *p, int status)
{
	process_tree_lock();
	p->stop_report = status;
	if (p->parent)
		waitq_wake_all(&p->parent->child_wq);
	process_tree_unlock();
}

void process_vfork_done(struct process *child)
{
	process_tree_lock();
	child->execed = true;
	child->vfork_active = false;
	waitq_wake_all(&child->vfork_wq);
	process_tree_unlock();
}

void process_vfork_wait(struct process *child)
{
	struct thread *self = thread_current();

	process_tree_lock();
	while (child->vfork_active) {
		if (waitq_sleep(&child->vfork_wq, &tree_lock, 0) == -EINTR &&
		    process_signal_pending(self))
			break;
	}
	process_tree_unlock();
}

int process_wait_children(struct process *p)
{
	assert_held(&tree_lock);
	return waitq_sleep(&p->child_wq, &tree_lock, 0);
}

void process_thread_started(struct process *p)
{
	__atomic_fetch_add(&p->live_threads, 1, __ATOMIC_SEQ_CST);
}

bool process_thread_exiting(struct process *p)
{
	return __atomic_sub_fetch(&p->live_threads, 1, __ATOMIC_SEQ_CST) == 0;
}

void process_set_abi_ops(const struct process_abi_ops *ops)
{
	abi_ops = ops;
}

bool process_signal_pending(struct thread *t)
{
	return abi_ops && t->h.abi && abi_ops->signal_pending(t);
}

void process_abi_thread_free(struct thread *t)
{
	if (abi_ops && t->h.abi)
		abi_ops->thread_free(t);
}

void process_sig_summary(struct process *p, struct thread *t,
			 struct process_sig_summary *s)
{
	memset(s, 0, sizeof(*s));
	if (abi_ops && p)
		abi_ops->sig_summary(p, t, s);
}

/*
 * sched/thread.c: creating threads, the idle thread, and the boot context
 * becoming the program's main thread.
 */
#include <skiff/arch.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include "thread.h"

extern void thread_trampoline(void);
extern u8 boot_stack_top[];
void sched_add(struct thread *t);
void sched_cpu_init(void);

static struct thread main_thread;
static int next_tid = 1;
static struct spinlock all_lock = SPINLOCK_INIT;
static struct list all_threads = { &all_threads, &all_threads };

struct thread *thread_find(int tid)
{
	struct thread *found = NULL;

	spin_lock(&all_lock);
	list_for_each(it, &all_threads) {
		struct thread *t = list_entry(it, struct thread, all_link);
		if (t->tid == tid && t->state != THREAD_DEAD)
			found = t;
	}
	spin_unlock(&all_lock);
	return found;
}

void thread_for_each(void (*fn)(struct thread *, void *), void *arg)
{
	spin_lock(&all_lock);
	list_for_each(it, &all_threads) {
		struct thread *t = list_entry(it, struct thread, all_link);
		if (t->state != THREAD_DEAD && t->fpu_area && !t->leaving)
			fn(t, arg);
	}
	spin_unlock(&all_lock);
}

void thread_leaving(void)
{
	spin_lock(&all_lock);
	thread_current()->leaving = true;
	spin_unlock(&all_lock);
}

static void all_add(struct thread *t)
{
	spin_lock(&all_lock);
	list_push_back(&all_threads, &t->all_link);
	spin_unlock(&all_lock);
}


/* The XSAVE area, 64-byte aligned, at the start of a block of pages. */
static u8 *alloc_fpu_area(void)
{
	u8 *a = page_alloc(ALIGN_UP(cpu_feat.xsave_size, PAGE_SIZE) / PAGE_SIZE);

	if (a)
		memcpy(a, fpu_initial_state, cpu_feat.xsave_size);
	return a;
}

static void free_fpu_area(u8 *a)
{
	if (a)
		page_free(a, ALIGN_UP(cpu_feat.xsave_size, PAGE_SIZE) / PAGE_SIZE);
}

void thread_free(struct thread *t)
{
	spin_lock(&all_lock);
	list_remove(&t->all_link);
	spin_unlock(&all_lock);
	process_abi_thread_free(t);
	if (t == &main_thread) /* its stack is the boot stack */
		return;
	process_put(t->h.process);
	page_free(t->kstack, KSTACK_SIZE / PAGE_SIZE);
	free_fpu_area(t->fpu_area);
	kfree(t);
}

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg,
			     bool program)
{
	return thread_create_in(program ? process_current() : NULL, name, fn,
				arg);
}

struct thread *thread_create_in(struct process *p, const char *name,
				void (*fn)(void *), void *arg)
{
	struct thread *t;
	bool program = p != NULL;

	sched_reap();
	t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->kstack = page_alloc(KSTACK_SIZE / PAGE_SIZE);
	if (!t->kstack)
		goto out_free_thread;
	if (program && !(t->fpu_area = alloc_fpu_area()))
		goto out_free_stack;
	t->kstack_top = (u64)t->kstack + KSTACK_SIZE;
	t->tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
	t->h.process = p;
	/* A program's thread keeps its creator's CPUs (clone, fork). */
	struct thread *cur = thread_current();
	t->affinity = p && cur && cur->h.process ? cur->affinity : ~0u;
	if (p) {
		if (!p->pid)
			p->pid = t->tid;
		process_get(p);
	}
	str_lcpy(t->name, name, sizeof(t->name));
	list_init(&t->wait_link);
	all_add(t);

	/*
	 * The frame switch_to pops, below one spare word that keeps the
	 * trampoline's calls 16-byte aligned.
	 */
	struct switch_frame *f = (struct switch_frame *)(t->kstack_top - 8) - 1;
	*f = (struct switch_frame){ .r12 = (u64)fn, .r13 = (u64)arg,
				    .rip = (u64)thread_trampoline };
	t->h.rsp = (u64)f;
	if (fn)
		sched_add(t);
	return t;

out_free_stack:
	page_free(t->kstack, KSTACK_SIZE / PAGE_SIZE);
out_free_thread:
	kfree(t);
	return NULL;
}

void thread_start(struct thread *t, void (*fn)(void *), void *arg)
{
	struct switch_frame *f = (struct switch_frame *)t->h.rsp;

	f->r12 = (u64)fn;
	f->r13 = (u64)arg;
	if (t->h.process)
		process_thread_started(t->h.process);
	sched_add(t);
}

static void idle_loop(void *arg)
{
	for (;;) {
		irq_disable();
		if (!sched_need_resched())
			asm volatile("sti; hlt" : : : "memory");
		irq_enable();
		schedule();
	}
}

void sched_init(void)
{
	struct percpu *cpu = this_cpu();
	struct thread *t = &main_thread;

	sched_cpu_init();
	t->tid = next_tid++;
	t->state = THREAD_RUNNABLE;
	t->affinity = ~0u;
	t->kstack = (u8 *)((u64)boot_stack_top - KSTACK_SIZE);
	t->kstack_top = (u64)boot_stack_top;
	t->fpu_area = alloc_fpu_area();
	t->h.process = process_create(1);
	str_lcpy(t->name, "main", sizeof(t->name));
	list_init(&t->wait_link);
	all_add(t);
	cpu->current = t;
	cpu->idle = thread_create("idle", NULL, NULL, false);
	if (!t->fpu_area || !t->h.process || !cpu->idle)
		panic("out of memory creating the first threads");
	process_thread_started(t->h.process);
	process_boot(t->h.process);
	cpu->idle->state = THREAD_RUNNABLE;
	cpu->idle->idle = true;
	cpu->idle->affinity = 1u;
	/* The idle thread starts in idle_loop the first time it is picked. */
	((struct switch_frame *)cpu->idle->h.rsp)->r12 = (u64)idle_loop;
}

void sched_init_ap(void)
{
	struct percpu *cpu = this_cpu();
	struct thread *t = kzalloc(sizeof(*t));

	if (!t)
		panic("out of memory for CPU %d's idle thread", cpu->cpu_id);
	sched_cpu_init();
	t->tid = 0;
	t->state = THREAD_RUNNABLE;
	t->idle = true;
	t->cpu = cpu->cpu_id;
	t->affinity = 1u << cpu->cpu_id;
	t->kstack = (u8 *)cpu->kstack_base;
	t->kstack_top = cpu->kstack_top;
	str_lcpy(t->name, "idle", sizeof(t->name));
	list_init(&t->wait_link);
	cpu->idle = t;
	cpu->current = t;
}

void sched_idle(void)
{
	idle_loop(NULL);
	panic("the idle loop ended");
}

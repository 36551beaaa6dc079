/*
 * sched/thread.c: creating threads, the idle thread, and the boot context
 * becoming the program's main thread.
 */
#include <skiff/arch.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include <skiff/time.h>
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

/*
 * Under TCG, QEMU's software TLB starts with 256 entries and is resized
 * only when it is flushed (by how full it was since the last flush). A
 * program that never reloads CR3 (one address space, no fork: most
 * programs here) keeps 256 entries for good: redis's working set missed
 * them ~440 times per batch of 16 pipelined GETs, against ~30 in a Linux
 * guest, whose context switches flush. So an idle CPU reloads its CR3,
 * at most every TLB_REFRESH_NS: QEMU then sizes the TLB to the working
 * set (a CPU that never idles keeps the size of its last idle). On
 * hardware it is a flush of this CPU's TLB for the current PCID a few
 * dozen times a second, when idle. (docs/performance.md, "Network
 * servers")
 */
#define TLB_REFRESH_NS 20000000ull

static void tlb_refresh(u64 *last)
{
	u64 now = time_monotonic_ns();

	if (now - *last >= TLB_REFRESH_NS) {
		*last = now;
		write_cr3(read_cr3());
	}
}

static void idle_loop(void *arg)
{
	/* Per CPU (each has its idle thread); none in the first 20 ms, so
	 * that a short program's boot pays no refill. */
	u64 last_refresh = time_monotonic_ns();

	for (;;) {
		irq_disable();
		tlb_refresh(&last_refresh);
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
	/* The idle thread starts in idle_loop the first time it is picked. */
	((struct switch_frame *)cpu->idle->h.rsp)->r12 = (u64)idle_loop;
}

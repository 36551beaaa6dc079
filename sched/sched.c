/*
 * sched/sched.c: the run queue, the timer list and the context switch.
 *
 * One scheduler lock (a raw spinlock taken with interrupts off) guards the
 * run queue, every thread's state, the wait queues' sleeper lists and the
 * timer list. It is held across switch_to and released by the thread that
 * resumes (or by sched_thread_start in a new thread).
 *
 * Fairness, as a small CFS: each thread's vruntime counts the CPU time it
 * used; the run queue is kept in vruntime order and the thread that used
 * least runs next. A thread that wakes from a sleep comes back no further
 * behind than half a slice, and preempts the running thread if it has used
 * clearly less: so a lock handed to a sleeping waiter is taken at once,
 * and a CPU-bound thread cannot starve the others.
 *
 * Tickless: the LAPIC timer is armed for the earliest sleeper's deadline,
 * or for the end of the time slice when others are waiting to run.
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/time.h>
#include "../arch/x86_64/cpu.h"
#include "../arch/x86_64/lapic.h"
#include "../arch/x86_64/percpu.h"
#include "thread.h"

void thread_free(struct thread *t);

#define SLICE_NS 4000000ull /* 4 ms */
#define WAKEUP_GRAN_NS 1000000ull /* a waker keeps the CPU unless this far ahead */

static volatile u32 sched_lock;
static struct list runq = { &runq, &runq };
static struct list timers = { &timers, &timers }; /* sorted by deadline */
static struct list ktimers = { &ktimers, &ktimers }; /* sorted by deadline */
static u64 slice_end;
static u64 min_vruntime; /* the smallest vruntime among runnable threads */
static struct list zombies = { &zombies, &zombies }; /* exited, stack not freed */

extern void switch_to(struct context *old, struct context *new);

static void lock(void)
{
	while (__atomic_exchange_n(&sched_lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void unlock(void)
{
	__atomic_store_n(&sched_lock, 0, __ATOMIC_RELEASE);
}

struct thread *thread_current(void)
{
	return this_cpu()->current;
}

int thread_tid(void)
{
	return this_cpu()->current->tid;
}

static void enqueue(struct thread *t)
{
	struct list *pos = &runq;

	if (t->on_runq || t == this_cpu()->idle)
		return;
	list_for_each(it, &runq) {
		if (list_entry(it, struct thread, run_link)->vruntime > t->vruntime)
			break;
		pos = it;
	}
	list_insert_after(pos, &t->run_link);
	t->on_runq = true;
}

/* CPU time the running thread has used, including the current stretch. */
static u64 current_vruntime(struct thread *t, u64 now)
{
	return t->vruntime + (now > t->run_start ? now - t->run_start : 0);
}

static void timer_remove(struct thread *t)
{
	if (t->deadline) {
		list_remove(&t->timer_link);
		t->deadline = 0;
	}
}

static void timer_insert(struct thread *t, u64 deadline)
{
	struct list *pos = &timers;

	t->deadline = deadline;
	list_for_each(it, &timers) {
		if (list_entry(it, struct thread, timer_link)->deadline > deadline)
			break;
		pos = it;
	}
	list_insert_after(pos, &t->timer_link);
}

/* Makes a sleeping thread runnable with result r. Scheduler lock held. */
static void wake_locked(struct thread *t, int r)
{
	if (t->state != THREAD_SLEEPING)
		return;
	if (t->wq) {
		list_remove(&t->wait_link);
		t->wq = NULL;
	}
	timer_remove(t);
	t->wake_result = r;
	t->state = THREAD_RUNNABLE;
	/* A sleeper keeps at most half a slice of credit. */
	if (t->vruntime + SLICE_NS / 2 < min_vruntime)
		t->vruntime = min_vruntime - SLICE_NS / 2;
	enqueue(t);
	struct thread *cur = this_cpu()->current;
	if (cur == this_cpu()->idle ||
	    t->vruntime + WAKEUP_GRAN_NS <
		    current_vruntime(cur, time_monotonic_ns()))
		this_cpu()->need_resched = true;
}

/* Arms the timer for the next event. Scheduler lock held. */
static void rearm(void)
{
	u64 next = 0;

	if (!list_empty(&timers))
		next = list_entry(timers.next, struct thread, timer_link)->deadline;
	if (!list_empty(&ktimers)) {
		u64 k = list_entry(ktimers.next, struct ktimer, link)->deadline;
		if (!next || k < next)
			next = k;
	}
	/* slice_end is 0 until the first switch: "now", not "never". */
	if (!list_empty(&runq) && (!next || slice_end < next))
		next = MAX(slice_end, 1);
	lapic_timer_arm(next);
}

static void switch_fpu_and_tls(struct thread *prev, struct thread *next)
{
	if (prev->fpu_area) {
		fpu_save(prev->fpu_area);
		prev->fs_base = rdmsr(MSR_FS_BASE);
	}
	if (next->fpu_area) {
		fpu_restore(next->fpu_area);
		wrmsr(MSR_FS_BASE, next->fs_base);
	}
}

/* Picks the next thread and switches to it. Lock held, IRQs off. */
static void schedule_locked(void)
{
	struct percpu *cpu = this_cpu();
	struct thread *prev = cpu->current, *next;

	u64 now = time_monotonic_ns();
	cpu->need_resched = false;
	if (prev != cpu->idle) {
		u64 ran = now > prev->run_start ? now - prev->run_start : 0;
		prev->vruntime += ran;
		prev->cpu_ns += ran;
		if (prev->process)
			prev->process->cpu_ns += ran;
	}
	if (prev->state == THREAD_RUNNABLE)
		enqueue(prev);
	if (list_empty(&runq)) {
		next = cpu->idle;
	} else {
		next = list_entry(runq.next, struct thread, run_link);
		list_remove(&next->run_link);
		next->on_runq = false;
	}
	if (next != cpu->idle) {
		min_vruntime = MAX(min_vruntime, next->vruntime);
		next->run_start = now;
	}
	slice_end = now + SLICE_NS;
	rearm();
	if (next == prev)
		return;
	switch_fpu_and_tls(prev, next);
	cpu->current = next;
	cpu->kstack_top = next->kstack_top;
	cpu->kstack_base = (u64)next->kstack;
	switch_to(&prev->ctx, &next->ctx);
}

void schedule(void)
{
	u64 flags = irq_save();

	lock();
	schedule_locked();
	unlock();
	irq_restore(flags);
}

void sched_yield(void)
{
	struct thread *t = thread_current();
	u64 flags = irq_save();

	lock();
	/* Go behind every runnable thread, as CFS's yield does. */
	if (!list_empty(&runq)) {
		u64 last = list_entry(runq.prev, struct thread, run_link)->vruntime;
		u64 now = time_monotonic_ns();
		if (current_vruntime(t, now) <= last) {
			t->vruntime = last + 1;
			t->run_start = now;
		}
	}
	schedule_locked();
	unlock();
	irq_restore(flags);
}

/* The first code a new thread runs (from thread_trampoline). */
void sched_thread_start(void)
{
	unlock();
	irq_enable();
}

u64 sched_thread_cpu_ns(void)
{
	struct thread *t = thread_current();
	u64 flags = irq_save();
	u64 now = time_monotonic_ns();
	u64 ns = t->cpu_ns + (now > t->run_start ? now - t->run_start : 0);

	irq_restore(flags);
	return ns;
}

u64 thread_cpu_ns(struct thread *t)
{
	u64 flags = irq_save();
	u64 ns = t->cpu_ns;

	if (t == thread_current()) {
		u64 now = time_monotonic_ns();
		ns += now > t->run_start ? now - t->run_start : 0;
	}
	irq_restore(flags);
	return ns;
}

u64 sched_process_cpu_ns(void)
{
	struct thread *t = thread_current();
	u64 flags = irq_save();
	u64 now = time_monotonic_ns();
	u64 ns = t->process ? t->process->cpu_ns : 0;

	if (t != this_cpu()->idle)
		ns += now > t->run_start ? now - t->run_start : 0;
	irq_restore(flags);
	return ns;
}

bool sched_need_resched(void)
{
	return this_cpu()->need_resched;
}

void sched_timer_tick(void)
{
	u64 now = time_monotonic_ns();

	lock();
	while (!list_empty(&timers)) {
		struct thread *t = list_entry(timers.next, struct thread, timer_link);
		if (t->deadline > now)
			break;
		wake_locked(t, -ETIMEDOUT);
	}
	while (!list_empty(&ktimers)) {
		struct ktimer *k = list_entry(ktimers.next, struct ktimer, link);
		if (k->deadline > now)
			break;
		list_remove(&k->link);
		k->deadline = 0;
		unlock();
		k->fn(k); /* may send a signal, waking threads */
		lock();
	}
	if (!list_empty(&runq) && now >= slice_end)
		this_cpu()->need_resched = true;
	rearm();
	unlock();
}

void ktimer_set(struct ktimer *k, u64 deadline_ns)
{
	u64 flags = irq_save();
	struct list *pos = &ktimers;

	lock();
	if (k->deadline)
		list_remove(&k->link);
	k->deadline = deadline_ns;
	if (deadline_ns) {
		list_for_each(it, &ktimers) {
			if (list_entry(it, struct ktimer, link)->deadline > deadline_ns)
				break;
			pos = it;
		}
		list_insert_after(pos, &k->link);
	}
	rearm();
	unlock();
	irq_restore(flags);
}

static void spin_release(struct spinlock *l, u64 *flags)
{
	*flags = l->saved_flags;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

int waitq_sleep(struct waitq *wq, struct spinlock *lk, u64 deadline_ns)
{
	struct thread *t = thread_current();
	u64 lk_flags = 0, flags = irq_save();
	int r;

	lock();
	if (lk)
		spin_release(lk, &lk_flags);
	if (!t->uninterruptible && process_signal_pending(t)) {
		r = -EINTR;
		goto out;
	}
	if (deadline_ns && deadline_ns <= time_monotonic_ns()) {
		r = -ETIMEDOUT;
		goto out;
	}
	t->state = THREAD_SLEEPING;
	t->wake_result = 0;
	if (wq) {
		t->wq = wq;
		list_push_back(&wq->sleepers, &t->wait_link);
	}
	if (deadline_ns)
		timer_insert(t, deadline_ns);
	schedule_locked();
	r = t->wake_result;
out:
	unlock();
	if (lk) {
		spin_lock(lk);
		lk->saved_flags = lk_flags;
	}
	irq_restore(flags);
	return r;
}

static void wake(struct waitq *wq, bool all)
{
	u64 flags = irq_save();

	lock();
	while (!list_empty(&wq->sleepers)) {
		wake_locked(list_entry(wq->sleepers.next, struct thread, wait_link), 0);
		if (!all)
			break;
	}
	unlock();
	irq_restore(flags);
}

void waitq_wake_one(struct waitq *wq)
{
	wake(wq, false);
}

void waitq_wake_all(struct waitq *wq)
{
	wake(wq, true);
}

int waitq_wake_match(struct waitq *wq, bool (*match)(struct thread *, void *),
		     void *arg, int max, struct waitq *to)
{
	u64 flags = irq_save();
	int n = 0;

	lock();
	list_for_each_safe(it, tmp, &wq->sleepers) {
		if (n >= max)
			break;
		struct thread *t = list_entry(it, struct thread, wait_link);
		if (!match(t, arg))
			continue;
		if (to && to != wq) {
			list_remove(&t->wait_link);
			list_push_back(&to->sleepers, &t->wait_link);
			t->wq = to;
		} else if (!to) {
			wake_locked(t, 0);
		}
		n++;
	}
	unlock();
	irq_restore(flags);
	return n;
}

void thread_exit(void)
{
	struct thread *t = thread_current();

	irq_disable();
	lock();
	t->state = THREAD_DEAD;
	timer_remove(t);
	list_push_back(&zombies, &t->run_link);
	schedule_locked();
	panic("a dead thread ran again");
}

void sched_reap(void)
{
	u64 flags = irq_save();
	struct list mine;

	list_init(&mine);
	lock();
	list_for_each_safe(it, tmp, &zombies) {
		struct thread *t = list_entry(it, struct thread, run_link);
		if (t == this_cpu()->current)
			continue;
		list_remove(it);
		list_push_back(&mine, it);
	}
	unlock();
	irq_restore(flags);
	list_for_each_safe(it, tmp, &mine) {
		struct thread *t = list_entry(it, struct thread, run_link);
		thread_free(t);
	}
}

/* Wakes t from any sleep with -EINTR (a signal arrived). */
void sched_interrupt(struct thread *t)
{
	u64 flags = irq_save();

	lock();
	if (!t->uninterruptible)
		wake_locked(t, -EINTR);
	unlock();
	irq_restore(flags);
}

int sched_sleep_until(u64 deadline_ns)
{
	int r = waitq_sleep(NULL, NULL, deadline_ns);

	return r == -ETIMEDOUT ? 0 : r;
}

void sched_add(struct thread *t)
{
	u64 flags = irq_save();

	lock();
	t->state = THREAD_RUNNABLE;
	t->vruntime = min_vruntime;
	enqueue(t);
	rearm();
	unlock();
	irq_restore(flags);
}

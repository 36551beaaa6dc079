/*
 * sched/sched.c: the per-CPU scheduler: run queue, timers, context switch,
 * sleeping and waking. Interface: skiff/sched.h and sched/thread.h.
 *
 * Every CPU shares one struct sched_cpu (reached through
 * this_cpu()->sched): the run queue (sched/runq.c), the threads sleeping
 * with a deadline and the kernel timers (two sched/timerq.c queues), and
 * the lock that guards them. One queue for all CPUs: a thread made
 * runnable goes to an idle CPU it may run on if there is one (an IPI,
 * place_locked), and a CPU takes the next thread its affinity allows
 * (runq_pop_on) whichever CPU queued it; with the few CPUs a Skiff VM
 * has, one lock costs less than balancing would (docs/kernel.md, Several
 * CPUs). Each CPU arms its own timer for the earliest deadline it knows
 * of. The lock is a raw spinlock taken with interrupts off; it also guards every thread's state and the wait queues'
 * sleeper lists. It is held across switch_to and released by the thread
 * that resumes (or by sched_thread_start in a new thread). Functions named
 * *_locked want it held, and check it.
 *
 * Invariants (the first two are asserted where they are needed):
 *  1. the lock is held only with interrupts off, once per CPU;
 *  2. waitq_sleep runs with the caller's lock held, or with interrupts on,
 *     and never in the idle thread;
 *  3. a thread is on the run queue exactly when it is runnable and neither
 *     running nor the idle thread (sched/runq.c checks on_runq);
 *  4. a thread's timer is queued exactly while it sleeps with a deadline.
 *
 * Fairness, as a small CFS: each thread's vruntime counts the CPU time it
 * used; the run queue is ordered by vruntime and the thread that used
 * least runs next. A thread that wakes from a sleep comes back no further
 * behind than half a slice, and preempts the running thread if it has used
 * clearly less: so a lock handed to a sleeping waiter is taken at once,
 * and a CPU-bound thread cannot starve the others.
 *
 * Tickless: the LAPIC timer is armed for the earliest deadline of either
 * timer queue, or for the end of the time slice when others are waiting to
 * run; nothing fires while nothing is due.
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/time.h>
#include "runq.h"
#include "thread.h"
#include "timerq.h"

void thread_free(struct thread *t);

/* One CPU's scheduler state. */
struct sched_cpu {
	volatile u32 lock;      /* 0 free, else the holder's cpu_id + 1 */
	struct runq runq;       /* runnable threads but the running one */
	struct timerq sleepers; /* struct thread.timer of sleeping threads */
	struct timerq ktimers;  /* struct ktimer.node */
	u64 slice_end[CPU_MAX]; /* end of each CPU's running slice, 0 at boot */
	struct list zombies;    /* exited, stack not freed (thread.wait_link) */
};

static struct sched_cpu boot_sched;

/* Saves the callee-saved registers on the stack, the stack pointer in
 * *old_rsp; loads *new_rsp and returns on that stack. */
extern void switch_to(u64 *old_rsp, u64 *new_rsp);

/* The accessors of skiff/sched.h read struct thread as a thread_head. */
_Static_assert(offsetof(struct thread, h) == 0,
	       "struct thread_head must open struct thread");

static struct sched_cpu *this_sched(void)
{
	return this_cpu()->sched;
}

static u32 lock_tag(void)
{
	return (u32)this_cpu()->cpu_id + 1;
}

#define assert_sched_locked(sc)                                              \
	do {                                                                 \
		assert_irqs_off();                                           \
		if ((sc)->lock != lock_tag())                                \
			panic("%s: this CPU does not hold the scheduler lock", \
			      __func__);                                     \
	} while (0)

static void lock(struct sched_cpu *sc)
{
	u32 free = 0, me = lock_tag();

	assert_irqs_off();
	if (sc->lock == me)
		panic("the scheduler lock is taken twice on CPU %u", me - 1);
	while (!__atomic_compare_exchange_n(&sc->lock, &free, me, false,
					    __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		free = 0;
		cpu_spin_poll();
	}
}

static void unlock(struct sched_cpu *sc)
{
	assert_sched_locked(sc);
	__atomic_store_n(&sc->lock, 0, __ATOMIC_RELEASE);
}


int thread_tid(void)
{
	return this_cpu()->current->tid;
}

static void enqueue_locked(struct sched_cpu *sc, struct thread *t)
{
	assert_sched_locked(sc);
	if (t->on_runq || t->idle)
		return;
	runq_add(&sc->runq, t);
}

/* CPU time the running thread has used, including the current stretch. */
static u64 current_vruntime(struct thread *t, u64 now)
{
	return t->vruntime + (now > t->run_start ? now - t->run_start : 0);
}

static void rearm_locked(struct sched_cpu *sc);

static bool may_run(const struct thread *t, int cpu)
{
	return t->affinity & (1u << cpu);
}

/* CPU c looks at its run queue at its next trap exit (an IPI brings
 * one at once when c is another CPU). */
static void resched_cpu(int c)
{
	struct percpu *p = cpu_percpu(c);

	p->need_resched = true;
	if (p != this_cpu())
		cpu_kick(c);
}

static bool idle_cpu(int c)
{
	struct percpu *p = cpu_percpu(c);

	return p && p->current == p->idle && !p->need_resched;
}

/*
 * t was queued: an idle CPU it may run on takes it (this one, the one it
 * last ran on, any other: an IPI wakes that one); else, woken and allowed
 * here, it preempts this CPU's thread when that has used clearly more;
 * else the first CPU it may run on takes a turn.
 */
static void place_locked(struct thread *t, bool woken)
{
	struct percpu *me = this_cpu();
	int c, here = me->cpu_id;

	if (may_run(t, here) && me->current == me->idle) {
		me->need_resched = true;
		return;
	}
	if (may_run(t, t->cpu) && idle_cpu(t->cpu)) {
		resched_cpu(t->cpu);
		return;
	}
	for (c = 0; c < cpu_count(); c++)
		if (may_run(t, c) && idle_cpu(c)) {
			resched_cpu(c);
			return;
		}
	if (may_run(t, here)) {
		if (woken && runq_wake_preempts(t->vruntime,
						current_vruntime(me->current,
								 time_monotonic_ns())))
			me->need_resched = true;
		/* Every CPU is busy: this one's slice end takes the
		 * queue's head (another may run a thread for ever). */
		rearm_locked(this_sched());
		return;
	}
	for (c = 0; c < cpu_count(); c++)
		if (may_run(t, c)) {
			resched_cpu(c);
			return;
		}
}

/* Makes a sleeping thread runnable with result r. */
static void wake_locked(struct sched_cpu *sc, struct thread *t, int r)
{
	assert_sched_locked(sc);
	if (t->state != THREAD_SLEEPING)
		return;
	if (t->wq) {
		list_remove(&t->wait_link);
		t->wq = NULL;
	}
	timerq_del(&sc->sleepers, &t->timer);
	t->wake_result = r;
	t->state = THREAD_RUNNABLE;
	t->vruntime = runq_wake_vruntime(&sc->runq, t->vruntime);
	enqueue_locked(sc, t);
	place_locked(t, true);
}

/* Arms the timer for the next event: the earliest deadline or slice end. */
static void rearm_locked(struct sched_cpu *sc)
{
	u64 next = timerq_next(&sc->sleepers);
	u64 k = timerq_next(&sc->ktimers);

	assert_sched_locked(sc);
	if (k && (!next || k < next))
		next = k;
	/* slice_end is 0 until the first switch: "now", not "never". */
	u64 end = sc->slice_end[this_cpu()->cpu_id];
	if (runq_first_on(&sc->runq, this_cpu()->cpu_id) &&
	    (!next || end < next))
		next = MAX(end, 1);
	/* Several CPUs: each beats for the watchdog (smp_watchdog). */
	if (cpu_count() > 1) {
		u64 beat = time_monotonic_ns() + WATCHDOG_TICK_NS;
		if (!next || beat < next)
			next = beat;
	}
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

/* Charges the running thread for the CPU time it used up to now. */
static void account_locked(struct percpu *cpu, struct thread *prev, u64 now)
{
	if (prev == cpu->idle)
		return;
	u64 ran = now > prev->run_start ? now - prev->run_start : 0;
	prev->vruntime += ran;
	prev->cpu_ns += ran;
	if (prev->h.process)
		prev->h.process->cpu_ns += ran;
}

/* Picks the next thread and switches to it. */
static void schedule_locked(struct sched_cpu *sc)
{
	struct percpu *cpu = this_cpu();
	struct thread *prev = cpu->current, *next;
	u64 now = time_monotonic_ns();

	assert_sched_locked(sc);
	cpu->need_resched = false;
	account_locked(cpu, prev, now);
	if (prev->state == THREAD_RUNNABLE) {
		enqueue_locked(sc, prev);
		if (!may_run(prev, cpu->cpu_id)) /* its affinity changed */
			place_locked(prev, false);
	}
	next = runq_pop_on(&sc->runq, cpu->cpu_id);
	if (next)
		next->run_start = now;
	else
		next = cpu->idle;
	sc->slice_end[cpu->cpu_id] = now + RUNQ_SLICE_NS;
	rearm_locked(sc);
	if (next == prev)
		return;
	switch_fpu_and_tls(prev, next);
	/* Another process's thread: its page table. Kernel threads run on
	 * whichever is loaded (they touch only the kernel half), and threads
	 * of one process share one, so a program that never forks never
	 * loads CR3 here (pt_activate compares first). */
	if (next->h.process && next->h.process->vm)
		vm_activate(next->h.process->vm);
	cpu->current = next;
	next->cpu = cpu->cpu_id;
	cpu->kstack_top = next->kstack_top;
	cpu->kstack_base = (u64)next->kstack;
	switch_to(&prev->h.rsp, &next->h.rsp);
}

void schedule(void)
{
	u64 flags = irq_save();
	struct sched_cpu *sc = this_sched();

	lock(sc);
	schedule_locked(sc);
	unlock(sc);
	irq_restore(flags);
}

void sched_yield(void)
{
	struct thread *t = thread_current();
	u64 flags = irq_save();
	struct sched_cpu *sc = this_sched();
	struct thread *last;

	lock(sc);
	/* Go behind every runnable thread, as CFS's yield does. */
	last = runq_last(&sc->runq);
	if (last) {
		u64 now = time_monotonic_ns();
		if (current_vruntime(t, now) <= last->vruntime) {
			t->vruntime = last->vruntime + 1;
			t->run_start = now;
		}
	}
	schedule_locked(sc);
	unlock(sc);
	irq_restore(flags);
}

/* The first code a new thread runs (from thread_trampoline). */
void sched_thread_start(void)
{
	unlock(this_sched());
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
	u64 ns = t->h.process ? t->h.process->cpu_ns : 0;

	if (t != this_cpu()->idle)
		ns += now > t->run_start ? now - t->run_start : 0;
	irq_restore(flags);
	return ns;
}


void sched_timer_tick(void)
{
	struct sched_cpu *sc = this_sched();
	u64 now = time_monotonic_ns();
	struct timerq_node *n;

	lock(sc);
	while ((n = timerq_pop_expired(&sc->sleepers, now)))
		wake_locked(sc, container_of(n, struct thread, timer),
			    -ETIMEDOUT);
	while ((n = timerq_pop_expired(&sc->ktimers, now))) {
		struct ktimer *k = container_of(n, struct ktimer, node);
		unlock(sc);
		k->fn(k); /* may send a signal, waking threads */
		lock(sc);
	}
	if (runq_first_on(&sc->runq, this_cpu()->cpu_id) &&
	    now >= sc->slice_end[this_cpu()->cpu_id])
		this_cpu()->need_resched = true;
	rearm_locked(sc);
	unlock(sc);
}

/*
 * The timer joins this CPU's queue. SMP: cancelling from another CPU will
 * need the CPU it was queued on.
 */
void ktimer_set(struct ktimer *k, u64 deadline_ns)
{
	u64 flags = irq_save();
	struct sched_cpu *sc = this_sched();

	lock(sc);
	if (deadline_ns)
		timerq_add(&sc->ktimers, &k->node, deadline_ns);
	else
		timerq_del(&sc->ktimers, &k->node);
	rearm_locked(sc);
	unlock(sc);
	irq_restore(flags);
}

static void spin_release(struct spinlock *l, u64 *flags)
{
	*flags = l->saved_flags;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/*
 * Checks what waitq_sleep requires: the caller holds lk, or, with nothing
 * to hand over, runs with interrupts on (interrupts off without a lock
 * means an interrupt handler or a spinlock the sleep would keep held).
 */
static void check_may_sleep(struct thread *t, struct spinlock *lk)
{
	if (t == this_cpu()->idle)
		panic("waitq_sleep: the idle thread must never sleep");
	if (lk)
		assert_held(lk);
	else if (!irq_enabled())
		panic("waitq_sleep: interrupts are off and no lock is handed over");
}

int waitq_sleep(struct waitq *wq, struct spinlock *lk, u64 deadline_ns)
{
	struct thread *t = thread_current();
	u64 lk_flags = 0, flags;
	struct sched_cpu *sc;
	int r;

	check_may_sleep(t, lk);
	flags = irq_save();
	sc = this_sched();
	lock(sc);
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
		timerq_add(&sc->sleepers, &t->timer, deadline_ns);
	schedule_locked(sc);
	r = t->wake_result;
out:
	unlock(sc);
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
	struct sched_cpu *sc = this_sched();

	lock(sc);
	while (!list_empty(&wq->sleepers)) {
		wake_locked(sc, list_entry(wq->sleepers.next, struct thread,
					   wait_link), 0);
		if (!all)
			break;
	}
	unlock(sc);
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
	struct sched_cpu *sc = this_sched();
	int n = 0;

	lock(sc);
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
			wake_locked(sc, t, 0);
		}
		n++;
	}
	unlock(sc);
	irq_restore(flags);
	return n;
}

void thread_exit(void)
{
	struct thread *t = thread_current();
	struct sched_cpu *sc;

	irq_disable();
	sc = this_sched();
	lock(sc);
	t->state = THREAD_DEAD;
	timerq_del(&sc->sleepers, &t->timer);
	/* Not on a waitq (it is running): wait_link is free for the zombies. */
	list_push_back(&sc->zombies, &t->wait_link);
	schedule_locked(sc);
	panic("a dead thread ran again");
}

void sched_reap(void)
{
	u64 flags = irq_save();
	struct sched_cpu *sc = this_sched();
	struct list mine;

	list_init(&mine);
	lock(sc);
	list_for_each_safe(it, tmp, &sc->zombies) {
		struct thread *t = list_entry(it, struct thread, wait_link);
		if (t == this_cpu()->current)
			continue;
		list_remove(it);
		list_push_back(&mine, it);
	}
	unlock(sc);
	irq_restore(flags);
	list_for_each_safe(it, tmp, &mine) {
		struct thread *t = list_entry(it, struct thread, wait_link);
		thread_free(t);
	}
}

/* Wakes t from any sleep with -EINTR (a signal arrived). */
void sched_interrupt(struct thread *t)
{
	u64 flags = irq_save();
	struct sched_cpu *sc = this_sched();

	lock(sc);
	if (!t->uninterruptible)
		wake_locked(sc, t, -EINTR);
	/* Running on another CPU: an interrupt there makes it look at its
	 * signals (trap.c's return to the program). */
	struct percpu *p = cpu_percpu(t->cpu);
	if (p && p->current == t && p != this_cpu())
		cpu_kick(t->cpu);
	unlock(sc);
	irq_restore(flags);
}

int sched_sleep_until(u64 deadline_ns)
{
	int r = waitq_sleep(NULL, NULL, deadline_ns);

	return r == -ETIMEDOUT ? 0 : r;
}

/*
 * A new thread joins the run queue. Started from an interrupt while the
 * CPU idles (a kthread's first wake, a ktimer's thread_start), it runs
 * when the interrupt returns, as a woken thread would (wake_locked), not
 * at the end of the idle thread's slice.
 */
void sched_add(struct thread *t)
{
	u64 flags = irq_save();
	struct sched_cpu *sc = this_sched();

	lock(sc);
	t->state = THREAD_RUNNABLE;
	t->vruntime = sc->runq.min_vruntime;
	enqueue_locked(sc, t);
	place_locked(t, false);
	rearm_locked(sc);
	unlock(sc);
	irq_restore(flags);
}

/* Gives the boot CPU the scheduler state, before any thread is added;
 * each other CPU joins it (sched_init_ap). */
void sched_cpu_init(void)
{
	struct sched_cpu *sc = &boot_sched;

	if (this_cpu()->cpu_id == 0) {
		runq_init(&sc->runq);
		timerq_init(&sc->sleepers);
		timerq_init(&sc->ktimers);
		list_init(&sc->zombies);
	}
	this_cpu()->sched = sc;
}

u32 thread_affinity(struct thread *t)
{
	return __atomic_load_n(&t->affinity, __ATOMIC_RELAXED);
}

int thread_set_affinity(struct thread *t, u32 mask)
{
	u32 online = cpu_count() >= 32 ? ~0u : (1u << cpu_count()) - 1;
	u64 flags;
	struct sched_cpu *sc;

	mask &= online;
	if (!mask)
		return -EINVAL;
	flags = irq_save();
	sc = this_sched();
	lock(sc);
	if (t->state != THREAD_DEAD) {
		t->affinity = mask;
		struct percpu *p = cpu_percpu(t->cpu);
		/* Running where it may no longer: that CPU switches away
		 * (the caller itself before its syscall returns). */
		if (p && p->current == t && !may_run(t, t->cpu))
			resched_cpu(t->cpu);
	}
	unlock(sc);
	irq_restore(flags);
	return 0;
}

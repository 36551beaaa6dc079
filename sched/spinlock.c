/*
 * sched/spinlock.c: spinlocks. Taking one disables interrupts on this CPU
 * (so an interrupt handler can never spin on a lock its CPU holds) and spins
 * against the other CPUs. Releasing a lock that is not held, or with
 * interrupts back on under it, panics.
 */
#include <skiff/arch.h>
#include <skiff/sched.h>

void spin_lock(struct spinlock *l)
{
	u64 flags = irq_save();

	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			cpu_spin_poll();
	l->saved_flags = flags;
}

void spin_unlock(struct spinlock *l)
{
	u64 flags = l->saved_flags;

	assert_held(l);
	assert_irqs_off();

	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	irq_restore(flags);
}

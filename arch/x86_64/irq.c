/*
 * arch/x86_64/irq.c: interrupt vectors for drivers (skiff/arch.h):
 * irq_alloc_vector hands out a vector with its handler, for an MSI or
 * MSI-X message (irq_msi_message) or an I/O APIC input (irq_route_gsi);
 * trap.c runs the handler through irq_dispatch, then signals EOI. Vectors
 * are never freed: devices are found at boot and stay. Every vector is
 * delivered to the boot CPU.
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include "ioapic.h"
#include "lapic.h"

struct vector_handler {
	void (*fn)(void *);
	void *arg;
};

static struct vector_handler handlers[256];
static int next_vector = IRQ_DYN_FIRST;

int irq_alloc_vector(void (*fn)(void *), void *arg)
{
	if (!fn)
		return -EINVAL;
	u64 flags = irq_save();
	int v = next_vector <= IRQ_DYN_LAST ? next_vector++ : -ENOSPC;
	if (v > 0) {
		handlers[v].arg = arg;
		/* fn last: a stray interrupt on v sees no half-set handler. */
		__atomic_store_n(&handlers[v].fn, fn, __ATOMIC_RELEASE);
	}
	irq_restore(flags);
	return v;
}

bool irq_dispatch(u64 vector)
{
	if (vector >= 256)
		return false;
	void (*fn)(void *) = __atomic_load_n(&handlers[vector].fn,
					     __ATOMIC_ACQUIRE);
	if (!fn)
		return false;
	fn(handlers[vector].arg);
	return true;
}

/*
 * Intel SDM vol. 3, 11.11 "Message Signalled Interrupts": the address
 * names the destination APIC (physical mode, no redirection hint), the
 * data the vector (fixed delivery, edge).
 */
void irq_msi_message(int vector, u64 *addr, u32 *data)
{
	*addr = 0xfee00000ull | ((u64)lapic_id() << 12);
	*data = (u32)vector;
}

int irq_route_gsi(unsigned gsi, bool level, void (*fn)(void *), void *arg)
{
	if (ioapic_route_gsi(gsi, -1, level))
		return -EINVAL;
	int v = irq_alloc_vector(fn, arg);
	return v < 0 ? v : ioapic_route_gsi(gsi, v, level);
}

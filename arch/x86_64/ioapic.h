/* arch/x86_64/ioapic.c and irq.c: interrupt routing to vectors. */
#ifndef ARCH_IOAPIC_H
#define ARCH_IOAPIC_H

#include <skiff/types.h>

/* ISA irq n arrives on vector IRQ_VECTOR_BASE + n (irq_route, trap.c). */
#define IRQ_VECTOR_BASE 0x20
#define IRQ_COUNT 16
/* Vectors irq_alloc_vector hands out (irq.c): above the ISA ones, below
 * the LAPIC's own (spurious 0xff). */
#define IRQ_DYN_FIRST 0x30
#define IRQ_DYN_LAST 0xef

/* Delivers ISA irq to vector on the boot CPU. */
void ioapic_route(int irq, int vector);
/*
 * Delivers GSI gsi to vector on the boot CPU, level-triggered (active
 * high) or edge-triggered: 0, or -EINVAL when no I/O APIC has that input.
 * A negative vector changes nothing: is there such an input?
 */
int ioapic_route_gsi(unsigned gsi, int vector, bool level);
/* Runs the handler irq_alloc_vector gave vector; false if it has none. */
bool irq_dispatch(u64 vector);

#endif

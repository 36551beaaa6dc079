/* arch/x86_64/ioapic.c: ISA interrupt routing. */
#ifndef ARCH_IOAPIC_H
#define ARCH_IOAPIC_H

/* ISA irq n arrives on vector IRQ_VECTOR_BASE + n (irq_route, trap.c). */
#define IRQ_VECTOR_BASE 0x20
#define IRQ_COUNT 16

/* Delivers ISA irq to vector on the boot CPU. */
void ioapic_route(int irq, int vector);

#endif

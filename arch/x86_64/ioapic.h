/* arch/x86_64/ioapic.c: ISA interrupt routing. */
#ifndef ARCH_IOAPIC_H
#define ARCH_IOAPIC_H

#define IRQ_VECTOR_BASE 0x20
#define SERIAL_VECTOR (IRQ_VECTOR_BASE + 4)

/* Delivers ISA irq to vector on the boot CPU. */
void ioapic_route(int irq, int vector);

#endif

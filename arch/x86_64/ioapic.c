/*
 * arch/x86_64/ioapic.c: routes legacy ISA interrupts (the serial port's IRQ
 * 4) through the I/O APIC at its standard address 0xfec00000, present on
 * both QEMU machine types (q35 and microvm), to a vector on the boot CPU.
 * Edge-triggered, active high, as ISA interrupts are.
 */
#include <skiff/paging.h>
#include "ioapic.h"

#define IOAPIC_BASE 0xfec00000ul
#define REG_SEL 0x00
#define REG_WIN 0x10
#define REDIR(n) (0x10 + 2 * (n))

static volatile u32 *regs(void)
{
	return phys_to_virt(IOAPIC_BASE);
}

static void write_reg(u32 reg, u32 v)
{
	regs()[REG_SEL / 4] = reg;
	regs()[REG_WIN / 4] = v;
}

void ioapic_route(int irq, int vector)
{
	write_reg(REDIR(irq) + 1, 0); /* destination: APIC ID 0 */
	write_reg(REDIR(irq), vector); /* fixed, physical, edge, high, unmasked */
}

/*
 * arch/x86_64/ioapic.c: the I/O APICs, which turn device interrupt lines
 * into vectors on the boot CPU (Intel 82093AA datasheet; ACPI's GSI
 * numbering). Two callers: ISA interrupts (the serial port's IRQ 4:
 * edge-triggered, active high, as ISA lines are), and any GSI a driver
 * names (irq_route_gsi, arch/x86_64/irq.c): virtio-mmio's lines on microvm.
 *
 * Where they are, without reading ACPI's MADT: the first I/O APIC sits at
 * its standard address 0xfec00000 with GSIs 0-23 on both QEMU machine types;
 * QEMU's microvm adds a second one (its `ioapic2` option, on by default with
 * ACPI) at 0xfec10000 with GSIs 24-47. The second is used only when a GSI
 * past the first's asks for it, and only if its version register reads as
 * an I/O APIC's.
 */
#include <skiff/errno.h>
#include <skiff/paging.h>
#include "ioapic.h"
#include "lapic.h"

#define IOAPIC_BASE 0xfec00000ul
#define IOAPIC2_BASE 0xfec10000ul /* QEMU microvm's second, GSI 24 up */
#define REG_SEL 0x00
#define REG_WIN 0x10
#define REG_VER 0x01
#define REDIR(n) (0x10 + 2 * (n))
#define REDIR_LEVEL (1u << 15)	/* trigger mode: level (else edge) */

static volatile u32 *regs(void)
{
	return phys_to_virt(IOAPIC_BASE);
}

static void write_reg(volatile u32 *r, u32 reg, u32 v)
{
	r[REG_SEL / 4] = reg;
	r[REG_WIN / 4] = v;
}

static u32 read_reg(volatile u32 *r, u32 reg)
{
	r[REG_SEL / 4] = reg;
	return r[REG_WIN / 4];
}

void ioapic_route(int irq, int vector)
{
	write_reg(regs(), REDIR(irq) + 1, 0); /* destination: APIC ID 0 */
	write_reg(regs(), REDIR(irq), vector); /* fixed, physical, edge, high, unmasked */
}

/* The number of inputs of the I/O APIC at r, 0 if r is none. */
static unsigned inputs(volatile u32 *r)
{
	u32 ver = read_reg(r, REG_VER);
	u8 v = ver & 0xff;

	/* 0x11 (82093AA) and 0x20 are what QEMU and real chipsets report. */
	if (v != 0x11 && v != 0x20)
		return 0;
	return ((ver >> 16) & 0xff) + 1;
}

int ioapic_route_gsi(unsigned gsi, int vector, bool level)
{
	static const struct { paddr_t base; unsigned gsi_base; } chips[] = {
		{ IOAPIC_BASE, 0 },
		{ IOAPIC2_BASE, 24 },
	};

	for (unsigned i = 0; i < 2; i++) {
		if (gsi < chips[i].gsi_base)
			continue;
		volatile u32 *r = io_map(chips[i].base, PAGE_SIZE);
		unsigned pin = gsi - chips[i].gsi_base;
		if (!r || pin >= inputs(r))
			continue;
		if (vector < 0)
			return 0; /* only asked whether the input exists */
		/* Masked while the entry changes; then fixed, physical, high. */
		write_reg(r, REDIR(pin), 1u << 16);
		write_reg(r, REDIR(pin) + 1, lapic_id() << 24);
		write_reg(r, REDIR(pin), vector | (level ? REDIR_LEVEL : 0));
		return 0;
	}
	return -EINVAL;
}

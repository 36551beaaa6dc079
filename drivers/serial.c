/*
 * drivers/serial.c: the 16550 UART at COM1 (port 0x3f8), polled. QEMU: the
 * first `-serial` (microvm's isa-serial, q35's default). Carries the console
 * protocol of skiff/proto.h; kernel/console.c is its only user.
 */
#include <skiff/arch.h>
#include <skiff/serial.h>

#define COM1 0x3f8
#define REG_DATA 0
#define REG_IER 1
#define REG_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define LSR_DR 0x01   /* a received byte is waiting */
#define LSR_THRE 0x20 /* the transmit holding register is empty */

void serial_init(void)
{
	outb(COM1 + REG_IER, 0x00);
	outb(COM1 + REG_LCR, 0x80); /* divisor latch: 115200 baud */
	outb(COM1 + REG_DATA, 0x01);
	outb(COM1 + REG_IER, 0x00);
	outb(COM1 + REG_LCR, 0x03); /* 8N1 */
	/* FIFOs on and cleared, receive trigger at 14 bytes: QEMU hands the
	 * UART at most (trigger - bytes held) host bytes a main-loop pass, so
	 * a trigger of 1 moved stdin one byte a pass. Fewer bytes still raise
	 * the interrupt after the FIFO's character timeout. */
	outb(COM1 + REG_FCR, 0xc7);
	outb(COM1 + REG_MCR, 0x0b); /* DTR, RTS, OUT2 (IRQ line enable) */
}

void serial_putc(u8 c)
{
	/* QEMU clears THRE while its chardev is backed up (pipe full). */
	while (!(inb(COM1 + REG_LSR) & LSR_THRE))
		cpu_relax();
	outb(COM1 + REG_DATA, c);
}

int serial_getc(void)
{
	if (!(inb(COM1 + REG_LSR) & LSR_DR))
		return -1;
	return inb(COM1 + REG_DATA);
}

void serial_enable_rx_irq(bool on)
{
	outb(COM1 + REG_IER, on ? 0x01 : 0x00);
}

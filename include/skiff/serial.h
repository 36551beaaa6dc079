/*
 * The COM1 16550 UART (drivers/serial.c). Layer: drivers. Callers
 * serialize access: kernel/console.c builds the console on it, and the
 * init sequence (kernel/main.c) starts it and routes its interrupt
 * (SERIAL_IRQ, an ISA IRQ: irq_route in skiff/arch.h).
 */
#ifndef SKIFF_SERIAL_H
#define SKIFF_SERIAL_H

#include <skiff/types.h>

#define SERIAL_IRQ 4

void serial_init(void);
/* Sends one byte, waiting while QEMU's transmit side is backed up. */
void serial_putc(u8 c);
/* Returns the next received byte, or -1 when none is waiting. */
int serial_getc(void);
void serial_enable_rx_irq(bool on);

#endif

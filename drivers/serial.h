/* The COM1 16550 UART (drivers/serial.c). Callers serialize access. */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <skiff/types.h>

#define SERIAL_IRQ 4

void serial_init(void);
/* Sends one byte, waiting while QEMU's transmit side is backed up. */
void serial_putc(u8 c);
/* Returns the next received byte, or -1 when none is waiting. */
int serial_getc(void);
void serial_enable_rx_irq(bool on);

#endif

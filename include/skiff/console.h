/*
 * The console: the program's stdin/stdout/stderr and the kernel log, all over
 * COM1 with the protocol of skiff/proto.h. drivers/serial.c + kernel/console.c.
 */
#ifndef SKIFF_CONSOLE_H
#define SKIFF_CONSOLE_H

#include <skiff/types.h>

/* Writes len bytes to a channel (PROTO_CH_*). Never sleeps; takes the console lock. */
void console_write(int channel, const void *buf, size_t len);

/*
 * Reads up to len bytes of the program's stdin. Sleeps until at least one
 * byte is there; returns the count, 0 at end of file, or -EINTR.
 */
long console_read(void *buf, size_t len);

/* True when console_read would not sleep (data or EOF pending). */
bool console_readable(void);

/* kernel/console.c: the serial receive interrupt's handler (kernel/main.c
 * registers it with irq_route, skiff/arch.h). */
void console_rx_interrupt(void);

/*
 * Called when stdin input arrives (from the interrupt: must not sleep);
 * fs/ wakes its pollers. Provided by fs/.
 */
void console_input_ready(void);

/* The terminal's foreground process group (tcgetpgrp). Provided by fs/
 * (fs/devfs/console.c, which answers the job-control ioctls). */
int console_fg_pgrp(void);

/*
 * Sets the function that delivers a signal the host forwarded (PROTO_IN_SIGNAL)
 * to the program: the Linux ABI's, set by the init sequence. It runs from
 * the receive interrupt: it must not sleep.
 */
void console_set_signal_hook(void (*fn)(int signo));

#endif

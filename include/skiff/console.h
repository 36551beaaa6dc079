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
 * The program's output to PROTO_CH_STDOUT or _STDERR: over the virtio
 * console when there is one (may sleep while the host is behind), else
 * console_write. The bytes written, or -EINTR / -ENOMEM when none were.
 */
long console_write_out(int channel, const void *buf, size_t len);

/*
 * A control record (one line, skiff/proto.h), sent after every byte of
 * output written before it reached the host. Never sleeps.
 */
void console_record(const void *buf, size_t len);

/* Delivers a signal the host forwarded, through the hook below (for the
 * virtio console driver). */
void console_host_signal(int signo);
/* Delivers a signal the terminal's keys raise (ISIG: Ctrl-C, Ctrl-\),
 * through the tty hook below, or as the host's when there is none. */
void console_tty_signal(int signo);

/*
 * Reads up to len bytes of the program's stdin. Sleeps until at least one
 * byte is there; returns the count, 0 at end of file, or -EINTR.
 */
long console_read(void *buf, size_t len);

/* console_read that never sleeps: -EAGAIN when nothing is there. */
long console_read_nowait(void *buf, size_t len);
/* console_write_out that never sleeps: -EAGAIN when the host is behind. */
long console_write_nowait(int channel, const void *buf, size_t len);

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
 * Job control on the terminal (fs/devfs/console.c). The ABI's hook decides
 * for a background process of the terminal's session that reads it
 * (SIGTTIN), or writes it under TOSTOP or changes its settings (SIGTTOU):
 * 0 to go ahead, -EINTR once it sent the signal (the call restarts), or
 * -EIO. console_session_end: session sid's leader ended; if the terminal
 * was its controlling terminal it has none now, and its foreground group
 * is returned (for SIGHUP), else 0.
 */
void console_set_job_hook(long (*fn)(int sig));
int console_session_end(int sid);

/*
 * For the virtio console's interrupts (drivers/virtio/console.c): stdin
 * (or its end) arrived; its transmit queues have room again. Never sleep.
 */
void console_vcon_rx(void);
void console_vcon_tx_room(void);

/*
 * Sets the function that delivers a signal the host forwarded (PROTO_IN_SIGNAL)
 * to the program: the Linux ABI's, set by the init sequence. It runs from
 * the receive interrupt: it must not sleep.
 */
void console_set_signal_hook(void (*fn)(int signo));
/* The same for the terminal's signals, which go to its foreground process
 * group (fs/devfs/tty.c raises them; the ABI layer sends them). */
void console_set_tty_signal_hook(void (*fn)(int signo));

#endif

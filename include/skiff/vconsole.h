/*
 * The virtio console (drivers/virtio/console.c): the program's stdin,
 * stdout and stderr and the control records on ports of their own
 * (skiff/proto.h), when skiff gave the VM the device. kernel/console.c is
 * its only user; it falls back to COM1 while vcon_active() is false.
 */
#ifndef SKIFF_VCONSOLE_H
#define SKIFF_VCONSOLE_H

#include <skiff/types.h>

/* True once the device's ports are set up (after virtio_init). */
bool vcon_active(void);
/*
 * Writes len bytes to port (PROTO_VPORT_STDOUT or _STDERR); sleeps while
 * the port's queue is full. The bytes written (all unless interrupted),
 * -EINTR or -ENOMEM when none were. Not from an interrupt handler.
 */
long vcon_write(int port, const void *buf, size_t len);
/*
 * Sends a control record (a line) once the device has taken every byte
 * written before, and waits until it took the record. Spins: never sleeps.
 */
void vcon_record(const void *buf, size_t len);
/* Reads up to len bytes of stdin: sleeps until one is there; 0 at end of
 * file, or -EINTR. */
long vcon_read(void *buf, size_t len);
/* vcon_read and vcon_write that never sleep: -EAGAIN instead. */
long vcon_read_nowait(void *buf, size_t len);
long vcon_write_nowait(int port, const void *buf, size_t len);
/* True when vcon_read would not sleep. */
bool vcon_readable(void);

#endif

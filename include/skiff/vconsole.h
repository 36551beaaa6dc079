/*
 * The virtio console (drivers/virtio/console.c): the program's stdin,
 * stdout and stderr and the control records on ports of their own
 * (skiff/proto.h), when skiff gave the VM the device. kernel/console.c is
 * its only user; it falls back to COM1 while vcon_active() is false.
 *
 * Nothing here sleeps or locks: the caller serializes every call other
 * than vcon_active with interrupts off (kernel/console.c's spinlock), and
 * sleeps itself until console_vcon_rx / console_vcon_tx_room
 * (skiff/console.h), which the queues' interrupts call.
 */
#ifndef SKIFF_VCONSOLE_H
#define SKIFF_VCONSOLE_H

#include <skiff/types.h>

/* True once the device's ports are set up (after virtio_init). */
bool vcon_active(void);
/*
 * Queues up to len bytes for port (PROTO_VPORT_STDOUT or _STDERR): the
 * bytes taken (some or all), -EAGAIN when its queue is full, 0 for len 0.
 */
long vcon_write_nowait(int port, const void *buf, size_t len);
/*
 * Sends a control record (a line) once the device has taken every byte
 * written before, and waits until it took the record. Spins.
 */
void vcon_record(const void *buf, size_t len);
/* Takes up to len bytes of stdin: the count, 0 at its end, -EAGAIN when
 * nothing is there yet. */
long vcon_read_nowait(void *buf, size_t len);
/* True when vcon_read_nowait would not return -EAGAIN. */
bool vcon_readable(void);

#endif

/*
 * Clocks. arch/x86_64/tsc.c (kvmclock or TSC) and kernel/time.c.
 */
#ifndef SKIFF_TIME_H
#define SKIFF_TIME_H

#include <skiff/types.h>

#define NSEC_PER_SEC 1000000000ull

/* Nanoseconds since boot; never goes back. Any context. */
u64 time_monotonic_ns(void);
/* Nanoseconds since the Unix epoch. */
u64 time_realtime_ns(void);
/* Boot: sets the wall clock to unix_ns_now (the host's time at launch). */
void time_set_realtime(u64 unix_ns_now);
/*
 * After a restore (the host's "time NS", drivers/virtio/console.c): the
 * host's Unix time now. A wall clock behind it jumps forward, and the
 * monotonic clock with it, so that sleeps and timers due while the VM was
 * saved end at once (the timer interrupt is brought forward); a wall clock
 * ahead of it steps back alone: CLOCK_MONOTONIC never goes backwards.
 * Any context.
 */
void time_step(u64 unix_ns_now);

#endif

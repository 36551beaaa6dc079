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

#endif

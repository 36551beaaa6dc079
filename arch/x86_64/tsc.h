/* arch/x86_64/tsc.c: the TSC clock. */
#ifndef ARCH_TSC_H
#define ARCH_TSC_H

#include <skiff/types.h>

void tsc_init(void);
u64 tsc_to_ns(u64 ticks);
u64 ns_to_tsc(u64 ns);
/* Sets the wall clock from the RTC's reading at boot. */
void time_set_realtime(u64 unix_ns_now);

#endif

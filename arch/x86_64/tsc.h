/* arch/x86_64/tsc.c: the TSC clock. */
#ifndef ARCH_TSC_H
#define ARCH_TSC_H

#include <skiff/types.h>

/* tsc_init, tsc_to_ns: skiff/arch.h; time_set_realtime: skiff/time.h. */
u64 ns_to_tsc(u64 ns);

#endif

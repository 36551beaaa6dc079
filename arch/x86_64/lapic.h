/* arch/x86_64/lapic.c: the local APIC and its timer. */
#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#include <skiff/types.h>

#define LAPIC_TIMER_VECTOR 32
#define LAPIC_SPURIOUS_VECTOR 0xff

void lapic_init(void);
/* Fires LAPIC_TIMER_VECTOR at the monotonic time deadline_ns; 0 disarms. */
void lapic_timer_arm(u64 deadline_ns);
void lapic_eoi(void);

#endif

/* arch/x86_64/lapic.c: the local APIC and its timer. */
#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#include <skiff/arch.h>

#define LAPIC_TIMER_VECTOR 32
#define LAPIC_SPURIOUS_VECTOR 0xff

/* lapic_init: skiff/arch.h. */
/* lapic_timer_arm (fires LAPIC_TIMER_VECTOR): skiff/arch.h. */
void lapic_eoi(void);
/* The timer interrupt's end: forgets the deadline it was armed for, then
 * lapic_eoi. */
void lapic_timer_fired(void);
/* This CPU's local APIC ID (the destination of its interrupts). */
u32 lapic_id(void);

#endif

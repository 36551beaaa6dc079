/* arch/x86_64/lapic.c: the local APIC and its timer. */
#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#include <skiff/arch.h>

#define LAPIC_TIMER_VECTOR 32
#define LAPIC_SPURIOUS_VECTOR 0xff
#define IPI_RESCHED 0xf0 /* look at need_resched (smp.c) */
#define IPI_FLUSH 0xf1   /* drop the TLB (smp.c) */

/* lapic_init: skiff/arch.h. */
/* lapic_timer_arm (fires LAPIC_TIMER_VECTOR): skiff/arch.h. */
void lapic_eoi(void);
/* On the boot CPU before any other starts: the one-shot timer's rate
 * (the other CPUs' timers run at the same), if not known yet. */
void lapic_calibrate(void);
/* An application processor's APIC, as lapic_init made the boot CPU's. */
void lapic_init_ap(void);
/* Sends the interrupt command icr (SDM vol. 3, 10.6.1) to apic_id and
 * waits until the APIC has sent it. */
void lapic_send(u32 apic_id, u32 icr);
/* The timer interrupt's end: forgets the deadline it was armed for, then
 * lapic_eoi. */
void lapic_timer_fired(void);
/* This CPU's local APIC ID (the destination of its interrupts). */
u32 lapic_id(void);
/* The IPIs' handler (smp.c): IPI_RESCHED or IPI_FLUSH; ends with EOI. */
void smp_ipi(u64 vector);

#endif

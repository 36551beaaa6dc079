/*
 * arch/x86_64/cpu.c and trap.c: CPU setup and the trap frame.
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <skiff/arch.h>
#include <skiff/frame.h>
#include <skiff/types.h>

/* cpu_init: skiff/arch.h. */

extern u8 fpu_initial_state[];

/* Does sp point into one of the IST stacks traps arrive on? */
bool cpu_on_ist_stack(u64 sp);

void trap_handler(struct trap_frame *f);
void trap_fatal(struct trap_frame *f) __noreturn;


#endif

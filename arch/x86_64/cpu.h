/*
 * arch/x86_64/cpu.c and trap.c: CPU setup and the trap frame.
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <skiff/arch.h>
#include <skiff/frame.h>
#include <skiff/types.h>

/* cpu_init: skiff/arch.h. */
/* An application processor's GDT, TSS and IST stacks, made by the boot CPU
 * before it starts it (p->cpu_id set); 0 or -ENOMEM. */
int cpu_init_ap(struct percpu *p);
/* On that processor, first thing in long mode: its tables, GS, the FPU
 * modes and SYSCALL, as cpu_init gave the boot CPU. */
void cpu_start_ap(struct percpu *p);

extern u8 fpu_initial_state[];

/* Does sp point into one of the IST stacks traps arrive on? */
bool cpu_on_ist_stack(u64 sp);

void trap_handler(struct trap_frame *f);
void trap_fatal(struct trap_frame *f) __noreturn;
/* entry.S's NMI: the watchdog's backtrace request, else trap_fatal. */
void trap_nmi(struct trap_frame *f);


#endif

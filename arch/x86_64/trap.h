/* arch/x86_64/trap.c's hooks into other layers. */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#include <skiff/types.h>
#include "cpu.h"

/* The program caused exception sig (at addr): deliver it or end the program. */
void trap_program_signal(struct trap_frame *f, int sig, u64 addr);

/*
 * linux/table.c: runs Linux syscall nr with its first three arguments, as
 * the SYSCALL entry would (the vsyscall page's emulation). May sleep.
 */
long syscall_invoke(unsigned long nr, u64 a0, u64 a1, u64 a2);

/* linux/thread.c: restarts an interrupted rseq critical section. */
void rseq_abort_check(u64 *rip);

#endif

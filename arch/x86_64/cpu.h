/*
 * arch/x86_64/cpu.c and trap.c: CPU setup and the trap frame.
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <skiff/types.h>

/* What entry.S saves for an interrupt or exception (PUSH_GPRS order). */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx,
		rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};

/* GDT, TSS, IDT, GS per-CPU data, SSE/XSAVE, SYSCALL. Boot CPU, once. */
void cpu_init(void);

extern u8 fpu_initial_state[];

/* Does sp point into one of the IST stacks traps arrive on? */
bool cpu_on_ist_stack(u64 sp);

void trap_handler(struct trap_frame *f);
void trap_fatal(struct trap_frame *f) __noreturn;

/* Jumps to the program at rip with stack rsp; never returns (entry.S). */
void enter_program(u64 rip, u64 rsp, u64 rflags) __noreturn;

#endif

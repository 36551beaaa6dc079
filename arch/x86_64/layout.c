/*
 * arch/x86_64/layout.c: compile-time checks that the trap frame C reads
 * is the one entry.S builds (no code). The other layouts entry.S shares
 * are checked beside their definitions: struct percpu and struct
 * switch_frame in skiff/arch.h, struct syscall_frame where it is defined,
 * struct context in sched/sched.c.
 */
#include "cpu.h"

/* PUSH_GPRS pushes rax first, so r15 ends lowest; the CPU's frame is last. */
#define TRAP_FRAME_CHECK(field, slot)                                 \
	_Static_assert(offsetof(struct trap_frame, field) == (slot) * 8, \
		       "trap_frame." #field " must match entry.S")
TRAP_FRAME_CHECK(r15, 0);
TRAP_FRAME_CHECK(r14, 1);
TRAP_FRAME_CHECK(r13, 2);
TRAP_FRAME_CHECK(r12, 3);
TRAP_FRAME_CHECK(r11, 4);
TRAP_FRAME_CHECK(r10, 5);
TRAP_FRAME_CHECK(r9, 6);
TRAP_FRAME_CHECK(r8, 7);
TRAP_FRAME_CHECK(rbp, 8);
TRAP_FRAME_CHECK(rdi, 9);
TRAP_FRAME_CHECK(rsi, 10);
TRAP_FRAME_CHECK(rdx, 11);
TRAP_FRAME_CHECK(rcx, 12);
TRAP_FRAME_CHECK(rbx, 13);
TRAP_FRAME_CHECK(rax, 14);
TRAP_FRAME_CHECK(vector, 15); /* pushed by the ISR stub */
TRAP_FRAME_CHECK(error, 16);  /* by the CPU, or 0 by the stub */
TRAP_FRAME_CHECK(rip, 17);    /* the CPU's interrupt frame */
TRAP_FRAME_CHECK(cs, 18);
TRAP_FRAME_CHECK(rflags, 19);
TRAP_FRAME_CHECK(rsp, 20);
TRAP_FRAME_CHECK(ss, 21);
_Static_assert(sizeof(struct trap_frame) == 22 * 8,
	       "entry.S moves and pops a trap_frame of 22 words");
#undef TRAP_FRAME_CHECK

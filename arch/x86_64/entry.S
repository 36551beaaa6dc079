/*
 * arch/x86_64/entry.S: every way into the kernel while the program runs.
 *
 * The program runs in ring 0 and uses the SysV red zone below its RSP, so
 * nothing may be pushed on its stack:
 *  - Interrupts and exceptions arrive on an IST stack (IST1). With
 *    interrupts still off, the stub moves the hardware frame onto the
 *    running thread's kernel stack (below the interrupted RSP if that was
 *    already on the kernel stack, else at its top), so the handler may sleep
 *    or switch threads and IST1 is free again for the next trap.
 *    NMI, #DF and #MC use IST2 and never return.
 *  - SYSCALL (LSTAR) leaves RSP alone and masks IF: the stub saves the
 *    program's RSP through GS scratch, switches to the kernel stack, and
 *    returns with RFLAGS from R11 and `jmp *%rcx` (SYSRET would enter ring 3).
 */
#include "percpu.h"

/* struct trap_frame: 15 GPRs, vector, error code, then the iret frame. */
.macro PUSH_GPRS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro POP_GPRS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
.endm

	.text
	.altmacro
/* One stub per vector: push a zero error code where the CPU pushes none. */
.macro ISR vec
	.p2align 4
isr_\vec:
	.if (\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
	.else
	pushq $0
	.endif
	pushq $\vec
	.if (\vec == 2)
	jmp isr_nmi
	.elseif (\vec == 8 || \vec == 18)
	jmp isr_fatal
	.else
	jmp isr_common
	.endif
.endm

	.set i, 0
	.rept 256
	ISR %i
	.set i, i + 1
	.endr

.macro ISR_ADDR vec
	.quad isr_\vec
.endm

isr_common:
	/* IST1: 0 vector, 8 error, 16 rip, 24 cs, 32 rflags, 40 rsp, 48 ss */
	pushq %rax
	pushq %rcx
	pushq %rdx
	cld
	/* 24 vector ... 64 rsp, 72 ss. Pick the destination below %rax. */
	movq 64(%rsp), %rax
	movq %gs:PERCPU_KSTACK_TOP, %rcx
	cmpq %rcx, %rax
	jae 1f
	cmpq %gs:PERCPU_KSTACK_BASE, %rax
	jbe 1f
	movq %rax, %rcx		/* already on the kernel stack: go below it */
1:	andq $-16, %rcx
	subq $80, %rcx
	.irp off, 0, 8, 16, 24, 32, 40, 48, 56, 64, 72
	movq \off(%rsp), %rax
	movq %rax, \off(%rcx)
	.endr
	movq %rcx, %rsp
	popq %rdx
	popq %rcx
	popq %rax
	PUSH_GPRS
	movq %rsp, %rdi
	call trap_handler
trap_exit:
	POP_GPRS
	addq $16, %rsp		/* vector and error code */
	iretq

/* void trap_return(struct trap_frame *f): leaves through f (rt_sigreturn). */
	.globl trap_return
trap_return:
	cli
	movq %rdi, %rsp
	jmp trap_exit

/* NMI, on IST2 with further NMIs held until the iretq: the watchdog's
 * request for a backtrace returns (smp.c, trap_nmi); any other is fatal. */
isr_nmi:
	PUSH_GPRS
	cld
	movq %rsp, %rdi
	call trap_nmi
	POP_GPRS
	addq $16, %rsp
	iretq

isr_fatal:
	PUSH_GPRS
	cld
	movq %rsp, %rdi
	call trap_fatal
1:	hlt
	jmp 1b

	.globl isr_table
	.section .rodata
	.p2align 3
isr_table:
	.set i, 0
	.rept 256
	ISR_ADDR %i
	.set i, i + 1
	.endr

	.noaltmacro
	.text
/* struct syscall_frame (skiff/frame.h): r15 ... rdi, rax, rcx, r11, rsp.
 * syscall_handler is the ABI layer's (linux/syscall.c), declared in
 * skiff/frame.h as the one call arch makes upward for a SYSCALL. */
/* Interrupts stay as the program had them (on): FMASK leaves IF alone, as
 * an STI here would end QEMU's translation block and cost a null syscall
 * a third of its time under TCG. An interrupt between the first
 * instruction and syscall_stacked, while the program's RSP sits in the
 * per-CPU scratch word, neither switches threads nor delivers a signal
 * (trap.c, in_syscall_entry): another thread's SYSCALL on this CPU would
 * overwrite the word. */
	.globl syscall_entry, syscall_stacked
	.p2align 4
syscall_entry:
	movq %rsp, %gs:PERCPU_SCRATCH
	movq %gs:PERCPU_KSTACK_TOP, %rsp
	pushq %gs:PERCPU_SCRATCH
syscall_stacked:
	pushq %r11
	pushq %rcx
	pushq %rax
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %r10
	pushq %r8
	pushq %r9
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	call syscall_handler
	.globl syscall_exit
syscall_exit:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	popq %r9
	popq %r8
	popq %r10
	popq %rdx
	popq %rsi
	popq %rdi
	popq %rax
	popq %rcx
	popq %r11
	/* RFLAGS may enable interrupts here: a trap now lands below this
	 * slot on the kernel stack and leaves the saved RSP intact. */
	pushq %r11
	popfq
	popq %rsp
	jmp *%rcx

/*
 * void clone_return(struct syscall_frame *f): a new program thread's way
 * out: returns from the parent's syscall with the frame f (on this thread's
 * kernel stack), as if it had made the call itself.
 */
	.globl clone_return
clone_return:
	cli
	movq %rdi, %rsp
	jmp syscall_exit

/*
 * void switch_to(struct context *old, struct context *new): saves the
 * callee-saved registers and RSP in *old, loads them from *new and returns
 * on new's stack. struct context (sched/thread.h): rsp only; the registers
 * live on the stack.
 */
	.globl switch_to
switch_to:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq (%rsi), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/*
 * A new thread's first return from switch_to lands here, with r12 = the
 * function and r13 = its argument (set up by thread_create). It still holds
 * the scheduler lock its creator's switch took: sched_thread_start drops it.
 */
	.globl thread_trampoline
thread_trampoline:
	call sched_thread_start
	movq %r13, %rdi
	call *%r12
	ud2

/*
 * void enter_program(u64 rip, u64 rsp, u64 rflags): jumps to the program
 * with every general register zero except RSP (the SysV process entry state;
 * RDX = 0 means no function for atexit). Never returns.
 */
	.globl enter_program
enter_program:
	pushq $0x10		/* ss */
	pushq %rsi		/* rsp */
	pushq %rdx		/* rflags */
	pushq $0x08		/* cs */
	pushq %rdi		/* rip */
	xorl %eax, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %edi, %edi
	xorl %ebp, %ebp
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	xorl %r12d, %r12d
	xorl %r13d, %r13d
	xorl %r14d, %r14d
	xorl %r15d, %r15d
	iretq

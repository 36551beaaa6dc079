/*
 * arch/x86_64/apboot.S: where an application processor starts. The
 * STARTUP IPI (SDM vol. 3, 8.4.4) starts it in real mode at
 * AP_TRAMPOLINE (a page below 1 MiB, the vector's page); arch/x86_64/
 * smp.c copies ap_trampoline..ap_trampoline_end there and fills the
 * parameter block at its end. The code goes to protected mode, then to
 * long mode with the page table the block names (identity for the
 * trampoline's page, the kernel half as the boot root has it), and jumps
 * to the kernel with RDI = the block's argument and RSP = its stack.
 * Position-dependent: every address is AP_TRAMPOLINE + offset.
 */
#include "longmode.h"
#include "smp.h"

#define T(x) (AP_TRAMPOLINE + (x) - ap_trampoline)

	.section .rodata
	.globl ap_trampoline, ap_trampoline_end
	.code16
ap_trampoline:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl T(ap_gdt_ptr)
	movl %cr0, %eax
	orl $1, %eax		/* PE */
	movl %eax, %cr0
	ljmpl $0x08, $T(ap_pm32)

	.code32
ap_pm32:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	ENTER_LONG_MODE T(ap_param) + AP_PARAM_CR3
	ljmpl $0x18, $T(ap_lm64)

	.code64
ap_lm64:
	movq T(ap_param) + AP_PARAM_STACK, %rsp
	movq T(ap_param) + AP_PARAM_ARG, %rdi
	movq T(ap_param) + AP_PARAM_ENTRY, %rax
	xorl %ebp, %ebp
	jmp *%rax

	.p2align 3
ap_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
ap_gdt_ptr:
	.word ap_gdt_ptr - ap_gdt - 1
	.long T(ap_gdt)
	.p2align 3
	.globl ap_param
ap_param:
	.skip AP_PARAM_SIZE
ap_trampoline_end:

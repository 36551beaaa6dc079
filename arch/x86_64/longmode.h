/*
 * arch/x86_64/longmode.h: the steps from 32-bit protected mode to long
 * mode (SDM vol. 3, 10.8.5) that the boot CPU (boot.S) and the other
 * processors (apboot.S) both take: PAE, CR3 = the page table at CR3SRC
 * (an operand movl takes), EFER.LME and EFER.NXE, then paging with
 * write protection. The far jump into 64-bit code is the caller's.
 * Clobbers EAX, ECX, EDX. Assembly only.
 */
#ifndef ARCH_LONGMODE_H
#define ARCH_LONGMODE_H

.macro ENTER_LONG_MODE cr3src
	movl %cr4, %eax
	orl $0x20, %eax		/* PAE */
	movl %eax, %cr4
	movl \cr3src, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $0x900, %eax	/* EFER.LME | EFER.NXE */
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax	/* PG | WP | PE */
	movl %eax, %cr0
.endm

#endif

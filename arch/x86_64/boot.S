/*
 * arch/x86_64/boot.S: the entry points. PVH: QEMU (`-kernel`) finds the
 * XEN_ELFNOTE_PHYS32_ENTRY note and starts us in 32-bit protected mode,
 * paging off, flat segments, %ebx = physical address of the
 * hvm_start_info structure (PVH boot ABI). Multiboot2 (GRUB's multiboot2
 * command, as on the disks of skiff build --format raw): the header below
 * names mb2_entry, entered in the same state with %eax = MB2_BOOT_MAGIC
 * and %ebx = the multiboot2 information; kmain gets 0 for the start info
 * and arch/x86_64/multiboot.c builds one from boot_mb2_info.
 *
 * We switch to long mode with static early page tables that map:
 *   - the first 4 GiB at 0 (identity, dropped once in the high half),
 *   - the first 4 GiB at DIRECT_MAP (0xffff800000000000),
 *   - the first 1 GiB at KERNEL_BASE (0xffffffff80000000), the kernel image,
 * then clear .bss and call kmain(start_info_phys) on the boot stack.
 */
#include "longmode.h"

#define KERNEL_BASE 0xffffffff80000000
#define PHYS(x) ((x) - KERNEL_BASE)
#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_PS 0x80

	.section .note.Xen, "a"
	.p2align 2
	.long 4			/* namesz */
	.long 4			/* descsz */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long PHYS(pvh_entry)

/*
 * The multiboot2 header (Multiboot2 specification, 3.1): in the first 32
 * KiB of the file, 8-byte aligned (kernel.ld puts .multiboot first). Tags:
 * the entry address (GRUB loads the PT_LOAD segments at their physical
 * addresses, then jumps there), modules page-aligned (the kernel maps the
 * image's file data where it lies), the end.
 */
#define MB2_MAGIC 0xe85250d6
#define MB2_BOOT_MAGIC 0x36d76289
	.section .multiboot, "a"
	.p2align 3
mb2_header:
	.long MB2_MAGIC
	.long 0				/* architecture: i386 protected mode */
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + (mb2_header_end - mb2_header))
	.word 3, 0			/* entry address tag */
	.long 12
	.long PHYS(mb2_entry)
	.long 0				/* padding to 8 bytes */
	.word 6, 0			/* module alignment tag */
	.long 8
	.word 0, 0			/* end tag */
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl pvh_entry
pvh_entry:
	cli
	cld
	movl %ebx, PHYS(boot_start_info)
	jmp boot_common

mb2_entry:
	cli
	cld
	cmpl $MB2_BOOT_MAGIC, %eax
	jne 1f
	movl %ebx, PHYS(boot_mb2_info)
	jmp boot_common
1:	hlt			/* not a multiboot2 loader: nothing to boot with */
	jmp 1b

boot_common:
	rdtsc
	movl %eax, PHYS(boot_tsc)
	movl %edx, PHYS(boot_tsc) + 4

	/* PAE, then the page tables, then long mode with NX, then paging. */
	ENTER_LONG_MODE $PHYS(early_pml4)

	lgdt PHYS(early_gdt_ptr)
	ljmp $0x08, $PHYS(long_mode)

	.code64
long_mode:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $high_half, %rax
	jmp *%rax

	.text
high_half:
	/*
	 * Clear .bss: QEMU zero-fills it, other loaders may not. Eight bytes
	 * a time (kernel.ld aligns both ends): TCG emulates each iteration
	 * of a rep, and byte by byte this took about 1 ms of every boot.
	 */
	movabsq $__bss_start, %rdi
	movabsq $__bss_end, %rcx
	subq %rdi, %rcx
	shrq $3, %rcx
	xorl %eax, %eax
	rep stosq
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl boot_start_info(%rip), %edi
	call kmain
1:	hlt
	jmp 1b

	.section .data.pagetables, "aw"
	.p2align 12
	.globl early_pml4
early_pml4:
	.quad PHYS(early_pdpt_low) + PTE_P + PTE_W
	.fill 255, 8, 0
	.quad PHYS(early_pdpt_low) + PTE_P + PTE_W	/* DIRECT_MAP */
	.fill 254, 8, 0
	.quad PHYS(early_pdpt_high) + PTE_P + PTE_W	/* KERNEL_BASE */
early_pdpt_low:
	.quad PHYS(early_pd) + 0x0000 + PTE_P + PTE_W
	.quad PHYS(early_pd) + 0x1000 + PTE_P + PTE_W
	.quad PHYS(early_pd) + 0x2000 + PTE_P + PTE_W
	.quad PHYS(early_pd) + 0x3000 + PTE_P + PTE_W
	.fill 508, 8, 0
early_pdpt_high:
	.fill 510, 8, 0
	.quad PHYS(early_pd) + PTE_P + PTE_W
	.quad 0
early_pd:	/* 2048 2-MiB pages: the first 4 GiB */
	.set i, 0
	.rept 2048
	.quad (i << 21) + PTE_P + PTE_W + PTE_PS
	.set i, i + 1
	.endr

	.data
	.p2align 3
early_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
early_gdt_ptr:
	.word early_gdt_ptr - early_gdt - 1
	.long PHYS(early_gdt)
	.globl boot_start_info, boot_mb2_info, boot_tsc
boot_start_info:
	.long 0
boot_mb2_info:
	.long 0
	.p2align 3
boot_tsc:
	.quad 0

	.bss
	.p2align 12
boot_stack:
	.skip 16384
	.globl boot_stack_top
boot_stack_top:

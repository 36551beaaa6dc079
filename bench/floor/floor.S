/*
 * The floor: the emptiest guest QEMU can boot through PVH, to measure what
 * QEMU, its firmware and the machine type cost before any kernel runs.
 *
 * Layer: bench/, not part of Skiff. Built by bench/floor/build.sh into
 * build/bench/floor.elf and booted with
 *   qemu-system-x86_64 -M microvm -kernel floor.elf \
 *     -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio ...
 * Interface: the 32-bit entry (XEN_ELFNOTE_PHYS32_ENTRY, note type 18) prints
 * one line, "floor", on COM1 (0x3f8) and writes 0 to isa-debug-exit, so QEMU
 * exits at once with status 1, exactly as Skiff and the Linux guest of the
 * benchmark do when their program exits 0.
 */

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define COM1 0x3f8
#define DEBUG_EXIT 0xf4

	.section .note.pvh, "a", @note
	.balign 4
	.long 4				/* namesz: "Xen\0" */
	.long 4				/* descsz: one 32-bit address */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.long floor_entry

	.section .text, "ax"
	.code32
	.globl floor_entry
floor_entry:
	/* PVH: flat 32-bit protected mode, paging off, no stack promised. */
	cli
	mov $COM1, %dx
	mov $floor_msg, %esi
1:	lodsb
	test %al, %al
	jz 2f
	/* QEMU's 16550 sends a THR write at once: no init or polling needed. */
	outb %al, %dx
	jmp 1b
2:	mov $DEBUG_EXIT, %dx
	xor %eax, %eax
	outl %eax, %dx
3:	hlt
	jmp 3b

	.section .rodata, "a"
floor_msg:
	.asciz "floor\n"

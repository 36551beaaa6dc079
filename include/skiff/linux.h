/*
 * The Linux ABI layer's entry for the init sequence. Layer: linux
 * (linux/exec.c); kernel/main.c calls it last.
 */
#ifndef SKIFF_LINUX_H
#define SKIFF_LINUX_H

/*
 * Sets up the ABI layer (linux_init), loads the program named in the image
 * with its interpreter, builds its stack and jumps to it. Never returns: a
 * program that cannot be run ends the VM (kernel_error).
 */
void exec_program(void) __attribute__((noreturn));

#endif

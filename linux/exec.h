/* linux/exec.c: load the program named in the image and jump to it. */
#ifndef LINUX_EXEC_H
#define LINUX_EXEC_H

void exec_program(void) __attribute__((noreturn));

#endif

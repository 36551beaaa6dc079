/*
 * The dispatcher of system calls. The SYSCALL entry stub (arch/x86_64/
 * entry.S) saves a struct syscall_frame (skiff/frame.h) and calls
 * syscall_handler (linux/table.c). Layer: Linux ABI.
 */
#ifndef LINUX_SYSCALL_H
#define LINUX_SYSCALL_H

#include <skiff/frame.h>
#include <skiff/types.h>

typedef long (*syscall_fn)(long, long, long, long, long, long);

const char *syscall_name(unsigned long nr);

#endif

/*
 * The frame the SYSCALL entry stub (arch/x86_64/entry.S) saves on the
 * thread's kernel stack, and the dispatcher it calls. Layer: Linux ABI.
 * The field order matches the pushes in entry.S.
 */
#ifndef LINUX_SYSCALL_H
#define LINUX_SYSCALL_H

#include <skiff/types.h>

struct syscall_frame {
	u64 r15, r14, r13, r12, rbp, rbx;
	u64 r9, r8, r10, rdx, rsi, rdi;
	u64 rax; /* syscall number in, return value out */
	u64 rcx; /* the program's RIP after SYSCALL */
	u64 r11; /* the program's RFLAGS */
	u64 rsp; /* the program's stack pointer */
};

typedef long (*syscall_fn)(long, long, long, long, long, long);

long syscall_dispatch(struct syscall_frame *f);
const char *syscall_name(unsigned long nr);

#endif

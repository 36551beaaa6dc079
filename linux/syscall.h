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

/* syscall_entry pushes rsp first and r15 last; clone_return pops it all. */
#define SYSCALL_FRAME_CHECK(field, slot)                                 \
	_Static_assert(offsetof(struct syscall_frame, field) == (slot) * 8, \
		       "syscall_frame." #field " must match entry.S")
SYSCALL_FRAME_CHECK(r15, 0);
SYSCALL_FRAME_CHECK(r14, 1);
SYSCALL_FRAME_CHECK(r13, 2);
SYSCALL_FRAME_CHECK(r12, 3);
SYSCALL_FRAME_CHECK(rbp, 4);
SYSCALL_FRAME_CHECK(rbx, 5);
SYSCALL_FRAME_CHECK(r9, 6);
SYSCALL_FRAME_CHECK(r8, 7);
SYSCALL_FRAME_CHECK(r10, 8);
SYSCALL_FRAME_CHECK(rdx, 9);
SYSCALL_FRAME_CHECK(rsi, 10);
SYSCALL_FRAME_CHECK(rdi, 11);
SYSCALL_FRAME_CHECK(rax, 12);
SYSCALL_FRAME_CHECK(rcx, 13);
SYSCALL_FRAME_CHECK(r11, 14);
SYSCALL_FRAME_CHECK(rsp, 15);
_Static_assert(sizeof(struct syscall_frame) == 16 * 8,
	       "syscall_exit pops a syscall_frame of 16 words");
#undef SYSCALL_FRAME_CHECK

typedef long (*syscall_fn)(long, long, long, long, long, long);

long syscall_dispatch(struct syscall_frame *f);
const char *syscall_name(unsigned long nr);

#endif

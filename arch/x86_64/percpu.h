/*
 * The offsets of struct percpu (skiff/arch.h) that entry.S uses, checked
 * against the struct here; and setting up a CPU's per-CPU data
 * (arch/x86_64/cpu.c).
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#define PERCPU_SELF 0
#define PERCPU_KSTACK_TOP 8   /* top of the running thread's kernel stack */
#define PERCPU_KSTACK_BASE 16 /* its lowest address */
#define PERCPU_SCRATCH 24     /* the program's RSP during SYSCALL entry */
#define PERCPU_CURRENT 32     /* the running struct thread */

#ifndef __ASSEMBLY__
#include <skiff/arch.h>

#define PERCPU_CHECK(field, off)                                 \
	_Static_assert(offsetof(struct percpu, field) == (off), \
		       "struct percpu." #field " must sit at " #off " (entry.S)")
PERCPU_CHECK(self, PERCPU_SELF);
PERCPU_CHECK(kstack_top, PERCPU_KSTACK_TOP);
PERCPU_CHECK(kstack_base, PERCPU_KSTACK_BASE);
PERCPU_CHECK(scratch, PERCPU_SCRATCH);
PERCPU_CHECK(current, PERCPU_CURRENT);
#undef PERCPU_CHECK

void percpu_init(struct percpu *p);
#endif

#endif

/*
 * Per-CPU data, reached through GS (its base is set at boot and never
 * changes: the program's TLS uses FS). The offsets are used by entry.S,
 * and checked against struct percpu below.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#define PERCPU_SELF 0
#define PERCPU_KSTACK_TOP 8   /* top of the running thread's kernel stack */
#define PERCPU_KSTACK_BASE 16 /* its lowest address */
#define PERCPU_SCRATCH 24     /* the program's RSP during SYSCALL entry */
#define PERCPU_CURRENT 32     /* the running struct thread */

#define KSTACK_SIZE 16384

#ifndef __ASSEMBLY__
#include <skiff/types.h>

struct thread;
struct sched_cpu;

struct percpu {
	struct percpu *self;
	u64 kstack_top;
	u64 kstack_base;
	u64 scratch;
	struct thread *current;
	struct thread *idle;
	bool need_resched; /* set by the timer or a wake-up; checked on trap exit */
	int cpu_id;
	struct sched_cpu *sched; /* this CPU's run queue and timers (sched/sched.c) */
};

#define PERCPU_CHECK(field, off)                            \
	_Static_assert(offsetof(struct percpu, field) == (off), \
		       "struct percpu." #field " must sit at " #off " (entry.S)")
PERCPU_CHECK(self, PERCPU_SELF);
PERCPU_CHECK(kstack_top, PERCPU_KSTACK_TOP);
PERCPU_CHECK(kstack_base, PERCPU_KSTACK_BASE);
PERCPU_CHECK(scratch, PERCPU_SCRATCH);
PERCPU_CHECK(current, PERCPU_CURRENT);
#undef PERCPU_CHECK

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	asm volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

void percpu_init(struct percpu *p);
#endif

#endif

/*
 * arch/x86_64/cpu.c: setting up a CPU's per-CPU data. struct percpu, its
 * offsets (used by entry.S) and this_cpu() are in skiff/arch.h.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <skiff/arch.h>

#ifndef __ASSEMBLY__
void percpu_init(struct percpu *p);
#endif

#endif

/*
 * Kernel symbols for backtraces (kernel/ksyms.c, filled by a second link of
 * the kernel) and the helpers panic and the trap handlers share.
 */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <skiff/kernel.h>

/* Lowest address a kernel stack frame may have (the direct map). */
#define KERNEL_BASE_ADDR_MIN 0xffff800000000000ul

/* ksym_lookup, backtrace_from, klog_always: skiff/kernel.h. */
/* Ends the VM at once: isa-debug-exit, else a triple fault. */
void power_off(void) __noreturn;

#endif

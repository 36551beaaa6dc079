/*
 * Kernel symbols for backtraces (kernel/ksyms.c, filled by a second link of
 * the kernel) and the helpers panic and the trap handlers share.
 */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <skiff/types.h>

/* Lowest address a kernel stack frame may have (the direct map). */
#define KERNEL_BASE_ADDR_MIN 0xffff800000000000ul

/* The name of the function containing addr, and addr's offset in it. */
const char *ksym_lookup(u64 addr, u64 *off);
/* Logs a frame-pointer backtrace starting at rip with frame rbp. */
void backtrace_from(u64 rbp, u64 rip);
/* Logs even without verbose: for panics and crash reports. */
void klog_always(const char *fmt, ...) __printf(1, 2);
/* Ends the VM at once: isa-debug-exit, else a triple fault. */
void power_off(void) __noreturn;

#endif

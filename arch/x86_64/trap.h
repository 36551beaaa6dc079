/* arch/x86_64/trap.c's hooks into other layers (the ABI layer's are
 * registered through skiff/frame.h's trap_set_signal_ops). */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#include <skiff/types.h>
#include "cpu.h"

/*
 * mm/fault.c: fills a fault at a program address (error = the #PF error
 * code). 0 when the access is now possible, -EFAULT when it is not allowed,
 * -EIO when it falls past the end of a mapped file (SIGBUS).
 */
int vm_fault(u64 addr, u64 error);

#endif

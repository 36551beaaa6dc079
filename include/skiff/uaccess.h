/*
 * Access to program memory from the kernel. The program shares the
 * kernel's address space, so a checked pointer is used directly; two
 * halves make that safe:
 *  - arch (arch/x86_64/uaccess.S): copies that survive a fault. A page
 *    that is not there when touched is filled by mm (vm_fault) or, if it
 *    cannot be, the copy returns -EFAULT instead of a kernel fault (a
 *    race with munmap).
 *  - mm (mm/uaccess.c): the check that the range lies below USER_END in
 *    mappings that allow the access, and the checked copies built on it.
 *    Declared here, at arch's level, and implemented above by mm: arch's
 *    signal frames and vsyscall emulation use them (an upward call).
 * skiff/mm.h includes this header. Each returns 0 or -EFAULT.
 */
#ifndef SKIFF_UACCESS_H
#define SKIFF_UACCESS_H

#include <skiff/types.h>

/* ---- arch/x86_64/uaccess.S: fault-safe access to checked memory ---- */

/* Copy and zero with program memory on one side. */
int uaccess_copy(void *dst, const void *src, size_t n);
int uaccess_zero(void *dst, size_t n);
/*
 * Atomic access to a word of program memory that the caller has checked
 * (user_check) but another thread may unmap: the word found
 * (zero-extended), or -EFAULT. cmpxchg32 stores new when the word was
 * old, as LOCK CMPXCHG.
 */
s64 uaccess_load32(const u32 *p);
s64 uaccess_cmpxchg32(u32 *p, u32 old, u32 new);

/* ---- mm/uaccess.c: checked access (may sleep filling a page) ---- */

/*
 * A syscall checks every pointer it receives before use: the range must
 * lie below USER_END inside mappings that allow the access (write: a
 * store). Pages are populated on fault as the program would see them.
 */
int user_check(const void *p, size_t len, bool write);
/* user_check, then uaccess_copy. */
int copy_from_user(void *dst, const void *usrc, size_t len);
int copy_to_user(void *udst, const void *src, size_t len);

#endif

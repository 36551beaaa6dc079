/*
 * linux/mm.c: brk, mmap, munmap, mprotect, mremap, madvise. Thin entries
 * over mm/vm.c. Layer: Linux ABI.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include "../mm/vm.h"
#include "abi.h"
#include "sys.h"

#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)
#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP 0x02000000

long sys_brk(unsigned long addr)
{
	return vm_brk(addr);
}

long sys_mmap(unsigned long addr, size_t len, int prot, int flags, int fd,
	      s64 off)
{
	int type = flags & MAP_TYPE;

	if (!len)
		return -EINVAL;
	if (type != MAP_PRIVATE && type != MAP_SHARED &&
	    type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (off & (PAGE_SIZE - 1))
		return -EINVAL;
	if (prot & ~PROT_ALL)
		return -EINVAL;
	if (len > USER_END)
		return -ENOMEM;
	if (!(flags & MAP_ANONYMOUS))
		return -ENODEV; /* file mappings: not yet */
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if (fixed && (addr & (PAGE_SIZE - 1)))
		return -EINVAL;
	return vm_map(addr, len, prot, fixed, flags & MAP_FIXED_NOREPLACE);
}

long sys_munmap(unsigned long addr, size_t len)
{
	return vm_unmap(addr, len);
}

long sys_mprotect(unsigned long addr, size_t len, int prot)
{
	if (prot & ~(PROT_ALL | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	return vm_protect(addr, len, prot & PROT_ALL);
}

long sys_mremap(unsigned long old, size_t oldlen, size_t newlen, int flags,
		unsigned long new)
{
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if (flags & MREMAP_DONTUNMAP)
		return -EINVAL; /* only for private anonymous moves; rare */
	return vm_remap(old, oldlen, newlen, flags & MREMAP_MAYMOVE,
			flags & MREMAP_FIXED, new);
}

#define MADV_NORMAL 0
#define MADV_RANDOM 1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED 3
#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_HUGEPAGE 14
#define MADV_NOHUGEPAGE 15
#define MADV_DONTDUMP 16
#define MADV_DODUMP 17

long sys_madvise(unsigned long addr, size_t len, int advice)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_FREE:
		if (vm_check(addr, len, 0))
			return -ENOMEM;
		return vm_discard(addr, len);
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
		return vm_check(addr, len, 0) ? -ENOMEM : 0;
	default:
		return -EINVAL;
	}
}

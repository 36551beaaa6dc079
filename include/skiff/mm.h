/*
 * Memory: physical pages, the kernel heap, the program's address space and
 * access to program memory from syscalls. mm/.
 */
#ifndef SKIFF_MM_H
#define SKIFF_MM_H

#include <skiff/types.h>

#define PAGE_SIZE 4096ul
#define PAGE_SHIFT 12

/* Kernel virtual layout. */
#define KERNEL_BASE 0xffffffff80000000ul /* kernel image, -mcmodel=kernel */
#define DIRECT_MAP 0xffff800000000000ul  /* all of physical memory */
#define USER_END 0x0000800000000000ul    /* the program owns [0, USER_END) */

static inline void *phys_to_virt(paddr_t p)
{
	return (void *)(p + DIRECT_MAP);
}

static inline paddr_t virt_to_phys(const void *v)
{
	u64 a = (u64)v;
	return a >= KERNEL_BASE ? a - KERNEL_BASE : a - DIRECT_MAP;
}

/*
 * Physical pages (mm/page.c). page_alloc returns the direct-map address of
 * n contiguous zeroed pages, or NULL. Any context; never sleeps.
 */
void *page_alloc(size_t n);
/* The same without zeroing: for pages the caller fills completely. */
void *page_alloc_dirty(size_t n);
void page_free(void *p, size_t n);
size_t page_free_count(void);
size_t page_total_count(void);

/* Kernel heap (mm/heap.c). Never sleeps; NULL when memory is exhausted. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void *krealloc(void *p, size_t size);
void kfree(void *p);

/*
 * Program memory (mm/uaccess.c). A syscall checks every pointer it receives
 * before use: the range must lie below USER_END inside mappings that allow
 * the access. Pages are populated on fault as the program would see them.
 * Each returns 0 or -EFAULT.
 */
int user_check(const void *p, size_t len, bool write);
/*
 * Copy and zero with program memory on one side (arch/x86_64/uaccess.S):
 * 0, or -EFAULT where a checked page turned out not to be there.
 */
int uaccess_copy(void *dst, const void *src, size_t n);
int uaccess_zero(void *dst, size_t n);
int copy_from_user(void *dst, const void *usrc, size_t len);
int copy_to_user(void *udst, const void *src, size_t len);
/*
 * Copies a NUL-terminated string of at most max bytes (NUL included) into a
 * new kmalloc'd buffer in *out. 0, -EFAULT, -ENAMETOOLONG or -ENOMEM.
 */
int user_strdup(const char *usrc, size_t max, char **out);

#endif

/*
 * mm/uaccess.c: reaching program memory from syscalls. The program shares
 * the kernel's address space, so a checked pointer is used directly; the
 * check makes a bad pointer an -EFAULT instead of a kernel fault. Pages not
 * yet populated fill in on the first touch (mm/vm.c's vm_fault).
 */
#include <skiff/errno.h>
#include <skiff/mm.h>

int user_check(const void *p, size_t len, bool write)
{
	if (!len)
		return 0;
	return vm_check((u64)p, len, write ? PROT_WRITE : PROT_READ);
}

int copy_from_user(void *dst, const void *usrc, size_t len)
{
	int r = user_check(usrc, len, false);

	return r ? r : uaccess_copy(dst, usrc, len);
}

int copy_to_user(void *udst, const void *src, size_t len)
{
	int r = user_check(udst, len, true);

	return r ? r : uaccess_copy(udst, src, len);
}

int user_strdup(const char *usrc, size_t max, char **out)
{
	u64 a = (u64)usrc;
	u64 end = vm_mapped_end(a, PROT_READ);

	if (end <= a)
		return -EFAULT;
	size_t avail = MIN(end - a, max);
	size_t n = strnlen(usrc, avail);
	if (n == avail)
		return n == max ? -ENAMETOOLONG : -EFAULT;
	char *s = kmalloc(n + 1);
	if (!s)
		return -ENOMEM;
	memcpy(s, usrc, n + 1);
	*out = s;
	return 0;
}

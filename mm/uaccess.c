/*
 * mm/uaccess.c: reaching program memory from syscalls. The program shares
 * the kernel's address space; the check makes a bad pointer an -EFAULT,
 * and the copies go through arch/x86_64/uaccess.S so that memory another
 * thread unmaps after the check is an -EFAULT too, not a kernel fault. Pages not
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

/* The length of the string at usrc, looked at within avail bytes (avail
 * when no NUL is there), or -EFAULT if it went away meanwhile. */
static s64 user_strnlen(const char *usrc, size_t avail)
{
	char chunk[64];

	for (size_t off = 0; off < avail; off += sizeof(chunk)) {
		size_t n = MIN(sizeof(chunk), avail - off);
		if (uaccess_copy(chunk, usrc + off, n))
			return -EFAULT;
		const char *nul = memchr(chunk, 0, n);
		if (nul)
			return (s64)(off + (size_t)(nul - chunk));
	}
	return (s64)avail;
}

int user_strdup(const char *usrc, size_t max, char **out)
{
	u64 a = (u64)usrc;
	u64 end = vm_mapped_end(a, PROT_READ);

	if (end <= a)
		return -EFAULT;
	size_t avail = MIN(end - a, max);
	s64 n = user_strnlen(usrc, avail);
	if (n < 0)
		return (int)n;
	if ((size_t)n == avail)
		return (size_t)n == max ? -ENAMETOOLONG : -EFAULT;
	char *s = kmalloc((size_t)n + 1);
	if (!s)
		return -ENOMEM;
	if (uaccess_copy(s, usrc, (size_t)n)) {
		kfree(s);
		return -EFAULT;
	}
	s[n] = 0; /* another thread may have changed the string meanwhile */
	*out = s;
	return 0;
}

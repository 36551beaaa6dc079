/*
 * linux/mm.c: brk, mmap, munmap, mprotect, mremap, madvise. Thin entries
 * over mm/vm.c. Layer: Linux ABI.
 */
#include <skiff/errno.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include <skiff/vfs.h>
#include "abi.h"
#include "sys.h"

#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)
#define PROT_GROWSDOWN 0x01000000
#define PROT_GROWSUP 0x02000000

long sys_brk(unsigned long addr)
{
	return vm_brk(addr);
}

#define KNOWN_FLAGS (MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN |    \
		     MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED |            \
		     MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | \
		     MAP_HUGETLB | MAP_FIXED_NOREPLACE)

/*
 * MAP_SHARED anonymous memory (and MAP_SHARED of /dev/zero): a memory
 * file of len bytes mapped shared, as Linux's shmem, so that a fork
 * shares it (fs/memfd.c).
 */
static long map_shared_anon(unsigned long addr, size_t len, int prot,
			    bool fixed, bool noreplace)
{
	struct file *f;
	int r = vfs_memfd("dev/zero", ALIGN_UP(len, PAGE_SIZE), 0, &f);

	if (r)
		return r == -ENOSPC ? -ENOMEM : r;
	long at = vm_map_file(addr, len, prot, fixed, noreplace, f, 0, true, true);
	file_put(f);
	return at;
}

/* mmap of a file: checks the fd and its open mode as Linux does. */
static long map_file(unsigned long addr, size_t len, int prot, int flags,
		     int fd, s64 off, bool fixed)
{
	struct file *f = fd_get(fd);
	bool shared = (flags & MAP_TYPE) != MAP_PRIVATE;
	long r;

	if (!f)
		return -EBADF;
	if (!(f->fmode & FMODE_READ) || (f->fmode & FMODE_PATH))
		r = -EACCES;
	else if (shared && (prot & PROT_WRITE) && !(f->fmode & FMODE_WRITE))
		r = -EACCES;
	else if (S_ISCHR(f->inode->mode) && f->inode->rdev == MKDEV(1, 5))
		r = shared ? map_shared_anon(addr, len, prot, fixed, /* /dev/zero */
					     flags & MAP_FIXED_NOREPLACE)
			   : vm_map(addr, len, prot, fixed, /* /dev/zero: anonymous */
				    flags & MAP_FIXED_NOREPLACE);
	else if (!f->ops || (!f->ops->get_page &&
			     (shared || !f->ops->read || !S_ISREG(f->inode->mode))))
		r = -ENODEV; /* a private map of a regular file is read in */
	else if (off < 0)
		r = -EINVAL;
	else if ((flags & MAP_TYPE) == MAP_SHARED_VALIDATE && (flags & ~KNOWN_FLAGS))
		r = -EOPNOTSUPP;
	else
		r = vm_map_file(addr, len, prot, fixed,
				flags & MAP_FIXED_NOREPLACE, f, off / PAGE_SIZE,
				shared, f->fmode & FMODE_WRITE);
	file_put(f);
	return r;
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
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if (fixed && (addr & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (fixed && (addr >= USER_END || ALIGN_UP(len, PAGE_SIZE) > USER_END - addr))
		return -ENOMEM;
	if ((flags & MAP_ANONYMOUS) && type == MAP_SHARED_VALIDATE)
		return -EINVAL; /* as Linux: VALIDATE is for file mappings */
	if ((flags & MAP_ANONYMOUS) && type != MAP_PRIVATE)
		return map_shared_anon(addr, len, prot, fixed,
				       flags & MAP_FIXED_NOREPLACE);
	if (flags & MAP_ANONYMOUS)
		return vm_map(addr, len, prot, fixed, flags & MAP_FIXED_NOREPLACE);
	return map_file(addr, len, prot, flags, fd, off, fixed);
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

#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4

struct msync_range {
	u64 start, end;
	int err;
};

/* An area in the range mapping a file shared: the file to its disk. */
static void msync_area(const struct vm_area_info *a, void *arg)
{
	struct msync_range *m = arg;
	struct file *f = a->file;

	if (!a->shared || !f || a->end <= m->start || a->start >= m->end ||
	    !f->ops || !f->ops->fsync || !S_ISREG(f->inode->mode))
		return;
	int r = f->ops->fsync(f);
	if (r && !m->err)
		m->err = r;
}

/*
 * MAP_SHARED pages are the file's own pages; on a disk filesystem (ext2)
 * MS_SYNC writes them and the file back through the file's fsync, as
 * Linux writes the range; MS_ASYNC, as on Linux, starts nothing.
 */
long sys_msync(unsigned long addr, size_t len, int flags)
{
	struct msync_range m = { addr, addr + ALIGN_UP(len, PAGE_SIZE), 0 };

	if ((addr & (PAGE_SIZE - 1)) || (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	if (vm_check(addr, ALIGN_UP(len, PAGE_SIZE), 0))
		return -ENOMEM;
	if ((flags & MS_SYNC) && vm_for_each_area(msync_area, &m) == -ENOMEM)
		return -ENOMEM;
	return m.err ? -EIO : 0;
}

long sys_mincore(unsigned long addr, size_t len, u8 *vec)
{
	/* Counted without rounding len up, which would wrap near 2^64. */
	size_t pages = len / PAGE_SIZE + (len % PAGE_SIZE != 0);

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (addr > VM_TASK_END || len > VM_TASK_END - addr)
		return -ENOMEM; /* as Linux's access_ok on [addr, addr+len) */
	if (vm_check(addr, pages * PAGE_SIZE, 0))
		return -ENOMEM;
	if (user_check(vec, pages, true))
		return -EFAULT;
	/* In chunks through the uaccess copy: vec may be unmapped meanwhile. */
	u8 chunk[256];
	for (size_t done = 0; done < pages;) {
		size_t n = MIN(pages - done, sizeof(chunk));
		for (size_t i = 0; i < n; i++)
			chunk[i] = vm_resident(addr + (done + i) * PAGE_SIZE);
		if (copy_to_user(vec + done, chunk, n))
			return -EFAULT;
		done += n;
	}
	return 0;
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
#define MADV_DONTFORK 10
#define MADV_DOFORK 11
#define MADV_MERGEABLE 12
#define MADV_UNMERGEABLE 13
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#define MADV_COLD 20
#define MADV_PAGEOUT 21

long sys_madvise(unsigned long addr, size_t len, int advice)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	switch (advice) {
	case MADV_DONTNEED:
	case MADV_FREE:
		return vm_advise(addr, len, true);
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
	case MADV_COLD:
	case MADV_PAGEOUT:
		return vm_advise(addr, len, false);
	default:
		return -EINVAL;
	}
}

#define MFD_CLOEXEC 1u
#define MFD_ALLOW_SEALING 2u
#define MFD_HUGETLB 4u
#define MFD_NAME_MAX 249 /* NAME_MAX less "memfd:" */

/*
 * memfd_create(2): a memory file (fs/memfd.c) on a new descriptor.
 * DIVERGENCE: MFD_ALLOW_SEALING is accepted but F_ADD_SEALS is not
 * implemented (fcntl says EINVAL); no hugetlb pages (EINVAL, as a kernel
 * without hugetlbfs).
 */
long sys_memfd_create(const char *uname, unsigned flags)
{
	char *name, full[NAME_MAX + 1];
	struct file *f;
	int r;

	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING))
		return -EINVAL;
	r = user_strdup(uname, MFD_NAME_MAX + 1, &name);
	if (r)
		return r == -ENAMETOOLONG ? -EINVAL : r;
	fmt_snprintf(full, sizeof(full), "memfd:%s", name);
	kfree(name);
	r = vfs_memfd(full, 0, 0, &f);
	if (r)
		return r;
	r = fd_install(f, 0, flags & MFD_CLOEXEC); /* takes our reference */
	if (r < 0)
		file_put(f);
	return r;
}

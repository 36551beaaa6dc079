/* Host versions of kernel services for unit tests; see shim.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/sched.h>
#include "shim.h"

/* Weak: a test of kernel/cmdline.c links the real one. */
struct boot_options boot_opts __attribute__((weak));

int shim_kmalloc_fail_nth;

void *kmalloc(size_t size)
{
	if (shim_kmalloc_fail_nth && --shim_kmalloc_fail_nth == 0)
		return NULL;
	return malloc(size ? size : 1);
}
void *kzalloc(size_t size) { return calloc(1, size ? size : 1); }
void *krealloc(void *p, size_t size) { return realloc(p, size ? size : 1); }
void kfree(void *p) { free(p); }
int uaccess_copy(void *dst, const void *src, size_t n) { memmove(dst, src, n); return 0; }
int uaccess_zero(void *dst, size_t n) { memset(dst, 0, n); return 0; }

void klog(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* A program-fatal kernel error: the test fails the same way as on panic. */
void kernel_error(const char *fmt, ...)
	__attribute__((alias("panic")));

/* Weak: tests/unit/test_locktorture.c compiles the real locks in. */
__attribute__((weak)) void spin_lock(struct spinlock *l) { l->locked++; }
__attribute__((weak)) void spin_unlock(struct spinlock *l) { l->locked--; }
__attribute__((weak)) void mutex_init(struct mutex *m) { m->owner = NULL; }
__attribute__((weak)) void mutex_lock(struct mutex *m) { (void)m; }
__attribute__((weak)) void mutex_unlock(struct mutex *m) { (void)m; }
__attribute__((weak)) bool mutex_trylock(struct mutex *m) { (void)m; return true; }
__attribute__((weak)) void waitq_init(struct waitq *wq) { list_init(&wq->sleepers); }
__attribute__((weak)) void waitq_wake_one(struct waitq *wq) { (void)wq; }
__attribute__((weak)) void waitq_wake_all(struct waitq *wq) { (void)wq; }

/* fs/9p/super.c: no 9p devices on the host (fs/mounts.c calls it). Weak:
 * a unit test linking fs/9p/ gets the real one. */
struct super;
__attribute__((weak)) int p9_mount(const char *tag, bool ro,
				   struct super **out, char *why, size_t wsize)
{
	(void)tag, (void)ro, (void)out, (void)why, (void)wsize;
	return -19; /* -ENODEV */
}

/* kernel/metrics.c and fs/ext2/writeback.c, for fs/procfs/info.c
 * (/proc/skiff/metrics, meminfo's Cached): no metrics, no cache. Weak: a
 * unit test linking the real ones gets them. */
__attribute__((weak)) char *metrics_text(size_t *len)
{
	*len = 0;
	return NULL;
}

__attribute__((weak)) u64 ext2_cache_bytes(void)
{
	return 0;
}

/* fs/mounts.c: syncfs of one filesystem (linux/file.c calls it). */
__attribute__((weak)) int vfs_sync_super(struct super *sb)
{
	(void)sb;
	return 0;
}

/* fs/mounts.c: no disks on the host (linux/file.c's sync calls it). A
 * weak symbol, so that a unit test linking fs/mounts.c gets the real one. */
__attribute__((weak)) int vfs_sync_all(bool at_exit)
{
	(void)at_exit;
	return 0;
}

/* mm/vmfile.c: no address spaces map files on the host (fs/ramfs/file.c's
 * truncate calls it). Weak, for a unit test linking mm/vmfile.c. */
__attribute__((weak)) void vm_unmap_file_from(struct inode *ino, u64 first)
{
	(void)ino, (void)first;
}

/*
 * linux/thread.c: the process and its threads as the program sees them:
 * ids, TLS (arch_prctl), exit, and the per-thread pointers glibc registers.
 * One program per VM: its pid is 1, its parent 0. Layer: Linux ABI.
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include "../arch/x86_64/cpu.h"
#include "../sched/thread.h"
#include "abi.h"
#include "sys.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define ARCH_GET_CPUID 0x1011
#define ARCH_SET_CPUID 0x1012

long sys_arch_prctl(int code, unsigned long addr)
{
	struct thread *t = thread_current();

	switch (code) {
	case ARCH_SET_FS:
		if (addr >= USER_END)
			return -EPERM;
		t->fs_base = addr;
		wrmsr(MSR_FS_BASE, addr);
		return 0;
	case ARCH_GET_FS: {
		u64 fs = rdmsr(MSR_FS_BASE);
		return copy_to_user((void *)addr, &fs, sizeof(fs));
	}
	case ARCH_GET_GS: {
		u64 gs = 0;
		return copy_to_user((void *)addr, &gs, sizeof(gs));
	}
	case ARCH_SET_GS:
		/* DIVERGENCE: GS holds the kernel's per-CPU data. */
		return -EPERM;
	case ARCH_GET_CPUID:
		return 1;
	case ARCH_SET_CPUID:
		return -ENODEV;
	default:
		return -EINVAL;
	}
}

long sys_set_tid_address(int *tidptr)
{
	thread_current()->clear_child_tid = tidptr;
	return thread_tid();
}

long sys_set_robust_list(void *head, size_t len)
{
	if (len != 24) /* sizeof(struct robust_list_head) */
		return -EINVAL;
	thread_current()->robust_list = head;
	return 0;
}

long sys_rseq(void *rseq, u32 len, int flags, u32 sig)
{
	/* DIVERGENCE: no restartable sequences; libc falls back. */
	return -ENOSYS;
}

long sys_exit_group(int status)
{
	kernel_exit(status);
}

long sys_exit(int status)
{
	/* Until the program can create threads, its only thread ends it. */
	kernel_exit(status);
}

long sys_getpid(void)
{
	return 1;
}

long sys_gettid(void)
{
	return thread_tid();
}

long sys_getppid(void)
{
	return 0;
}

long sys_getuid(void)
{
	return 0;
}

long sys_geteuid(void)
{
	return 0;
}

long sys_getgid(void)
{
	return 0;
}

long sys_getegid(void)
{
	return 0;
}

long sys_sched_getaffinity(int pid, size_t len, unsigned long *mask)
{
	unsigned long cpus = 1; /* one CPU brought up */

	if (pid < 0)
		return -ESRCH;
	if (pid && pid != 1 && pid != thread_tid())
		return -ESRCH;
	if (len < sizeof(cpus) || (len & (sizeof(long) - 1)))
		return -EINVAL;
	if (copy_to_user(mask, &cpus, sizeof(cpus)))
		return -EFAULT;
	return sizeof(cpus);
}

long sys_sched_yield(void)
{
	sched_yield();
	return 0;
}

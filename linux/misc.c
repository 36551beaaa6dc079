/*
 * linux/misc.c: uname, getrandom, resource limits, sysinfo. Layer: Linux ABI.
 */
#include <skiff/errno.h>
#include <skiff/lib.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/time.h>
#include <skiff/vfs.h>
#include "abi.h"
#include "lproc.h"
#include "sys.h"

#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#define GRND_INSECURE 4

long sys_uname(struct linux_utsname *buf)
{
	struct linux_utsname u;

	memset(&u, 0, sizeof(u));
	str_lcpy(u.sysname, UTS_SYSNAME, sizeof(u.sysname));
	str_lcpy(u.nodename, UTS_NODENAME, sizeof(u.nodename));
	str_lcpy(u.release, UTS_RELEASE, sizeof(u.release));
	str_lcpy(u.version, UTS_VERSION, sizeof(u.version));
	str_lcpy(u.machine, "x86_64", sizeof(u.machine));
	str_lcpy(u.domainname, "(none)", sizeof(u.domainname));
	return copy_to_user(buf, &u, sizeof(u));
}

long sys_getrandom(void *buf, size_t len, unsigned flags)
{
	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_RANDOM) && (flags & GRND_INSECURE))
		return -EINVAL;
	if (len > 0x1ffffff) /* Linux returns at most 32 MiB - 1 per call */
		len = 0x1ffffff;
	/* The whole buffer is checked first (nothing is written to a range
	 * that is bad from the start), then filled in chunks through the
	 * uaccess copy: a buffer another thread unmaps meanwhile ends the call
	 * with what was written, or -EFAULT, as Linux. */
	if (user_check(buf, len, true))
		return -EFAULT;
	u8 chunk[512];
	size_t done = 0;
	while (done < len) {
		size_t n = MIN(len - done, sizeof(chunk));
		random_fill(chunk, n);
		if (copy_to_user((u8 *)buf + done, chunk, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return len;
}

/* The limit of res now; RLIMIT_NOFILE is the fd table's (fs/). */
static struct linux_rlimit limit_get(int res)
{
	struct linux_rlimit l = lproc_current()->limits[res];

	if (res == RLIMIT_NOFILE)
		fd_table_get_limit(fd_table_current(), &l.cur, &l.max);
	return l;
}

long sys_prlimit64(int pid, int res, const struct linux_rlimit *newl,
		   struct linux_rlimit *oldl)
{
	struct linux_rlimit n, o;

	/* DIVERGENCE: another process's limits are not reachable. */
	if (pid < 0 || (pid && pid != process_current()->pid))
		return -ESRCH;
	if (res < 0 || res >= RLIM_NLIMITS)
		return -EINVAL;
	if (newl) {
		if (copy_from_user(&n, newl, sizeof(n)))
			return -EFAULT;
		if (n.cur > n.max)
			return -EINVAL;
		if (n.max > limit_get(res).max && res == RLIMIT_NOFILE)
			return -EPERM;
	}
	o = limit_get(res);
	if (oldl && copy_to_user(oldl, &o, sizeof(*oldl)))
		return -EFAULT;
	if (newl && res == RLIMIT_NOFILE)
		return fd_table_set_limit(fd_table_current(), n.cur, n.max);
	if (newl)
		lproc_current()->limits[res] = n;
	return 0;
}

long sys_getrlimit(int res, struct linux_rlimit *rl)
{
	if (!rl)
		return -EFAULT;
	return sys_prlimit64(0, res, NULL, rl);
}

long sys_setrlimit(int res, const struct linux_rlimit *rl)
{
	return sys_prlimit64(0, res, rl, NULL);
}

#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1

/* DIVERGENCE: all CPU time counts as user time (no system time). */
long sys_getrusage(int who, struct linux_rusage *ru)
{
	struct linux_rusage r;
	u64 ns = who == RUSAGE_THREAD ? sched_thread_cpu_ns() : sched_process_cpu_ns();

	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	if (who == RUSAGE_CHILDREN) {
		ns = __atomic_load_n(&process_current()->children_cpu_ns,
				     __ATOMIC_RELAXED);
		r.utime = (struct linux_timeval){ ns / NSEC_PER_SEC,
						  ns % NSEC_PER_SEC / 1000 };
	} else {
		r.utime = (struct linux_timeval){ ns / NSEC_PER_SEC,
						  ns % NSEC_PER_SEC / 1000 };
		r.maxrss = (page_total_count() - page_free_count()) * 4;
		vm_fault_stats((u64 *)&r.minflt, NULL);
	}
	return copy_to_user(ru, &r, sizeof(r));
}

long sys_times(u64 *buf)
{
	u64 ticks = time_monotonic_ns() / (NSEC_PER_SEC / 100);
	u64 cpu = sched_process_cpu_ns() / (NSEC_PER_SEC / 100);
	u64 ccpu = __atomic_load_n(&process_current()->children_cpu_ns,
				   __ATOMIC_RELAXED) / (NSEC_PER_SEC / 100);
	u64 t[4] = { cpu, 0, ccpu, 0 }; /* utime, stime, cutime, cstime */

	if (buf && copy_to_user(buf, t, sizeof(t)))
		return -EFAULT;
	return ticks;
}

/* The flags (ADDR_NO_RANDOMIZE, ...) are kept and reported; none changes
 * behaviour (addresses are never randomized). 0xffffffff only queries. */
long sys_personality(unsigned long persona)
{
	struct linux_process *lp = lproc_current();
	u32 old = lp->personality;

	if ((u32)persona != 0xffffffff)
		lp->personality = persona;
	return old;
}

long sys_sysinfo(struct linux_sysinfo *info)
{
	struct linux_sysinfo s;

	memset(&s, 0, sizeof(s));
	s.uptime = time_monotonic_ns() / NSEC_PER_SEC;
	s.totalram = page_total_count() * PAGE_SIZE;
	s.freeram = page_free_count() * PAGE_SIZE;
	s.procs = 1;
	s.mem_unit = 1;
	return copy_to_user(info, &s, sizeof(s));
}

/* getcpu(2): the CPU the caller runs on, one NUMA node. The cache is
 * unused. */
long sys_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
	unsigned id = sched_cpu_id(), zero = 0;

	(void)cache;
	if (cpu && copy_to_user(cpu, &id, sizeof(id)))
		return -EFAULT;
	if (node && copy_to_user(node, &zero, sizeof(zero)))
		return -EFAULT;
	return 0;
}

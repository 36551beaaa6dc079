/*
 * fs/procfs/pidstat.c: the files that describe the process in Linux's
 * formats: /proc/PID/status, stat, statm, maps, mounts, mountinfo (also
 * under task/TID, for that thread). Layer: filesystem, reading the
 * scheduler's threads and the address space of mm/vm.c; the signal sets
 * come from the Linux ABI's summary (process_sig_summary, skiff/process.h).
 * DIVERGENCE: no CPU time is accounted: utime is the time since boot,
 * stime 0 (as the CPU-time clocks); VmPeak/VmHWM are the current sizes;
 * there is no [vdso], [vvar] or [vsyscall] area.
 */
#include <skiff/console.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/mm.h>
#include <skiff/time.h>
#include <skiff/vfs.h>
#include "pid.h"
#include "procfs.h"

#define USER_HZ 100

/* Sizes of the address space, in pages (Linux's task_mem). */
struct mem {
	u64 size, rss, anon, file, data, stack, exe, lib;
	u64 start_code, end_code, start_data, end_data;
	struct inode *exe_ino;
	u64 minflt;		/* faults served in the address space */
};

static void add_area(const struct vm_area_info *a, void *arg)
{
	struct mem *m = arg;
	u64 pages = (a->end - a->start) / PAGE_SIZE;
	bool exe = a->file && a->file->inode == m->exe_ino;

	m->size += pages;
	m->rss += a->resident;
	if (a->file && a->shared)
		m->file += a->resident;
	else
		m->anon += a->resident;
	if (a->name && !strcmp(a->name, "[stack]"))
		m->stack += pages;
	else if ((a->prot & PROT_WRITE) && !a->shared)
		m->data += pages;
	if ((a->prot & PROT_EXEC) && !(a->prot & PROT_WRITE)) {
		if (exe)
			m->exe += pages;
		else
			m->lib += pages;
	}
	if (exe && (a->prot & PROT_EXEC) && !m->start_code) {
		m->start_code = a->start;
		m->end_code = a->end;
	}
	if (exe && (a->prot & PROT_WRITE)) {
		m->start_data = m->start_data ? m->start_data : a->start;
		m->end_data = a->end;
	}
}

/* The address space of the entry's process: zeros for a zombie's, which
 * has none. */
static void mem_usage(struct mem *m, long arg)
{
	struct dentry *d = NULL;
	struct vm_space *vm = proc_vm_get(arg);
	char *exe = kmalloc(PATH_MAX);
	long n = exe ? proc_exe_path(arg, exe, PATH_MAX - 1) : -ENOMEM;

	memset(m, 0, sizeof(*m));
	if (vm && n > 0) {
		exe[n] = 0;
		if (vfs_lookup(NULL, exe, WALK_FOLLOW, &d) == 0)
			m->exe_ino = d->inode;
	}
	kfree(exe);
	if (!vm)
		return;
	vm_space_for_each_area(vm, add_area, m);
	vm_space_fault_stats(vm, &m->minflt, NULL);
	vm_space_put(vm);
	dentry_put(d);
}

static u64 kb(u64 pages)
{
	return pages * (PAGE_SIZE / 1024);
}

static void status_mem(struct pbuf *b, const struct mem *m)
{
	static const char *const names[] = {
		"VmPeak", "VmSize", "VmLck", "VmPin", "VmHWM", "VmRSS",
		"RssAnon", "RssFile", "RssShmem", "VmData", "VmStk", "VmExe",
		"VmLib", "VmPTE", "VmSwap", "HugetlbPages",
	};
	const u64 vals[] = {
		m->size, m->size, 0, 0, m->rss, m->rss, m->anon, m->file, 0,
		m->data, m->stack, m->exe, m->lib, 0, 0, 0,
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		pb_printf(b, "%s:\t%8lu kB\n", names[i], (unsigned long)kb(vals[i]));
}

/*
 * The process arg names, as stat and status show it: its ids, and the
 * thread (a zombie has none: its saved comm, state Z). false: gone.
 */
struct proc_ids {
	int pid, ppid, pgid, sid;
	bool zombie;
	struct proc_thread t;
};

static bool proc_ids(long arg, struct proc_ids *i)
{
	struct process *p = proc_process(arg);

	if (!p)
		return false;
	process_tree_lock();
	i->pid = p->pid;
	i->ppid = p->parent ? p->parent->pid : 0;
	i->pgid = p->pgid;
	i->sid = p->sid;
	i->zombie = p->state != PROCESS_LIVE;
	process_tree_unlock();
	bool live = proc_thread_info(arg, &i->t);
	if (i->zombie || !live) {
		memset(&i->t, 0, sizeof(i->t));
		i->zombie = true;
		i->t.tid = arg ? (int)arg : i->pid;
		str_lcpy(i->t.name, p->comm, sizeof(i->t.name));
	}
	process_put(p);
	return true;
}

static const char *state_name(const struct proc_ids *i)
{
	return i->zombie ? "Z (zombie)" : i->t.running ? "R (running)"
						       : "S (sleeping)";
}

int proc_show_status(struct pbuf *b, long arg)
{
	struct proc_ids i;
	const struct proc_thread *tp = &i.t;
	const struct process_sig_summary *s = &i.t.sig;
	struct mem m;

	if (!proc_ids(arg, &i))
		return -ESRCH;
	struct proc_thread t = *tp;
	mem_usage(&m, arg);
	pb_printf(b, "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\n"
		  "Ngid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n"
		  "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\n"
		  "Groups:\t\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\n"
		  "NSsid:\t%d\n", t.name, vfs_get_umask(), state_name(&i),
		  i.pid, t.tid, i.ppid, i.pid, t.tid, i.pgid, i.sid);
	if (!i.zombie)
		status_mem(b, &m);
	pb_printf(b, "CoreDumping:\t0\nTHP_enabled:\t1\nThreads:\t%d\n"
		  "SigQ:\t%d/63449\nSigPnd:\t%016lx\nShdPnd:\t%016lx\n"
		  "SigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n",
		  t.threads, __builtin_popcountll(s->pending | s->shared_pending),
		  (unsigned long)s->pending, (unsigned long)s->shared_pending,
		  (unsigned long)s->blocked, (unsigned long)s->ignored,
		  (unsigned long)s->caught);
	pb_printf(b, "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
		  "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n"
		  "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"
		  "Seccomp_filters:\t0\nSpeculation_Store_Bypass:\tthread "
		  "vulnerable\nSpeculationIndirectBranch:\tconditional enabled\n"
		  "Cpus_allowed:\t1\nCpus_allowed_list:\t0\n"
		  "Mems_allowed:\t00000001\nMems_allowed_list:\t0\n"
		  "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
	return 0;
}

int proc_show_stat(struct pbuf *b, long arg)
{
	bool tty = boot_opts.tty_mask & 1;
	u64 ticks = time_monotonic_ns() / (NSEC_PER_SEC / USER_HZ);
	struct proc_ids i;
	const struct process_sig_summary *s = &i.t.sig;
	struct mem m;
	u64 minflt = 0;

	if (!proc_ids(arg, &i))
		return -ESRCH;
	struct proc_thread t = i.t;
	mem_usage(&m, arg);
	minflt = m.minflt;
	/* Fields 1-20: pid (comm) state ppid pgrp session tty_nr tpgid flags
	 * minflt cminflt majflt cmajflt utime stime cutime cstime priority
	 * nice num_threads. */
	pb_printf(b, "%d (%s) %c %d %d %d %d %d 4194304 %lu 0 0 0 %lu 0 0 0 "
		  "20 0 %d ", t.tid, t.name, state_name(&i)[0], i.ppid,
		  i.pgid, i.sid, tty ? 136 << 8 : 0,
		  tty ? console_fg_pgrp() : -1, (unsigned long)minflt,
		  (unsigned long)ticks, i.zombie ? 1 : t.threads);
	/* 21-35: itrealvalue starttime vsize rss rsslim startcode endcode
	 * startstack kstkesp kstkeip signal blocked sigignore sigcatch wchan */
	pb_printf(b, "0 0 %lu %lu 18446744073709551615 %lu %lu %lu 0 0 %lu %lu "
		  "%lu %lu 0 ", (unsigned long)(m.size * PAGE_SIZE),
		  (unsigned long)m.rss, (unsigned long)m.start_code,
		  (unsigned long)m.end_code, (unsigned long)VM_STACK_TOP,
		  (unsigned long)(s->pending | s->shared_pending),
		  (unsigned long)s->blocked, (unsigned long)s->ignored,
		  (unsigned long)s->caught);
	/* 36-52: nswap cnswap exit_signal processor rt_priority policy
	 * delayacct_blkio_ticks guest_time cguest_time start_data end_data
	 * start_brk arg_start arg_end env_start env_end exit_code */
	pb_printf(b, "0 0 17 0 0 0 0 0 0 %lu %lu %lu 0 0 0 0 0\n",
		  (unsigned long)m.start_data, (unsigned long)m.end_data,
		  (unsigned long)m.end_data);
	return 0;
}

int proc_show_statm(struct pbuf *b, long arg)
{
	struct mem m;

	mem_usage(&m, arg);
	pb_printf(b, "%lu %lu %lu %lu 0 %lu 0\n", (unsigned long)m.size,
		  (unsigned long)m.rss, (unsigned long)m.file,
		  (unsigned long)m.exe, (unsigned long)(m.data + m.stack));
	return 0;
}

/* Linux's show_map_vma: the name starts at column 73. */
static void map_line(struct pbuf *b, const struct vm_area_info *a)
{
	struct inode *ino = a->file ? a->file->inode : NULL;
	char head[128], path[PATH_MAX];
	const char *name = a->name;
	int n;

	n = fmt_snprintf(head, sizeof(head),
			 "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ",
			 (unsigned long)a->start, (unsigned long)a->end,
			 a->prot & PROT_READ ? 'r' : '-',
			 a->prot & PROT_WRITE ? 'w' : '-',
			 a->prot & PROT_EXEC ? 'x' : '-', a->shared ? 's' : 'p',
			 (unsigned long)(ino ? a->pgoff * PAGE_SIZE : 0),
			 ino ? DEV_MAJOR(ino->sb->dev) : 0,
			 ino ? DEV_MINOR(ino->sb->dev) : 0,
			 (unsigned long)(ino ? ino->ino : 0));
	if (a->file && a->file->dentry &&
	    dentry_path(a->file->dentry, path, sizeof(path)) > 0)
		name = path;
	else if (a->file && a->file->dentry)
		name = "(deleted)";
	pb_write(b, head, n);
	if (name)
		pb_printf(b, "%*s%s", n < 72 ? 72 - n + 1 : 1, "", name);
	pb_write(b, "\n", 1);
}

/* Anonymous neighbours alike are one area to Linux (it merges them). */
struct maps {
	struct pbuf *b;
	struct vm_area_info held;	/* an anonymous area not shown yet */
	bool holding;
};

static bool mergeable(const struct vm_area_info *a,
		      const struct vm_area_info *n)
{
	return !a->file && !n->file && a->end == n->start &&
	       a->prot == n->prot && a->shared == n->shared &&
	       a->name == n->name;
}

static void map_area(const struct vm_area_info *a, void *arg)
{
	struct maps *m = arg;

	if (m->holding && mergeable(&m->held, a)) {
		m->held.end = a->end;
		return;
	}
	if (m->holding)
		map_line(m->b, &m->held);
	m->holding = !a->file;
	if (m->holding)
		m->held = *a;
	else
		map_line(m->b, a);
}

int proc_show_maps(struct pbuf *b, long arg)
{
	struct maps m = { .b = b };

	struct vm_space *vm = proc_vm_get(arg);

	if (!vm)
		return 0; /* a zombie's are empty, as on Linux */
	int r = vm_space_for_each_area(vm, map_area, &m);
	vm_space_put(vm);

	if (m.holding)
		map_line(b, &m.held);
	return r;
}

int proc_show_mounts(struct pbuf *b, long arg)
{
	pb_printf(b, "ramfs / ramfs rw 0 0\n"
		     "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
		     "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n");
	return 0;
}

/* st_dev of the filesystem at path, for mountinfo. */
static u64 dev_at(const char *path)
{
	struct dentry *d;
	u64 dev;

	if (vfs_lookup(NULL, path, WALK_FOLLOW, &d) < 0)
		return 0;
	dev = d->inode->sb->dev;
	dentry_put(d);
	return dev;
}

int proc_show_mountinfo(struct pbuf *b, long arg)
{
	static const char *const m[][3] = {
		{ "/", "rw", "ramfs ramfs rw" },
		{ "/proc", "rw,nosuid,nodev,noexec,relatime", "proc proc rw" },
		{ "/sys", "rw,nosuid,nodev,noexec,relatime", "sysfs sysfs rw" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
		u64 dev = dev_at(m[i][0]);

		pb_printf(b, "%zu 1 %u:%u / %s %s - %s\n", i + 1,
			  DEV_MAJOR(dev), DEV_MINOR(dev), m[i][0], m[i][1],
			  m[i][2]);
	}
	return 0;
}

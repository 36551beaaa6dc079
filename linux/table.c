/*
 * linux/table.c: the system call table, the one place that maps Linux x86_64
 * syscall numbers to handlers. Layer: Linux ABI.
 *
 * Every syscall name of Linux x86_64 (build/gen/syscalls.h, generated from
 * the host's kernel headers) is declared as a weak symbol sys_<name>; those
 * that some file of linux/ defines are linked in, the others stay NULL and
 * return -ENOSYS. So adding a syscall is writing its sys_ function, nothing
 * more. syscall_handler() is the C side of the SYSCALL entry stub
 * (arch/x86_64/entry.S): it runs on the calling thread's kernel stack with
 * interrupts on. Its common path makes no call but the handler's: under
 * TCG each call and return is a lookup of QEMU's, a good part of a null
 * syscall's cost.
 */
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/metrics.h>
#include <skiff/sched.h>
#include "signal.h"
#include "syscall.h"

#define SYSCALL(nr, name) extern long sys_##name(void) __attribute__((weak));
#include "syscalls.h"
#undef SYSCALL

#define SYSCALL(nr, name) [nr] = (syscall_fn)(void (*)(void))sys_##name,
static const syscall_fn table[] = {
#include "syscalls.h"
};
#undef SYSCALL

#define SYSCALL(nr, name) [nr] = #name,
static const char *const names[] = {
#include "syscalls.h"
};
#undef SYSCALL

static u8 logged[ARRAY_SIZE(table) / 8 + 1]; /* unknown numbers already logged */

/*
 * Calls by number (skiff/metrics.h's syscall_count): a plain increment on
 * the common path, no lock and no atomic (one u64 add keeps the null
 * syscall as fast as before). Numbers past the table are not counted.
 */
static u64 counts[ARRAY_SIZE(table)];

u64 syscall_count(unsigned long nr)
{
	return nr < ARRAY_SIZE(counts)
		       ? __atomic_load_n(&counts[nr], __ATOMIC_RELAXED)
		       : 0;
}

unsigned long syscall_nr_end(void)
{
	return ARRAY_SIZE(table);
}

const char *syscall_name(unsigned long nr)
{
	return nr < ARRAY_SIZE(names) && names[nr] ? names[nr] : "unknown";
}

static long unknown(unsigned long nr)
{
	if (boot_opts.verbose) {
		if (nr >= ARRAY_SIZE(table))
			klog("syscall %lu: not a Linux syscall, -ENOSYS", nr);
		else if (!(__atomic_fetch_or(&logged[nr / 8], 1 << (nr % 8),
					     __ATOMIC_RELAXED) & (1 << (nr % 8))))
			klog("syscall %s (%lu): not implemented, -ENOSYS",
			     syscall_name(nr), nr);
	}
	return -ENOSYS;
}

/* Declared in skiff/frame.h: the vsyscall page's emulation. */
long syscall_invoke(unsigned long nr, u64 a0, u64 a1, u64 a2)
{
	if (nr >= ARRAY_SIZE(table))
		return unknown(nr);
	counts[nr]++;
	if (!table[nr])
		return unknown(nr);
	return table[nr](a0, a1, a2, 0, 0, 0);
}

static inline long dispatch(struct syscall_frame *f)
{
	unsigned long nr = f->rax;

	if (nr >= ARRAY_SIZE(table))
		return unknown(nr);
	counts[nr]++;
	if (!table[nr])
		return unknown(nr);
	return table[nr](f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9);
}

/* Writes that fail with EPIPE also raise SIGPIPE, as on Linux. */
static bool raises_sigpipe(long nr)
{
	return nr == 1 || nr == 18 || nr == 20 || nr == 296 || nr == 40 ||
	       nr == 275 || nr == 276 || nr == 278;
}

void syscall_handler(struct syscall_frame *f)
{
	struct thread *t = thread_current();
	struct lthread *lt = lthread_of(t);

	lt->sys_frame = f;
	lt->sys_nr = f->rax;
	f->rax = dispatch(f);
	if ((long)f->rax == -EPIPE && raises_sigpipe(lt->sys_nr))
		signal_send_thread(t, SIGPIPE, NULL);
	if (sched_need_resched())
		schedule();
	if (signal_syscall_work(lt, lproc_of(thread_process(t)), f->rax))
		signal_deliver_syscall(f);
}

/*
 * arch/x86_64/trap.c: what happens after entry.S saved a trap frame.
 * Exceptions caused by the program become its signals (SIGSEGV, SIGBUS,
 * SIGILL, SIGFPE, SIGTRAP); page faults in mapped program memory are filled
 * in by mm: the #PF error code is decoded here into a struct fault_info and
 * handed up to vm_fault (declared in include/skiff/paging.h, implemented
 * by mm/fault.c); an exception in kernel code is a panic with a backtrace.
 * Interrupts go to their drivers, and a trap ends by rescheduling when the
 * scheduler asks.
 *
 * Program or kernel? Both run in ring 0, so the CPU cannot say. Kernel code
 * (a syscall, an interrupt handler, a kernel thread) always runs on the
 * current thread's kernel stack or an IST stack; the program never does. So
 * a trap is the kernel's when the interrupted RSP lies on one of those
 * stacks, and the program's otherwise, wherever its RIP points: a program
 * that returns to 0x4141414141414141 or calls a kernel-half address gets
 * SIGSEGV, as on Linux, and only a fault in kernel code panics.
 *
 * The legacy vsyscall page (0xffffffffff600000) is emulated as Linux's
 * default vsyscall=xonly does: a call to one of its three entries runs the
 * syscall and returns; reading it, or calling elsewhere in it, is SIGSEGV.
 *
 * Upward calls, each declared in a public header of arch and implemented
 * above: the page fault to mm (vm_fault, vm_check: skiff/paging.h;
 * copy_from_user: skiff/uaccess.h), the timer tick and rescheduling to the
 * scheduler (skiff/arch.h), the vsyscall page to syscall_invoke
 * (skiff/frame.h), backtraces and panics to kernel/ (skiff/kernel.h); the
 * signal side to the ABI layer through the trap_signal_ops it registers at
 * boot (skiff/frame.h), and device interrupts to the handlers registered
 * with irq_route and irq_alloc_vector (skiff/arch.h, irq.c): arch
 * includes no header of the layers above.
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/frame.h>
#include <skiff/kernel.h>
#include <skiff/time.h>
#include <skiff/paging.h>
#include <skiff/uaccess.h>
#include "cpu.h"
#include "ioapic.h"
#include "lapic.h"
#include "percpu.h"

#define SIGILL 4
#define SIGTRAP 5
#define SIGBUS 7
#define SIGFPE 8
#define SIGSEGV 11

static const char *const names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range", "invalid opcode", "device not available",
	"double fault", "coprocessor overrun", "invalid TSS",
	"segment not present", "stack fault", "general protection",
	"page fault", "reserved", "x87 FP error", "alignment check",
	"machine check", "SIMD FP error", "virtualization", "control protection",
};

static void log_trap_frame(const struct trap_frame *f)
{
	klog_always("rax %016lx rbx %016lx rcx %016lx rdx %016lx", f->rax, f->rbx,
	     f->rcx, f->rdx);
	klog_always("rsi %016lx rdi %016lx rbp %016lx rsp %016lx", f->rsi, f->rdi,
	     f->rbp, f->rsp);
	klog_always("r8  %016lx r9  %016lx r10 %016lx r11 %016lx", f->r8, f->r9,
	     f->r10, f->r11);
	klog_always("r12 %016lx r13 %016lx r14 %016lx r15 %016lx", f->r12, f->r13,
	     f->r14, f->r15);
	backtrace_from(f->rbp, f->rip);
}

extern const char syscall_entry[], syscall_stacked[];

/* Did the trap land in the SYSCALL entry before the program's RSP left
 * the per-CPU scratch word (entry.S)? Then it must not switch threads. */
static bool in_syscall_entry(const struct trap_frame *f)
{
	return f->rip >= (u64)syscall_entry && f->rip < (u64)syscall_stacked;
}

/* Was the trapped code the program (see the top of the file)? */
static bool from_program(const struct trap_frame *f)
{
	const struct percpu *c = this_cpu();

	if (in_syscall_entry(f))
		return false;

	if (f->rsp > c->kstack_base && f->rsp <= c->kstack_top)
		return false;
	return !cpu_on_ist_stack(f->rsp);
}

static void __noreturn kernel_fault(struct trap_frame *f, u64 addr)
{
	const char *name = f->vector < 32 && names[f->vector] ? names[f->vector] : "?";
	u64 off = 0;
	const char *sym = ksym_lookup(f->rip, &off);

	log_trap_frame(f);
	panic("%s (vector %lu, error %#lx) in kernel at %#lx (%s+%#lx), address %#lx",
	      name, f->vector, f->error, f->rip, sym, off, addr);
}

/* The signal a program exception raises, and the address it reports. */
static int exception_signal(struct trap_frame *f, u64 *addr)
{
	if (f->vector != 14)
		*addr = f->rip;
	switch (f->vector) {
	case 0:  /* #DE */
	case 16: /* #MF */
	case 19: /* #XM */
		return SIGFPE;
	case 1: /* #DB */
	case 3: /* #BP */
		return SIGTRAP;
	case 6: /* #UD */
		return SIGILL;
	case 17: /* #AC */
		return SIGBUS;
	case 14: /* #PF */
		return SIGSEGV; /* *addr is CR2 already */
	default: /* #GP, #SS, #NP...: Linux reports SIGSEGV at address 0 */
		*addr = 0;
		return SIGSEGV;
	}
}

static const struct trap_signal_ops *sig_ops;

void trap_set_signal_ops(const struct trap_signal_ops *ops)
{
	sig_ops = ops;
}

/* The program caused exception sig: its handler runs, or the program ends. */
static void program_signal(struct trap_frame *f, int sig, int code, u64 addr)
{
	if (!sig_ops)
		kernel_fatal_signal(sig, addr, f->rip);
	sig_ops->fault(f, sig, code, addr);
}

static int fault_code(const struct trap_frame *f, int sig, u64 addr);

extern const u8 uaccess_begin[], uaccess_end[], uaccess_fixup[];

static bool in_uaccess(const struct trap_frame *f)
{
	return f->rip >= (u64)uaccess_begin && f->rip < (u64)uaccess_end;
}

/* Hands a #PF at a program address to mm, decoded (SDM 4.7). */
static int page_fault(const struct trap_frame *f, u64 addr)
{
	struct fault_info fi = {
		.addr = addr,
		.present = f->error & 1,    /* P: a protection violation */
		.write = f->error & 2,      /* W/R */
		.exec = f->error & 0x10,    /* I/D: an instruction fetch */
	};

	return vm_fault(&fi);
}

/* A fault in kernel code: program memory, a uaccess copy, or a panic. */
static void kernel_exception(struct trap_frame *f, u64 addr)
{
	bool program_addr = f->vector == 14 && addr < USER_END;
	int r = program_addr ? page_fault(f, addr) : -EFAULT;

	if (r == 0)
		return;
	if (!program_addr)
		kernel_fault(f, addr);
	/*
	 * Kernel code touching program memory that cannot be there (a race
	 * with munmap, a file mapping past its end): in the uaccess copies the
	 * syscall fails with EFAULT, as on Linux.
	 * DIVERGENCE: anywhere else the program dies of the signal.
	 */
	if (in_uaccess(f)) {
		f->rip = (u64)uaccess_fixup; /* the copy returns -EFAULT */
		return;
	}
	kernel_fatal_signal(r == -EIO || r == -ENOMEM ? SIGBUS : SIGSEGV, addr,
			    f->rip);
}

#define VSYSCALL_PAGE 0xffffffffff600000ul

/*
 * A call into the vsyscall page: entries at +0 (gettimeofday), +0x400
 * (time) and +0x800 (getcpu). Runs the syscall and returns to the caller
 * as its RET would. False when this is no such call (the program then gets
 * SIGSEGV, as from Linux for a read of the page or a call elsewhere in it).
 */
static bool vsyscall_emulate(struct trap_frame *f, u64 addr)
{
	static const unsigned long nr[3] = { 96, 201, 309 };
	u64 off = addr - VSYSCALL_PAGE;

	if (f->vector != 14 || addr != f->rip || off >= 4096 || (off & 0x3ff) ||
	    off / 0x400 > 2)
		return false;
	u64 ret_addr;
	if (copy_from_user(&ret_addr, (const void *)f->rsp, 8) != 0)
		return false;
	long r = syscall_invoke(nr[off / 0x400], f->rdi, f->rsi, f->rdx);
	if (r == -EFAULT)
		return false; /* Linux sends SIGSEGV for a bad pointer too */
	f->rax = r;
	f->rip = ret_addr;
	f->rsp += 8;
	return true;
}

/* A fault in the program: fill its memory, or give it the signal. */
static void program_exception(struct trap_frame *f, u64 addr)
{
	bool program_addr = f->vector == 14 && addr < USER_END;
	int r = program_addr ? page_fault(f, addr) : -EFAULT;

	if (r == 0)
		return; /* program memory filled on first touch: the common case */
	/* A file mapping past the end of its file, or no memory left. */
	if (r == -EIO || r == -ENOMEM) {
		program_signal(f, SIGBUS, 2 /* BUS_ADRERR */, addr);
		return;
	}
	if (vsyscall_emulate(f, addr))
		return;
	int sig = exception_signal(f, &addr);
	program_signal(f, sig, fault_code(f, sig, addr), addr);
}

static void exception(struct trap_frame *f, u64 addr)
{
	if (from_program(f))
		program_exception(f, addr);
	else
		kernel_exception(f, addr);
}

/* The si_code Linux gives a fault (siginfo(2)). */
static int fault_code(const struct trap_frame *f, int sig, u64 addr)
{
	switch (f->vector) {
	case 14: /* SEGV_ACCERR where a mapping exists, else SEGV_MAPERR */
		return vm_check(addr, 1, 0) == 0 ? 2 : 1;
	case 0:
		return 1; /* FPE_INTDIV */
	case 19:
	case 16:
		return 7; /* FPE_FLTINV */
	case 6:
		return 2; /* ILL_ILLOPN */
	case 17:
		return 1; /* BUS_ADRALN */
	case 1:
		return 2; /* TRAP_TRACE */
	default:
		return 0x80; /* SI_KERNEL: #BP, #GP, ... */
	}
}

/* The handlers of ISA interrupts, by irq (irq_route). Vector
 * IRQ_VECTOR_BASE is the LAPIC timer's, so irq 0 has none. */
static void (*irq_handlers[IRQ_COUNT])(void);

int irq_route(int irq, void (*handler)(void))
{
	if (irq < 1 || irq >= IRQ_COUNT || !handler ||
	    IRQ_VECTOR_BASE + irq == LAPIC_TIMER_VECTOR)
		return -EINVAL;
	irq_handlers[irq] = handler;
	ioapic_route(irq, IRQ_VECTOR_BASE + irq);
	return 0;
}

void trap_handler(struct trap_frame *f)
{
	if (f->vector < 32) {
		/* CR2 first: a nested fault would overwrite it. */
		u64 cr2 = f->vector == 14 ? read_cr2() : 0;
		/* Exceptions from code that ran with interrupts on keep them on. */
		if (f->rflags & 0x200)
			irq_enable();
		exception(f, cr2);
	} else if (f->vector == LAPIC_TIMER_VECTOR) {
		lapic_timer_fired();
		smp_watchdog(time_monotonic_ns());
		sched_timer_tick();
	} else if (f->vector == IPI_RESCHED || f->vector == IPI_FLUSH) {
		smp_ipi(f->vector);
	} else if (f->vector > IRQ_VECTOR_BASE &&
		   f->vector < IRQ_VECTOR_BASE + IRQ_COUNT &&
		   irq_handlers[f->vector - IRQ_VECTOR_BASE]) {
		irq_handlers[f->vector - IRQ_VECTOR_BASE]();
		lapic_eoi();
	} else if (irq_dispatch(f->vector)) {
		lapic_eoi(); /* after the handler: a level line is quiet now */
	} else if (f->vector != LAPIC_SPURIOUS_VECTOR) {
		lapic_eoi();
	}
	irq_disable();
	bool switched = false;
	if (sched_need_resched() && (f->rflags & 0x200) &&
	    !in_syscall_entry(f)) {
		schedule();
		switched = true;
	}
	if (from_program(f) && sig_ops) {
		irq_enable();
		if (switched)
			sig_ops->preempted(&f->rip);
		sig_ops->deliver(f);
		irq_disable();
	}
}

void trap_fatal(struct trap_frame *f)
{
	kernel_fault(f, read_cr2());
}

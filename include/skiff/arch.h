/*
 * x86_64 CPU primitives used across the kernel: port I/O, MSRs, control
 * registers, interrupt flag, TSC, CPUID; and what the scheduler needs from
 * the CPU: per-CPU data, the timer interrupt's deadline, FPU state, the
 * frame of a context switch; the boot calls of the init sequence and
 * interrupt routing (ISA, I/O APIC inputs, MSI vectors). arch/x86_64/.
 * Upward calls into sched/ are at the end. Other public headers of arch:
 * skiff/paging.h (memory layout, page table, faults, device memory),
 * skiff/alloc.h (the allocators it borrows from mm), skiff/uaccess.h
 * (program memory), skiff/frame.h (trap and signal frames), skiff/time.h
 * (clocks), skiff/pvh.h (the boot ABI).
 */
#ifndef SKIFF_ARCH_H
#define SKIFF_ARCH_H

#include <skiff/types.h>

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;
	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(u16 port, u32 v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(u16 port, u16 v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline u16 inw(u16 port)
{
	u16 v;
	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;
	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void cpuid(u32 leaf, u32 sub, u32 r[4])
{
	asm volatile("cpuid"
		     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(sub));
}

static inline u64 read_cr2(void)
{
	u64 v;
	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline u64 read_cr3(void)
{
	u64 v;
	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(u64 v)
{
	asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline void invlpg(u64 addr)
{
	asm volatile("invlpg (%0)" : : "r"(addr) : "memory");
}

static inline u64 irq_save(void)
{
	u64 flags;
	asm volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void irq_restore(u64 flags)
{
	if (flags & 0x200)
		asm volatile("sti" : : : "memory");
}

/* Whether interrupts are on on this CPU (RFLAGS.IF). */
static inline bool irq_enabled(void)
{
	u64 flags;
	asm volatile("pushfq; popq %0" : "=r"(flags) : : "memory");
	return flags & 0x200;
}

static inline void irq_enable(void)
{
	asm volatile("sti" : : : "memory");
}

static inline void irq_disable(void)
{
	asm volatile("cli" : : : "memory");
}

static inline void cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

#define KSTACK_SIZE 16384 /* a thread's kernel stack */

struct thread;
struct sched_cpu;

/*
 * Per-CPU data, reached through GS (its base is set at boot and never
 * changes: the program's TLS uses FS). entry.S reaches the first fields at
 * the offsets PERCPU_* of arch/x86_64/percpu.h, which checks them.
 */
#define CPU_MAX 16 /* processors started at most */

struct percpu {
	struct percpu *self;
	u64 kstack_top;          /* top of the running thread's kernel stack */
	u64 kstack_base;         /* its lowest address */
	u64 scratch;             /* the program's RSP during SYSCALL entry */
	struct thread *current;  /* the running thread */
	struct thread *idle;
	bool need_resched; /* set by the timer or a wake-up; checked on trap exit */
	int cpu_id;
	struct sched_cpu *sched; /* this CPU's run queue and timers (sched/sched.c) */
	bool flush_req;          /* another CPU waits for this one's TLB flush */
	u64 heartbeat;           /* when its timer interrupt last came (smp.c) */
	bool nmi_dump;           /* the watchdog asks for its backtrace */
};

/*
 * The processors (arch/x86_64/smp.c). smp_init, on the boot CPU after
 * sched_init with interrupts on: starts the others the firmware's MP
 * table lists, up to max in all. cpu_count: how many run (1 until then);
 * cpu_percpu: CPU id's struct percpu, NULL past the last; cpu_kick: an
 * interrupt that makes CPU id look at its need_resched (none to itself);
 * cpu_flush_tlb_others: every CPU c != this one with which[c] drops its
 * TLB entries before this returns.
 */
void smp_init(int max);
int cpu_count(void);
struct percpu *cpu_percpu(int id);
void cpu_kick(int id);
void cpu_flush_tlb_others(const bool *which);
/*
 * The watchdog (smp.c), from each CPU's timer interrupt: notes that this
 * CPU took one, and when another has taken none for WATCHDOG_NS (stuck
 * with interrupts off) logs every CPU's backtrace through NMIs, once per
 * stall. With several CPUs the scheduler arms each timer WATCHDOG_TICK_NS
 * ahead at most, so an idle CPU still beats.
 */
#define WATCHDOG_NS 1000000000ull
#define WATCHDOG_TICK_NS 250000000ull
void smp_watchdog(u64 now);
/* Does a TLB flush another CPU asks for: called by IPI_FLUSH, and in every
 * spin with interrupts off (the asker may hold the lock spun on). */
void cpu_serve_flush(void);
#define cpu_spin_poll()                                              \
	do {                                                          \
		if (__atomic_load_n(&this_cpu()->flush_req,           \
				    __ATOMIC_ACQUIRE))                \
			cpu_serve_flush();                            \
		cpu_relax();                                          \
	} while (0)

/* This CPU's struct percpu. */
static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	asm volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/*
 * arch/x86_64/lapic.c: fires the timer interrupt at the monotonic time
 * deadline_ns at the latest. It only moves the timer earlier: a deadline
 * later than the one armed since the timer last fired, or 0 (none), keeps
 * that one, so the interrupt may come early with nothing due (the
 * scheduler's tick then arms the timer again).
 */
void lapic_timer_arm(u64 deadline_ns);
/* Fires the timer at once, whatever was armed: after time_step moved the
 * clock, the scheduler's tick looks at every deadline again. */
void lapic_timer_kick(void);

/*
 * arch/x86_64/cpu.c: save and restore the program's FPU/SSE/AVX state
 * (cpu_feat.xsave_size bytes, 64-byte aligned); a new thread's starts as
 * a copy of fpu_initial_state.
 */
void fpu_save(void *area);
void fpu_restore(const void *area);
extern u8 fpu_initial_state[];

/*
 * What switch_to (entry.S) leaves on a stack it switches away from, lowest
 * address first: the callee-saved registers, then its return address.
 * The scheduler builds one so that a new thread "returns" into
 * thread_trampoline (entry.S) with r12 = a function and r13 = its argument.
 */
struct switch_frame {
	u64 r15, r14, r13, r12, rbx, rbp;
	u64 rip;
};
_Static_assert(offsetof(struct switch_frame, r15) == 0 &&
		       offsetof(struct switch_frame, r13) == 2 * 8 &&
		       offsetof(struct switch_frame, r12) == 3 * 8 &&
		       offsetof(struct switch_frame, rbp) == 5 * 8 &&
		       offsetof(struct switch_frame, rip) == 6 * 8 &&
		       sizeof(struct switch_frame) == 7 * 8,
	       "struct switch_frame must match switch_to's pushes (entry.S)");

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_APIC_BASE 0x1b
#define MSR_TSC_DEADLINE 0x6e0

/* arch/x86_64/cpu.c: features found at boot. */
struct cpu_features {
	bool xsave, fsgsbase, rdrand, rdseed, tsc_deadline, x2apic, kvmclock;
	bool invariant_tsc;
	bool pcid;      /* CR4.PCIDE set: TLB entries tagged by address space */
	u32 xsave_size; /* bytes of the XSAVE area for the enabled features */
	u64 xcr0;
};
extern struct cpu_features cpu_feat;

/* The TSC's rate, as found at boot (arch/x86_64/tsc.c). */
u64 tsc_rate_khz(void);
/* TSC ticks in nanoseconds at that rate (arch/x86_64/tsc.c). */
u64 tsc_to_ns(u64 ticks);

/*
 * Boot, in this order, on the boot CPU, once each (kernel/main.c):
 * cpu_init: GDT, TSS, IDT, GS per-CPU data, SSE/XSAVE, SYSCALL
 * (arch/x86_64/cpu.c); tsc_init: the TSC's rate, from boot_opts.tsc_khz,
 * CPUID or the PIT (arch/x86_64/tsc.c), after cmdline_parse; lapic_init,
 * after the heap: the local APIC and its timer (arch/x86_64/lapic.c).
 */
void cpu_init(void);
void tsc_init(void);
void lapic_init(void);

/*
 * Routes ISA interrupt irq (1-15) through the I/O APIC to this CPU, where
 * handler runs with interrupts off on an IST stack, then the interrupt is
 * acknowledged (arch/x86_64/trap.c, ioapic.c). handler must not sleep. This
 * is how a driver's interrupt reaches a layer above arch without arch
 * naming it. 0, or -EINVAL for another irq or a NULL handler. At boot.
 */
int irq_route(int irq, void (*handler)(void));

/*
 * Device interrupts past the ISA ones (arch/x86_64/irq.c). A handler runs
 * as fn(arg) on the boot CPU with interrupts off and must not sleep; the
 * local APIC's EOI follows it. Vectors are never freed. At boot.
 *
 * irq_alloc_vector: a free vector running fn(arg), for an MSI or MSI-X
 * message: the vector (0x30-0xef), or -ENOSPC, -EINVAL (fn NULL).
 * irq_msi_message: the message address and data that deliver vector to
 * the boot CPU (edge, fixed).
 * irq_route_gsi: routes I/O APIC input gsi (a global system interrupt:
 * 0-23 on the first I/O APIC, 24-47 on microvm's second) to a new vector
 * running fn(arg), level-triggered active high or edge-triggered. A
 * level-triggered handler quiets its device's line before it returns.
 * 0, or -EINVAL (no such input), -ENOSPC.
 */
int irq_alloc_vector(void (*fn)(void *), void *arg);
void irq_msi_message(int vector, u64 *addr, u32 *data);
int irq_route_gsi(unsigned gsi, bool level, void (*fn)(void *), void *arg);

/*
 * Upward calls: declared here, implemented by sched/ (sched/sched.c), so
 * that arch/x86_64/trap.c need not include a header of the scheduler. The
 * LAPIC timer interrupt runs sched_timer_tick (interrupts off: it wakes
 * expired sleepers, runs due ktimers, ends time slices); a trap that
 * interrupted code with interrupts on, and the syscall exit, call
 * schedule() when sched_need_resched() says a switch is due.
 */
void sched_timer_tick(void);
/* On an application processor (arch/x86_64/smp.c), running on its boot
 * stack: makes that stack its idle thread's and its scheduler state. */
void sched_init_ap(void);
/* The idle loop, for good (an application processor's end of boot). */
void sched_idle(void) __noreturn;
#ifdef SKIFF_HOST_TEST /* tests/unit: the shims define them */
bool sched_need_resched(void);
#else
/* One %gs load: a thread moved between finding its percpu and reading
 * the flag would read another CPU's. */
static inline bool sched_need_resched(void)
{
	bool r;

	asm volatile("movb %%gs:%c1, %0" : "=q"(r)
		     : "i"(offsetof(struct percpu, need_resched)));
	return r;
}
#endif
void schedule(void);

/*
 * ACPI power-off (arch/x86_64/acpi.c): enters S5 through the FADT's PM1
 * control ports with the DSDT's \_S5 values; returns only if the tables
 * are missing or malformed, or the machine did not go off. acpi_set_rsdp
 * gives the RSDP the boot loader found (0: search the BIOS areas).
 */
void acpi_power_off(void);
void acpi_set_rsdp(u64 paddr);
/* The CMOS clock's time as Unix ns (arch/x86_64/rtc.c); 0 if there is no
 * RTC or it reads nonsense. For a boot without the host's realtime=. */
u64 rtc_unix_ns(void);

#endif

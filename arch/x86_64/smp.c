/*
 * arch/x86_64/smp.c: the other processors. Layer: arch. Interface:
 * skiff/arch.h (smp_init, cpu_count, cpu_kick, cpu_flush_tlb_others).
 *
 * Finding them: the ACPI MADT (acpi_cpus: SeaBIOS on q35, the clouds),
 * else the MP configuration table (Intel MultiProcessor
 * Specification 1.4, chapter 4), which both QEMU firmwares write (qboot on
 * microvm, SeaBIOS on q35): its floating pointer ("_MP_") sits in the
 * first KiB of the EBDA, the last KiB of base memory, or the BIOS ROM at
 * 0xf0000-0xfffff; its processor entries give each enabled CPU's local
 * APIC ID. A missing or damaged table means one CPU.
 *
 * Starting them: INIT, then two STARTUP IPIs (SDM vol. 3, 8.4.4.1) with
 * the vector of the trampoline's page (apboot.S). Each processor gets its
 * struct percpu, GDT, TSS and IST stacks (cpu_init_ap), a kernel stack
 * that becomes its idle thread's, and checks in by setting its online
 * flag; one that does not within AP_WAIT_NS is left out, with a line in
 * the log.
 *
 * Interrupts between CPUs: IPI_RESCHED makes a CPU look at its
 * need_resched (the scheduler's wake-ups); IPI_FLUSH makes it reload CR3,
 * dropping its TLB entries, and clear its flush request: the page-table
 * code's shootdown (cpu_flush_tlb_others).
 *
 * The watchdog (smp_watchdog): every CPU's timer beats at least each
 * WATCHDOG_TICK_NS; a CPU whose last beat is WATCHDOG_NS old while the
 * CPU looking beat recently has had interrupts off that long. The looker
 * logs its own backtrace and sends the others an NMI, which arrives with
 * interrupts off too: each logs where it is (trap_nmi) and goes on. It
 * warns, never panics: a host that does not run a vCPU for a second
 * looks the same from inside.
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
#include <skiff/sched.h>
#include <skiff/time.h>
#include "cpu.h"
#include "lapic.h"
#include "paging.h"
#include "smp.h"
#include "tsc.h"

#define AP_WAIT_NS 5000000000ull	/* 5 s: a loaded host may be slow to
					 * run a new vCPU thread under TCG */
#define ICR_INIT 0x4500
#define ICR_STARTUP 0x4600
#define ICR_FIXED 0x4000

_Static_assert(offsetof(struct ap_param, cr3) == AP_PARAM_CR3, "apboot.S");
_Static_assert(offsetof(struct ap_param, stack) == AP_PARAM_STACK, "apboot.S");
_Static_assert(offsetof(struct ap_param, arg) == AP_PARAM_ARG, "apboot.S");
_Static_assert(offsetof(struct ap_param, entry) == AP_PARAM_ENTRY, "apboot.S");
_Static_assert(sizeof(struct ap_param) == AP_PARAM_SIZE, "apboot.S");

extern const char ap_trampoline[], ap_trampoline_end[], ap_param[];
extern u64 early_pml4[512];

static struct percpu *cpus[CPU_MAX];
static u32 apic_of[CPU_MAX];
static int ncpus = 1;
/* A processor's start, claimed by whichever side moves it off AP_WAIT
 * first: the processor itself (AP_STARTED, then AP_ONLINE) or the boot
 * CPU giving up (AP_ABANDONED: the processor halts if it runs later,
 * never joining a scheduler the rest does not count it in). */
enum { AP_WAIT, AP_STARTED, AP_ONLINE, AP_ABANDONED };
static int ap_state[CPU_MAX];

int cpu_count(void)
{
	return ncpus;
}

struct percpu *cpu_percpu(int id)
{
	return id >= 0 && id < ncpus ? cpus[id] : NULL;
}

static u8 sum(const u8 *p, size_t n)
{
	u8 s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* The MP floating pointer in [start, start + len), or NULL. */
static const u8 *scan_mp(paddr_t start, size_t len)
{
	for (paddr_t a = start; a + 16 <= start + len; a += 16) {
		const u8 *p = phys_to_virt(a);
		if (!memcmp(p, "_MP_", 4) && p[8] == 1 && !sum(p, 16))
			return p;
	}
	return NULL;
}

/* The enabled processors' APIC IDs from the MP table; 0 when none. */
static int mp_cpus(u32 *ids, int max)
{
	u16 ebda = *(const u16 *)phys_to_virt(0x40e);
	const u8 *fp = scan_mp((paddr_t)ebda << 4, 1024);

	if (!fp)
		fp = scan_mp(0x9fc00, 1024);
	if (!fp)
		fp = scan_mp(0xf0000, 0x10000);
	if (!fp)
		return 0;

	u32 cfg = *(const u32 *)(fp + 4);
	if (!cfg || cfg >= 0x100000)
		return 0;
	const u8 *t = phys_to_virt(cfg);
	u16 len = *(const u16 *)(t + 4);
	if (memcmp(t, "PCMP", 4) || len < 44 || cfg + len > 0x100000 ||
	    sum(t, len))
		return 0;
	int n = 0;
	/* By the table's length: qboot leaves the entry count 0. */
	for (size_t off = 44; off < len;) {
		const u8 *e = t + off;
		if (e[0] == 0) {	/* processor: 20 bytes */
			if (off + 20 > len)
				break;
			if ((e[3] & 1) && n < max)
				ids[n++] = e[1];
			off += 20;
		} else if (e[0] <= 4) {
			off += 8;
		} else {
			break;
		}
	}
	return n;
}

static void wait_ns(u64 ns)
{
	u64 end = rdtsc() + ns_to_tsc(ns);

	while (rdtsc() < end)
		cpu_relax();
}

/* The first C code of an application processor (apboot.S). */
static void __noreturn ap_entry(struct percpu *p)
{
	int wait = AP_WAIT;

	if (!__atomic_compare_exchange_n(&ap_state[p->cpu_id], &wait,
					 AP_STARTED, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		for (;;)
			asm volatile("cli; hlt");
	cpu_start_ap(p);
	pt_activate(pt_kernel());
	lapic_init_ap();
	sched_init_ap();
	p->heartbeat = time_monotonic_ns();
	/* The first beat; each tick arms the next (sched.c's rearm). */
	lapic_timer_arm(p->heartbeat + WATCHDOG_TICK_NS);
	__atomic_store_n(&ap_state[p->cpu_id], AP_ONLINE, __ATOMIC_RELEASE);
	sched_idle();
}

/* Makes and starts the processor with APIC ID apic as CPU id. */
static int start_one(int id, u32 apic)
{
	struct percpu *p = kzalloc(sizeof(*p));
	u8 *stack = page_alloc(KSTACK_SIZE / PAGE_SIZE);
	struct ap_param *ap = phys_to_virt(AP_TRAMPOLINE +
					   (ap_param - ap_trampoline));

	if (!p || !stack)
		return -ENOMEM;
	p->self = p;
	p->cpu_id = id;
	p->kstack_top = (u64)stack + KSTACK_SIZE;
	p->kstack_base = (u64)stack;
	int r = cpu_init_ap(p);
	if (r)
		return r;
	cpus[id] = p;
	apic_of[id] = apic;
	*ap = (struct ap_param){ AP_PML4, p->kstack_top, (u64)p, (u64)ap_entry };
	__atomic_store_n(&ap_state[id], AP_WAIT, __ATOMIC_SEQ_CST);
	lapic_send(apic, ICR_INIT);
	wait_ns(100000);
	for (int i = 0; i < 2 && !ap_state[id]; i++) {
		lapic_send(apic, ICR_STARTUP | (AP_TRAMPOLINE >> 12));
		wait_ns(200000);
	}
	u64 end = rdtsc() + ns_to_tsc(AP_WAIT_NS);
	int wait = AP_WAIT;
	while (__atomic_load_n(&ap_state[id], __ATOMIC_ACQUIRE) == AP_WAIT &&
	       rdtsc() < end)
		cpu_relax();
	if (__atomic_compare_exchange_n(&ap_state[id], &wait, AP_ABANDONED,
					false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return -ETIMEDOUT;
	/* Started: it sets itself up in far less than a second. */
	while (__atomic_load_n(&ap_state[id], __ATOMIC_ACQUIRE) != AP_ONLINE)
		cpu_relax();
	return 0;
}

void smp_init(int max)
{
	u32 ids[CPU_MAX];
	u32 me = lapic_id();
	int n = acpi_cpus(ids, CPU_MAX);

	if (n <= 1) /* qboot (microvm) writes an MP table, no MADT */
		n = mp_cpus(ids, CPU_MAX);

	cpus[0] = this_cpu();
	apic_of[0] = me;
	ap_state[0] = AP_ONLINE;
	if (max > CPU_MAX)
		max = CPU_MAX;
	if (n <= 1 || max <= 1)
		return;
	lapic_calibrate();
	/* The trampoline's page and its page table: the boot root's entries,
	 * and the first 2 MiB at 0 (identity, executable: the direct map is
	 * not), which the switch to long mode runs in. */
	memcpy(phys_to_virt(AP_TRAMPOLINE), ap_trampoline,
	       ap_trampoline_end - ap_trampoline);
	u64 *pml4 = phys_to_virt(AP_PML4), *pdpt = phys_to_virt(AP_PML4 + 0x1000),
	    *pd = phys_to_virt(AP_PML4 + 0x2000);
	memcpy(pml4, early_pml4, PAGE_SIZE);
	memset(pdpt, 0, PAGE_SIZE);
	memset(pd, 0, PAGE_SIZE);
	pd[0] = 0x83;		/* 0-2 MiB: present, writable, 2 MiB, executable */
	pdpt[0] = (AP_PML4 + 0x2000) | 3;
	pml4[0] = (AP_PML4 + 0x1000) | 3;
	for (int i = 0; i < n && ncpus < max; i++) {
		if (ids[i] == me)
			continue;
		int r = start_one(ncpus, ids[i]);
		if (r) {
			/* No more: the late one would read the next one's
			 * parameters in the trampoline's page. */
			klog("cpu: APIC %u did not start (error %d)", ids[i], -r);
			break;
		}
		ncpus++;
	}
	cpus[0]->heartbeat = time_monotonic_ns();
	lapic_timer_arm(cpus[0]->heartbeat + WATCHDOG_TICK_NS);
	klog("cpu: %d processors online", ncpus);
}

void cpu_kick(int id)
{
	if (id != this_cpu()->cpu_id && id < ncpus)
		lapic_send(apic_of[id], ICR_FIXED | IPI_RESCHED);
}

void cpu_serve_flush(void)
{
	struct percpu *me = this_cpu();

	if (__atomic_load_n(&me->flush_req, __ATOMIC_ACQUIRE)) {
		pt_flush_ipi();
		__atomic_store_n(&me->flush_req, false, __ATOMIC_RELEASE);
	}
}

void smp_ipi(u64 vector)
{
	if (vector == IPI_FLUSH)
		cpu_serve_flush();
	lapic_eoi();
}

void cpu_flush_tlb_others(const bool *which)
{
	int me = this_cpu()->cpu_id;

	for (int c = 0; c < ncpus; c++) {
		if (c == me || !which[c])
			continue;
		__atomic_store_n(&cpus[c]->flush_req, true, __ATOMIC_SEQ_CST);
		lapic_send(apic_of[c], ICR_FIXED | IPI_FLUSH);
	}
	/* Serving this CPU's own requests meanwhile: another CPU may be
	 * waiting on it with its interrupts off. */
	for (int c = 0; c < ncpus; c++)
		while (c != me && which[c] &&
		       __atomic_load_n(&cpus[c]->flush_req, __ATOMIC_ACQUIRE))
			cpu_spin_poll();
}

/* The NMI IPI: delivery mode 100b. */
#define ICR_NMI 0x4400

void trap_nmi(struct trap_frame *f)
{
	struct percpu *me = this_cpu();

	if (!__atomic_exchange_n(&me->nmi_dump, false, __ATOMIC_ACQ_REL))
		trap_fatal(f);
	klog_always("watchdog: CPU %d at %#lx, interrupts %s, thread %d", me->cpu_id,
		    f->rip, (f->rflags & 0x200) ? "on" : "off",
		    me->current ? thread_id(me->current) : -1);
	backtrace_from(f->rbp, f->rip);
}

void smp_watchdog(u64 now)
{
	static int reporting; /* one CPU reports a stall at a time */
	struct percpu *me = this_cpu();
	u64 mine = me->heartbeat;

	me->heartbeat = now;
	/* This CPU's own beat late too: the host did not run it; no verdict. */
	if (ncpus < 2 || !mine || now - mine > WATCHDOG_NS / 2)
		return;
	for (int c = 0; c < ncpus; c++) {
		struct percpu *p = cpus[c];
		u64 beat = __atomic_load_n(&p->heartbeat, __ATOMIC_RELAXED);
		if (p == me || now < beat + WATCHDOG_NS)
			continue;
		if (__atomic_exchange_n(&reporting, 1, __ATOMIC_ACQUIRE))
			return;
		klog_always("watchdog: CPU %d has taken no interrupt for %lu ms",
			    c, (unsigned long)((now - beat) / 1000000));
		klog_always("watchdog: CPU %d (looking):", me->cpu_id);
		backtrace_from((u64)__builtin_frame_address(0),
			       (u64)__builtin_return_address(0));
		for (int o = 0; o < ncpus; o++) {
			if (cpus[o] == me)
				continue;
			__atomic_store_n(&cpus[o]->nmi_dump, true, __ATOMIC_RELEASE);
			lapic_send(apic_of[o], ICR_NMI);
		}
		/* Once per stall: its beat counts as fresh from here. */
		__atomic_store_n(&p->heartbeat, now, __ATOMIC_RELAXED);
		__atomic_store_n(&reporting, 0, __ATOMIC_RELEASE);
	}
}

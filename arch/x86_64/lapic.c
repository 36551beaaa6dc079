/*
 * arch/x86_64/lapic.c: the local APIC (xAPIC, memory-mapped) and its timer,
 * the scheduler's only clock interrupt. TSC-deadline mode where the CPU has
 * it; otherwise one-shot mode, calibrated against the TSC the first time the
 * timer is armed (so a program that never sleeps never pays for it).
 * The legacy 8259 PICs are masked.
 *
 * Calibration without waiting. lapic_init starts the timer counting down
 * from its largest count, its interrupt masked and its clock divided by
 * CAL_DIV, and notes the TSC. The first arm reads how far it counted
 * against how far the TSC went: a baseline of the whole boot so far
 * (milliseconds under TCG, where a busy wait of 2 ms used to sit in
 * every boot with a NIC: its driver thread's first switch arms the
 * timer), as precise as a dedicated wait of that length. Only when the
 * baseline is shorter than CAL_MIN_NS does the first arm wait for the
 * rest; if the count ran out (a boot of over a minute), it measures anew.
 */
#include <skiff/arch.h>
#include <skiff/kernel.h>
#include <skiff/paging.h>
#include <skiff/time.h>
#include "lapic.h"
#include "tsc.h"

#define REG_ID 0x020
#define REG_ICR_LO 0x300
#define REG_ICR_HI 0x310
#define ICR_PENDING (1u << 12)
#define REG_EOI 0x0b0
#define REG_SVR 0x0f0
#define REG_TPR 0x080
#define REG_LVT_TIMER 0x320
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR 0x390
#define REG_TIMER_DIV 0x3e0
#define LVT_TSC_DEADLINE (2u << 17)
#define LVT_MASKED (1u << 16)
#define DIV_1 0xb		/* divide configuration: by 1 */
#define DIV_16 0x3		/*   by 16 */
#define CAL_DIV 16		/* the free-running count's divider */
#define CAL_MIN_NS 2000000	/* the shortest baseline we trust */

static volatile u32 *regs;
static u64 apic_khz; /* one-shot mode: timer ticks per ms (by 1) */
static u64 cal_tsc; /* TSC when the free-running count started */
extern u64 boot_tsc;

static void calibrate(void);

static u32 rd(u32 reg)
{
	return regs[reg / 4];
}

static void wr(u32 reg, u32 v)
{
	regs[reg / 4] = v;
}

/* This CPU's APIC on, its timer in the mode cpu_feat says. */
static void enable(void)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11));
	wr(REG_TPR, 0);
	wr(REG_SVR, 0x100 | LAPIC_SPURIOUS_VECTOR);
}

void lapic_calibrate(void)
{
	if (!cpu_feat.tsc_deadline && !apic_khz)
		calibrate();
}

void lapic_init_ap(void)
{
	enable();
	if (cpu_feat.tsc_deadline) {
		wr(REG_TIMER_DIV, DIV_1);
		wr(REG_LVT_TIMER, LAPIC_TIMER_VECTOR | LVT_TSC_DEADLINE);
		return;
	}
	/* One-shot, at the rate the boot CPU measured (the same clock). */
	wr(REG_TIMER_DIV, DIV_1);
	wr(REG_LVT_TIMER, LAPIC_TIMER_VECTOR);
}

void lapic_send(u32 apic_id, u32 icr)
{
	u64 flags = irq_save();

	wr(REG_ICR_HI, apic_id << 24);
	wr(REG_ICR_LO, icr);
	while (rd(REG_ICR_LO) & ICR_PENDING)
		cpu_relax();
	irq_restore(flags);
}

void lapic_init(void)
{
	outb(0x21, 0xff); /* mask both 8259s */
	outb(0xa1, 0xff);
	regs = phys_to_virt(rdmsr(MSR_APIC_BASE) & ~0xfffull);
	enable();
	if (cpu_feat.tsc_deadline) {
		wr(REG_TIMER_DIV, DIV_1);
		wr(REG_LVT_TIMER, LAPIC_TIMER_VECTOR | LVT_TSC_DEADLINE);
		return;
	}
	/* The calibration's count (top of file): masked, so it never fires. */
	wr(REG_LVT_TIMER, LAPIC_TIMER_VECTOR | LVT_MASKED);
	wr(REG_TIMER_DIV, DIV_16);
	cal_tsc = rdtsc();
	wr(REG_TIMER_INIT, 0xffffffff);
}

/*
 * The timer's rate (divided by 1) from the count lapic_init started;
 * then the timer is stopped, unmasked and divided by 1 for lapic_timer_arm.
 * The TSC is read on both sides of the count's read: under TCG a register
 * read is a VM exit, so the middle of the two is when it was sampled.
 */
static void calibrate(void)
{
	u64 min = ns_to_tsc(CAL_MIN_NS), t0, t1;
	u32 left;

	if (!rd(REG_TIMER_CUR)) {	/* ran out: count anew */
		cal_tsc = rdtsc();
		wr(REG_TIMER_INIT, 0xffffffff);
	}
	while (rdtsc() - cal_tsc < min)
		cpu_relax();
	t0 = rdtsc();
	left = rd(REG_TIMER_CUR);
	t1 = rdtsc();
	u64 ns = tsc_to_ns(t0 / 2 + t1 / 2 - cal_tsc);
	u64 ticks = (u64)(0xffffffffu - left) * CAL_DIV;
	wr(REG_TIMER_INIT, 0);
	wr(REG_TIMER_DIV, DIV_1);
	wr(REG_LVT_TIMER, LAPIC_TIMER_VECTOR);
	apic_khz = ns ? ticks * 1000000 / ns : 0;
	if (!left || !apic_khz)
		panic("LAPIC timer does not count");
	klog("LAPIC timer: %lu kHz (over %lu us)", (unsigned long)apic_khz,
	     (unsigned long)(ns / 1000));
}

/*
 * Arming the timer is a register write, and under TCG each write is an
 * exit to QEMU that takes its global lock and wakes its main loop (the
 * timer's new expiry). The scheduler arms it at every switch and wake-up,
 * and a server's request toggles it between a slice's end a few ms ahead
 * and a poll timeout further on: two writes per request. So the timer is
 * only ever moved earlier: armed is the earliest deadline asked for since
 * it last fired (0: none), and a later deadline, or none, leaves it as it
 * is. It then fires early now and then, finds nothing due, and the
 * scheduler's tick arms it for what is (lapic_timer_fired forgets armed
 * first): at most one early interrupt for each deadline armed, and no
 * deadline is ever missed. armed is per CPU, as each CPU's timer.
 */
static u64 armed_on[CPU_MAX];
#define armed armed_on[this_cpu()->cpu_id]

void lapic_timer_arm(u64 deadline_ns)
{
	if (!deadline_ns || (armed && armed <= deadline_ns))
		return;
	armed = deadline_ns;
	if (cpu_feat.tsc_deadline) {
		wrmsr(MSR_TSC_DEADLINE, boot_tsc + ns_to_tsc(deadline_ns));
		return;
	}
	if (!apic_khz)
		calibrate(); /* on the boot CPU: lapic_init_ap comes after */
	u64 now = time_monotonic_ns();
	u64 delta = deadline_ns > now ? deadline_ns - now : 0;
	u64 count = delta * apic_khz / 1000000 + 1;
	wr(REG_TIMER_INIT, count > 0xffffffffu ? 0xffffffffu : (u32)count);
}

void lapic_timer_kick(void)
{
	armed = 0;
	lapic_timer_arm(time_monotonic_ns());
}

void lapic_eoi(void)
{
	wr(REG_EOI, 0);
}

void lapic_timer_fired(void)
{
	armed = 0;
	lapic_eoi();
}

u32 lapic_id(void)
{
	return rd(REG_ID) >> 24;
}

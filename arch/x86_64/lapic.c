/*
 * arch/x86_64/lapic.c: the local APIC (xAPIC, memory-mapped) and its timer,
 * the scheduler's only clock interrupt. TSC-deadline mode where the CPU has
 * it; otherwise one-shot mode, calibrated against the TSC the first time the
 * timer is armed (so a program that never sleeps never pays for it).
 * The legacy 8259 PICs are masked.
 */
#include <skiff/arch.h>
#include <skiff/kernel.h>
#include <skiff/paging.h>
#include <skiff/time.h>
#include "lapic.h"
#include "tsc.h"

#define REG_ID 0x020
#define REG_EOI 0x0b0
#define REG_SVR 0x0f0
#define REG_TPR 0x080
#define REG_LVT_TIMER 0x320
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR 0x390
#define REG_TIMER_DIV 0x3e0
#define LVT_TSC_DEADLINE (2u << 17)

static volatile u32 *regs;
static u64 apic_khz; /* one-shot mode: timer ticks per ms */
extern u64 boot_tsc;

static u32 rd(u32 reg)
{
	return regs[reg / 4];
}

static void wr(u32 reg, u32 v)
{
	regs[reg / 4] = v;
}

void lapic_init(void)
{
	outb(0x21, 0xff); /* mask both 8259s */
	outb(0xa1, 0xff);
	regs = phys_to_virt(rdmsr(MSR_APIC_BASE) & ~0xfffull);
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11));
	wr(REG_TPR, 0);
	wr(REG_SVR, 0x100 | LAPIC_SPURIOUS_VECTOR);
	wr(REG_TIMER_DIV, 0xb); /* divide by 1 */
	if (cpu_feat.tsc_deadline)
		wr(REG_LVT_TIMER, LAPIC_TIMER_VECTOR | LVT_TSC_DEADLINE);
	else
		wr(REG_LVT_TIMER, LAPIC_TIMER_VECTOR);
}

static void calibrate(void)
{
	u64 t0 = rdtsc(), wait = ns_to_tsc(2000000);

	wr(REG_TIMER_INIT, 0xffffffff);
	while (rdtsc() - t0 < wait)
		cpu_relax();
	u32 elapsed = 0xffffffff - rd(REG_TIMER_CUR);
	wr(REG_TIMER_INIT, 0);
	apic_khz = elapsed / 2;
	if (!apic_khz)
		panic("LAPIC timer does not count");
	klog("LAPIC timer: %lu kHz", (unsigned long)apic_khz);
}

void lapic_timer_arm(u64 deadline_ns)
{
	if (cpu_feat.tsc_deadline) {
		wrmsr(MSR_TSC_DEADLINE,
		      deadline_ns ? boot_tsc + ns_to_tsc(deadline_ns) : 0);
		return;
	}
	if (!deadline_ns) {
		wr(REG_TIMER_INIT, 0);
		return;
	}
	if (!apic_khz)
		calibrate();
	u64 now = time_monotonic_ns();
	u64 delta = deadline_ns > now ? deadline_ns - now : 0;
	u64 count = delta * apic_khz / 1000000 + 1;
	wr(REG_TIMER_INIT, count > 0xffffffffu ? 0xffffffffu : (u32)count);
}

void lapic_eoi(void)
{
	wr(REG_EOI, 0);
}

u32 lapic_id(void)
{
	return rd(REG_ID) >> 24;
}

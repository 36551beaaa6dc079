/*
 * arch/x86_64/tsc.c: the monotonic clock from the TSC.
 *
 * The rate comes from, in order: the host (tsc_khz= on the command line,
 * which skiff measures: under TCG the guest reads the host's TSC), CPUID
 * leaf 0x15/0x16 or the hypervisor's leaf 0x40000010, else a calibration
 * against the PIT. Time 0 is the PVH entry (boot_tsc in boot.S).
 */
#include <skiff/arch.h>
#include <skiff/kernel.h>
#include <skiff/time.h>
#include "tsc.h"

extern u64 boot_tsc;
static u64 tsc_khz;
static u64 mult; /* ns = (ticks * mult) >> 32 */
static u64 realtime_base_ns; /* Unix time at TSC boot_tsc */

static u64 khz_from_cpuid(void)
{
	u32 r[4];

	cpuid(0x40000000, 0, r);
	if (r[0] >= 0x40000010) {
		cpuid(0x40000010, 0, r);
		if (r[0])
			return r[0];
	}
	cpuid(0, 0, r);
	if (r[0] >= 0x15) {
		cpuid(0x15, 0, r);
		if (r[0] && r[1] && r[2])
			return (u64)r[2] * r[1] / r[0] / 1000;
	}
	return 0;
}

/* PIT channel 2 one-shot of ~10 ms, gated by port 0x61 (q35 and microvm). */
static u64 khz_from_pit(void)
{
	const u32 count = 11932; /* 1193182 Hz * 10 ms */

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0); /* channel 2, lobyte/hibyte, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	u64 t0 = rdtsc();
	for (u64 spins = 0; !(inb(0x61) & 0x20); spins++)
		if (spins > 100000000)
			return 0;
	u64 t1 = rdtsc();
	return (t1 - t0) * 1193182 / count / 1000;
}

void tsc_init(void)
{
	tsc_khz = boot_opts.tsc_khz;
	if (!tsc_khz)
		tsc_khz = khz_from_cpuid();
	if (!tsc_khz)
		tsc_khz = khz_from_pit();
	if (!tsc_khz)
		panic("cannot determine the TSC rate");
	mult = (1000000ull << 32) / tsc_khz;
}

u64 tsc_rate_khz(void)
{
	return tsc_khz;
}

u64 tsc_to_ns(u64 ticks)
{
	return (u64)(((unsigned __int128)ticks * mult) >> 32);
}

u64 ns_to_tsc(u64 ns)
{
	return (u64)((unsigned __int128)ns * tsc_khz / 1000000);
}

u64 time_monotonic_ns(void)
{
	if (!mult)
		return 0;
	return tsc_to_ns(rdtsc() - boot_tsc);
}

void time_set_realtime(u64 unix_ns_now)
{
	realtime_base_ns = unix_ns_now - time_monotonic_ns();
}

void time_step(u64 unix_ns_now)
{
	u64 now = time_realtime_ns();

	if (unix_ns_now > now) {
		/* Modular: rdtsc() - boot_tsc stays right if this wraps. */
		boot_tsc -= ns_to_tsc(unix_ns_now - now);
		lapic_timer_kick();
	} else {
		realtime_base_ns -= now - unix_ns_now;
	}
}

u64 time_realtime_ns(void)
{
	return realtime_base_ns + time_monotonic_ns();
}

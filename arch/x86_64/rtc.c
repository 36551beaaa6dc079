/*
 * arch/x86_64/rtc.c: the PC's CMOS real-time clock (MC146818, ports 0x70
 * and 0x71), read once at boot for the wall clock when no host passed
 * realtime= (a boot loader's boot: a disk of skiff build --format raw).
 * Layer: arch; interface in skiff/arch.h (rtc_unix_ns). The clock holds
 * UTC on QEMU and clouds' VMs (QEMU's -rtc base=utc default).
 */
#include <skiff/arch.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define NMI_OFF 0x80	/* keep NMIs masked while selecting a register */
#define REG_B_24H 0x02
#define REG_B_BINARY 0x04
#define REG_A_UIP 0x80

static u8 cmos(u8 reg)
{
	outb(CMOS_INDEX, reg | NMI_OFF);
	return inb(CMOS_DATA);
}

struct rtc_time {
	u8 sec, min, hour, day, mon, year, century;
};

static void read_once(struct rtc_time *t)
{
	for (int i = 0; i < 1000000 && (cmos(0x0a) & REG_A_UIP); i++)
		cpu_relax();
	t->sec = cmos(0x00);
	t->min = cmos(0x02);
	t->hour = cmos(0x04);
	t->day = cmos(0x07);
	t->mon = cmos(0x08);
	t->year = cmos(0x09);
	t->century = cmos(0x32);
}

static unsigned bcd(u8 v, bool binary)
{
	return binary ? v : (v >> 4) * 10 + (v & 15);
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static s64 days_from_civil(s64 y, unsigned m, unsigned d)
{
	y -= m <= 2;
	s64 era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (s64)doe - 719468;
}

u64 rtc_unix_ns(void)
{
	struct rtc_time a, b;
	u8 regb = cmos(0x0b);
	bool bin = regb & REG_B_BINARY, pm;
	unsigned hour, year;

	/* the same reading twice: not torn by an update */
	read_once(&a);
	for (int i = 0; i < 5; i++) {
		read_once(&b);
		if (!__builtin_memcmp(&a, &b, sizeof(a)))
			break;
		a = b;
	}
	if (a.sec == 0xff && a.mon == 0xff)
		return 0; /* no RTC (microvm) */
	pm = !(regb & REG_B_24H) && (a.hour & 0x80);
	hour = bcd(a.hour & 0x7f, bin);
	if (!(regb & REG_B_24H))
		hour = hour % 12 + (pm ? 12 : 0);
	year = bcd(a.year, bin);
	year += a.century && a.century != 0xff ? bcd(a.century, bin) * 100
					       : year < 70 ? 2000 : 1900;
	unsigned mon = bcd(a.mon, bin), day = bcd(a.day, bin);
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23)
		return 0;
	s64 days = days_from_civil(year, mon, day);
	u64 secs = (u64)days * 86400 + hour * 3600 + bcd(a.min, bin) * 60 +
		   bcd(a.sec, bin);
	return days < 0 ? 0 : secs * 1000000000ull;
}

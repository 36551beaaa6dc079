/*
 * kernel/boottrace.c: timestamps of the boot steps, kept in memory and
 * logged together once the program runs, so that measuring the boot does
 * not slow it down (each log line costs serial output). With --verbose.
 */
#include <skiff/kernel.h>
#include <skiff/time.h>

#define MAX_MARKS 16

static struct {
	const char *what;
	u64 ns;
} marks[MAX_MARKS];
static int nmarks;

void boot_mark(const char *what)
{
	if (nmarks < MAX_MARKS)
		marks[nmarks++] = (typeof(marks[0])){ what, time_monotonic_ns() };
}

void boot_report(void)
{
	u64 prev = 0;

	for (int i = 0; i < nmarks; i++) {
		klog("boot: %-28s at %5lu us (+%lu us)", marks[i].what,
		     (unsigned long)(marks[i].ns / 1000),
		     (unsigned long)((marks[i].ns - prev) / 1000));
		prev = marks[i].ns;
	}
}

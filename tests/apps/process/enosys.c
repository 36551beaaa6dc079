/*
 * enosys: system call numbers that do not exist return -ENOSYS and the
 * program goes on (no crash, no signal): unassigned numbers inside the
 * table, past its end, negative, and the x32 range. (Not 335: newer
 * Linux made it uretprobe, which raises SIGILL outside its trampoline.)
 */
#include "check.h"

int main(void)
{
	SHOW(syscall(400));
	SHOW(syscall(423));
	SHOW(syscall(1000));
	SHOW(syscall(100000));
	SHOW(syscall(-1L));
	SHOW(syscall(0x40000000L + 1000));
	SHOW(syscall(0x7fffffffL));
	/* still alive and the table still works */
	SHOW(syscall(SYS_getuid) >= 0);
	return 0;
}

/*
 * personality: personality(0xffffffff) reads the persona without
 * changing it; setting ADDR_NO_RANDOMIZE returns the old value and reads
 * back; PER_LINUX restores it.
 */
#include <sys/personality.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)

int main(void)
{
	SHOW(SYS(SYS_personality, 0xffffffffUL));
	SHOW(SYS(SYS_personality, 0xffffffffUL));
	SHOW(SYS(SYS_personality, PER_LINUX | ADDR_NO_RANDOMIZE));
	SHOW(SYS(SYS_personality, 0xffffffffUL) == ADDR_NO_RANDOMIZE);
	SHOW(SYS(SYS_personality, PER_LINUX));
	SHOW(SYS(SYS_personality, 0xffffffffUL));
	return 0;
}

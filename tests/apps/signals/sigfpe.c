/*
 * sigfpe: an integer division by zero kills the program with SIGFPE
 * (a shell reports 136, skiff 128 + 8).
 */
#include "check.h"

int main(int argc, char **argv)
{
	volatile int zero = argc - 1;
	volatile int r;

	(void)argv;
	say("dividing by zero");
	die_flush();
	r = 100 / zero;
	say("survived: %d (wrong)", r);
	return 0;
}

/*
 * nullderef: a store through a null pointer kills the program with SIGSEGV
 * (a shell reports 139, skiff 128 + 11). Output written before survives.
 */
#include "check.h"

int main(void)
{
	volatile int *p = NULL;

	say("about to dereference NULL");
	die_flush();
	*p = 1;
	say("survived a null store (wrong)");
	return 0;
}

/*
 * exit_255: exit(-1) is status 255: only the low 8 bits reach the parent.
 */
#include "check.h"

int main(void)
{
	say("exit(-1) gives 255");
	exit(-1);
}

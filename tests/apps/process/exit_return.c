/*
 * exit_return: returning 3 from main runs the atexit handlers (last
 * registered first), flushes stdio, and the status is 3.
 */
#include "check.h"

static void first(void)
{
	say("atexit: registered first, runs last");
}

static void second(void)
{
	say("atexit: registered second, runs first");
}

int main(void)
{
	atexit(first);
	atexit(second);
	printf("buffered line, flushed at exit\n");
	return 3;
}

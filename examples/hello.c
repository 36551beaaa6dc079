/* The default example of `make run`: greets its first argument. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("Hello, %s! This program runs alone in a Skiff VM.\n",
	       argc > 1 ? argv[1] : "world");
	return 0;
}

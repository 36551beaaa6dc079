/*
 * tests/skiff/kernel_poke.c: a program that touches one kernel address the
 * way its first argument says, for tests/skiff/kernel_wx.sh. Skiff-only:
 * on Linux the kernel half is not reachable from a program at all.
 *   kernel_poke read ADDR      load a byte, print "read ok"
 *   kernel_poke write ADDR     store the byte that is there back in place
 *   kernel_poke exec ADDR      call ADDR
 *   kernel_poke getpid ADDR    overwrite the u64 at ADDR with a pointer to
 *                              a function returning 4242, call getpid
 * Prints what happened; a fault kills it (SIGSEGV, exit 139).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long fake_getpid(void)
{
	return 4242;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	unsigned long addr = strtoul(argv[2], NULL, 16);
	volatile unsigned char *p = (unsigned char *)addr;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(argv[1], "read")) {
		unsigned char c = *p;
		(void)c;
		printf("read ok\n");
	} else if (!strcmp(argv[1], "write")) {
		unsigned char c = *p;
		*p = c;
		printf("write ok (wrong)\n");
	} else if (!strcmp(argv[1], "exec")) {
		((void (*)(void))addr)();
		printf("exec returned (wrong)\n");
	} else if (!strcmp(argv[1], "getpid")) {
		*(volatile unsigned long *)addr = (unsigned long)fake_getpid;
		printf("getpid = %ld (wrong)\n", (long)syscall(SYS_getpid));
	}
	return 0;
}

/*
 * kernel_text_write: a store into the kernel's code kills the program with
 * SIGSEGV. Reproducer: the kernel image was mapped writable, so a program
 * (running in ring 0) could overwrite kernel text and the syscall table
 * silently (getpid returned 4242; zeroed text hung the VM).
 *
 * The program reads the SYSCALL entry address from the LSTAR MSR and writes
 * the byte it finds there back in place. On Linux, RDMSR in ring 3 already
 * raises SIGSEGV; in Skiff it works (ring 0) and the store must fault
 * instead. Either way the program prints one line and dies of SIGSEGV (exit
 * 139), so Linux still writes the expected output. The byte is unchanged, so
 * a kernel that wrongly allows the store keeps working and the program
 * reports it and exits 0.
 */
#include "check.h"

int main(void)
{
	unsigned lo, hi;

	say("reading LSTAR and writing to the kernel's SYSCALL entry");
	die_flush();
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xc0000082));
	volatile unsigned char *entry =
		(unsigned char *)(((unsigned long)hi << 32) | lo);
	unsigned char c = *entry;
	*entry = c;
	say("kernel text written (wrong)");
	return 0;
}

/*
 * segv_mprotect: a read-only page written to kills the program with SIGSEGV
 * after reads of it succeeded; a PROT_NONE page is not touched.
 */
#include <sys/mman.h>
#include "check.h"

int main(void)
{
	volatile char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 1;
	p[0] = 'a';
	p[4096] = 'b';
	SHOW(mprotect((void *)p, 4096, PROT_READ));
	say("read back: %c %c", p[0], p[4096]);
	p[4096] = 'c';
	say("second page still writable: %c", p[4096]);
	die_flush();
	p[1] = 'x';
	say("wrote a read-only page (wrong)");
	return 0;
}

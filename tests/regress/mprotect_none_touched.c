/*
 * mprotect_none_touched: after mprotect(PROT_NONE), a page the program had
 * already touched stayed readable (x86 cannot refuse reads of a present
 * page, and the entry stayed present), where Linux gives SIGSEGV. The
 * paging API now keeps a PROT_NONE page mapped but not present.
 */
#include "check.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
static sigjmp_buf jb;
static void on_segv(int s) { (void)s; siglongjmp(jb, 1); }
static int readable(volatile char *p) { if (sigsetjmp(jb, 1)) return 0; (void)*p; return 1; }
static int writable(volatile char *p) { if (sigsetjmp(jb, 1)) return 0; *p = 1; return 1; }
int main(void)
{
	signal(SIGSEGV, on_segv);
	char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 7; p[4096] = 8;
	SHOW(mprotect(p, 4096, PROT_NONE));
	yes("touched PROT_NONE page readable", readable(p));
	yes("touched PROT_NONE page writable", writable(p));
	SHOW(mprotect(p + 4096, 4096, PROT_READ));
	yes("read-only page writable", writable(p + 4096));
	yes("read-only page readable", readable(p + 4096));
	SHOW(mprotect(p, 4096, PROT_READ));
	yes("contents kept", p[0] == 7);
	SHOW(mprotect(p + 2 * 4096, 4096, PROT_NONE));
	yes("untouched PROT_NONE page readable", readable(p + 2 * 4096));
	return 0;
}

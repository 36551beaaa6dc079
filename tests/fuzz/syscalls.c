/*
 * tests/fuzz/syscalls.c: calls random syscalls with garbage arguments
 * (NULL, -1, kernel addresses, huge sizes, a real buffer...) inside Skiff.
 * The kernel must answer every one with a value or an error: a kernel
 * panic, a hang or a dead VM fails the test. Signals the calls raise
 * (SIGSEGV from a bad address handed back, SIGALRM ending a blocking call)
 * jump back to the loop. Calls that would end the program or pull its own
 * memory away are skipped. Not run natively: on Linux such a run damages
 * itself in ways that are not the kernel's to prevent.
 *   syscalls ITERATIONS SEED
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
static sigjmp_buf jb;
static void on_sig(int s) { siglongjmp(jb, s); }
static unsigned long long rng = 88172645463325252ull;
static unsigned long long rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }
static char buf[65536];
static long pick(void) {
	switch (rnd() % 12) {
	case 0: return 0; case 1: return -1; case 2: return rnd() % 16; case 3: return (long)buf;
	case 4: return 0xffffffff80100000L; case 5: return 0x1000; case 6: return rnd();
	case 7: return (long)buf + 60000; case 8: return 1L << 47; case 9: return -4096;
	case 10: return 0xffff800000000000L; default: return rnd() % 4096;
	}
}
static int skip(long n) {
	switch (n) {
	case SYS_exit: case SYS_exit_group: case SYS_rt_sigreturn: case SYS_rt_sigaction:
	case SYS_rt_sigprocmask: case SYS_clone: case SYS_clone3: case SYS_fork: case SYS_vfork:
	case SYS_execve: case SYS_execveat: case SYS_kill: case SYS_tkill: case SYS_tgkill:
	case SYS_setitimer: case SYS_alarm: case SYS_arch_prctl: case SYS_sigaltstack:
	case SYS_set_tid_address: case SYS_set_robust_list: case SYS_rseq: case SYS_munmap:
	case SYS_mmap: case SYS_mremap: case SYS_mprotect: case SYS_brk: case SYS_madvise:
	case SYS_close: case SYS_dup2: case SYS_dup3: case SYS_close_range: case SYS_rt_sigsuspend:
	case SYS_pause: case SYS_read: case SYS_readv: case SYS_pread64: case SYS_preadv: case SYS_preadv2:
	case SYS_timer_create: case SYS_timer_settime: case SYS_rt_sigqueueinfo: case SYS_rt_tgsigqueueinfo:
	case SYS_prctl: case SYS_personality: case SYS_setrlimit: case SYS_prlimit64: case SYS_chdir: case SYS_fchdir:
	case SYS_sched_setaffinity: case SYS_signalfd: case SYS_signalfd4: case SYS_shmat: case SYS_pkey_mprotect:
		return 1;
	}
	return 0;
}
int main(int argc, char **argv) {
	long iters = argc > 1 ? atol(argv[1]) : 20000;
	if (argc > 2) rng = atol(argv[2]);
	signal(SIGSEGV, on_sig); signal(SIGBUS, on_sig); signal(SIGALRM, on_sig); signal(SIGPIPE, SIG_IGN);
	signal(SIGILL, on_sig); signal(SIGFPE, on_sig); signal(SIGSYS, on_sig);
	long done = 0, errs = 0;
	for (long i = 0; i < iters; i++) {
		long n = rnd() % 450;
		if (skip(n)) continue;
		long a[6]; for (int k = 0; k < 6; k++) a[k] = pick();
		if (n == SYS_write || n == SYS_writev || n == SYS_pwrite64 || n == SYS_sendfile || n == SYS_ioctl) if (a[0] < 3) a[0] = 3 + a[0];
		struct itimerval it = {{0,0},{0,20000}};
		syscall(SYS_setitimer, ITIMER_REAL, &it, 0);
		if (sigsetjmp(jb, 1) == 0) {
			long r = syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
			if (r < 0) errs++;
		}
		struct itimerval z = {{0,0},{0,0}};
		syscall(SYS_setitimer, ITIMER_REAL, &z, 0);
		done++;
	}
	printf("fuzz: %ld calls, %ld errors, survived\n", done, errs);
	return 0;
}

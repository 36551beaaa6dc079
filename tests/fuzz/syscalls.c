/*
 * tests/fuzz/syscalls.c: calls random syscalls with garbage arguments
 * (NULL, -1, kernel addresses, huge sizes, a real buffer...) inside Skiff.
 * The kernel must answer every one with a value or an error: a kernel
 * panic, a hang or a dead VM fails the test. Signals the calls raise
 * (SIGSEGV from a bad address handed back, SIGALRM ending a blocking call)
 * jump back to the loop. Calls that would end the program, stop it, or
 * change its signal handling are skipped. Not run natively: on Linux such a
 * run damages itself in ways that are not the kernel's to prevent.
 *
 * The memory calls (mmap, munmap, mprotect, mremap, brk, madvise, mlock...)
 * and the reads are fuzzed too, but confined: an address of the program's
 * half that they get is moved into a sandbox mapping (and a length cut at
 * its end), and brk only grows, so they never pull the fuzzer's own code,
 * stack or heap away; kernel-half, non-canonical and huge values go
 * through unchanged, as those are what the kernel must refuse. The buffer
 * the calls get ends in a guard page. madvise's length is cut even where
 * it runs past USER_END: Linux acts on every area up to the end (holes or
 * not), so madvise(0x1000, huge, MADV_DONTNEED) would wipe the fuzzer's
 * own memory; a length whose end wraps around stays (EINVAL).
 *
 * The timer is armed only after sigsetjmp has filled the jump buffer: a
 * signal before the first sigsetjmp would siglongjmp through a zeroed
 * buffer to RIP = RSP = the pointer guard (seen on a loaded host, where
 * 20 ms can pass between two instructions; docs/testing.md). After the
 * loop the handlers are reset: a fault there is a crash, not a jump back.
 *
 * Mode "safe" (the default) never lets a call block the fuzzer's own timer
 * signal: a signal mask a call would install while it waits (ppoll,
 * pselect6, epoll_pwait, epoll_pwait2, io_pgetevents) is random but never
 * holds SIGALRM, so the 20 ms timer always ends a blocking call. Mode "raw"
 * passes garbage masks as they come (a call may then wait as long as its
 * garbage timeout says: that is the fuzzer's doing, not a kernel hang).
 *   syscalls ITERATIONS SEED [safe|raw]
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#define BUF_SIZE 65536
#define SANDBOX_SIZE (16ul << 20)
#define USER_END (1ul << 47)

static sigjmp_buf jb;
static void on_sig(int s) { siglongjmp(jb, s); }
static unsigned long long rng = 88172645463325252ull;
static unsigned long long rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }
static char bufarea[BUF_SIZE + 4096] __attribute__((aligned(4096)));
static char *buf = bufarea;   /* BUF_SIZE bytes, then a guard page */
static unsigned long sandbox; /* where the memory calls may act */
static unsigned long long safe_mask;
static struct { void *mask; unsigned long size; } safe_pair;

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
	case SYS_set_tid_address: case SYS_set_robust_list: case SYS_rseq:
	case SYS_close: case SYS_dup2: case SYS_dup3: case SYS_close_range: case SYS_rt_sigsuspend:
	case SYS_pause: case SYS_timer_create: case SYS_timer_settime: case SYS_rt_sigqueueinfo:
	case SYS_rt_tgsigqueueinfo: case SYS_pidfd_send_signal:
	case SYS_prctl: case SYS_personality: case SYS_setrlimit: case SYS_prlimit64: case SYS_chdir: case SYS_fchdir:
	case SYS_sched_setaffinity: case SYS_signalfd: case SYS_signalfd4: case SYS_shmat:
	case SYS_remap_file_pages:
		return 1;
	}
	return 0;
}

/* A program-half address moved into the sandbox; others unchanged. */
static long confine_addr(long v) {
	unsigned long u = v;

	if (u < 0x10000 || u >= USER_END || (u >= sandbox && u < sandbox + SANDBOX_SIZE))
		return v;
	return sandbox + u % SANDBOX_SIZE;
}

/* The end of the region a confined address lies in (the sandbox, or the
 * first 64 KiB, where addresses stay as they are); 0 when not confined. */
static unsigned long region_end(unsigned long a) {
	if (a >= sandbox && a < sandbox + SANDBOX_SIZE)
		return sandbox + SANDBOX_SIZE;
	return a < 0x10000 ? 0x10000 : 0;
}

/* A length from addr that would run past its region, but not past
 * USER_END (which the kernel must refuse itself), is cut at its end. */
static long confine_len(long addr, long len) {
	unsigned long a = addr, l = len, end = region_end(a);

	if (end && l > end - a && l <= USER_END - a)
		return end - a;
	return len;
}

/* madvise's length from a confined address: cut at the end of its region
 * unless the aligned end wraps around (the kernel refuses that). */
static long confine_advice_len(long addr, long len) {
	unsigned long a = addr, l = len, al = (l + 4095) & ~4095ul,
		      end = region_end(a);

	if (!end || (l && !al) || a + al < a || al <= end - a)
		return len;
	return end - a;
}

static void confine_memory_call(long n, long *a) {
	switch (n) {
	case SYS_mremap: /* old, old_size, new_size, flags, new_address */
		a[4] = confine_addr(a[4]);
		a[2] = confine_len(a[4], a[2]);
		/* fall through */
	case SYS_mmap: case SYS_munmap: case SYS_mprotect: case SYS_madvise:
	case SYS_msync: case SYS_mincore: case SYS_mlock: case SYS_munlock:
	case SYS_mlock2: case SYS_pkey_mprotect:
		a[0] = confine_addr(a[0]);
		a[1] = confine_len(a[0], a[1]);
		if (n == SYS_madvise)
			a[1] = confine_advice_len(a[0], a[1]);
		break;
	case SYS_brk: { /* only ever grows: glibc's heap lives below */
		unsigned long cur = syscall(SYS_brk, 0);
		if ((unsigned long)a[0] < USER_END)
			a[0] = cur + a[0] % SANDBOX_SIZE;
		break;
	}
	}
}

/* Safe mode: the masks installed during a wait never block SIGALRM. */
static void safe_masks(long n, long *a) {
	safe_mask = rnd() & ~(1ull << (SIGALRM - 1));
	safe_pair.mask = &safe_mask;
	safe_pair.size = 8;
	switch (n) {
	case SYS_ppoll:
		if (a[3]) a[3] = (long)&safe_mask;
		break;
	case SYS_epoll_pwait:
#ifdef SYS_epoll_pwait2
	case SYS_epoll_pwait2:
#endif
		if (a[4]) a[4] = (long)&safe_mask;
		break;
	case SYS_pselect6: case SYS_io_pgetevents:
		if (a[5]) a[5] = (long)&safe_pair;
		break;
	}
}

int main(int argc, char **argv) {
	long iters = argc > 1 ? atol(argv[1]) : 20000;
	int raw = argc > 3 && !strcmp(argv[3], "raw");
	if (argc > 2) rng = atol(argv[2]);
	void *s = mmap(NULL, SANDBOX_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED || mprotect(buf + BUF_SIZE, 4096, PROT_NONE)) {
		perror("fuzz: setting up");
		return 1;
	}
	sandbox = (unsigned long)s;
	signal(SIGSEGV, on_sig); signal(SIGBUS, on_sig); signal(SIGALRM, on_sig); signal(SIGPIPE, SIG_IGN);
	signal(SIGILL, on_sig); signal(SIGFPE, on_sig); signal(SIGSYS, on_sig);
	long done = 0, errs = 0;
	for (long i = 0; i < iters; i++) {
		long n = rnd() % 450;
		if (skip(n)) continue;
		long a[6]; for (int k = 0; k < 6; k++) a[k] = pick();
		if (n == SYS_write || n == SYS_writev || n == SYS_pwrite64 || n == SYS_sendfile || n == SYS_ioctl) if (a[0] < 3) a[0] = 3 + a[0];
		confine_memory_call(n, a);
		if (!raw)
			safe_masks(n, a);
		struct itimerval it = {{0,0},{0,20000}};
		if (sigsetjmp(jb, 1) == 0) {
			syscall(SYS_setitimer, ITIMER_REAL, &it, 0);
			long r = syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
			if (r < 0) errs++;
		}
		struct itimerval z = {{0,0},{0,0}};
		syscall(SYS_setitimer, ITIMER_REAL, &z, 0);
		done++;
	}
	signal(SIGSEGV, SIG_DFL); signal(SIGBUS, SIG_DFL); signal(SIGALRM, SIG_DFL);
	signal(SIGILL, SIG_DFL); signal(SIGFPE, SIG_DFL); signal(SIGSYS, SIG_DFL);
	printf("fuzz: %ld calls, %ld errors, survived\n", done, errs);
	return 0;
}

/*
 * sigreturn_regs: a signal handler that clobbers every general register
 * the ABI lets it clobber, all sixteen XMM registers and the SSE and x87
 * control words: after rt_sigreturn the interrupted code finds all of
 * them as they were. The signal arrives at the return of a tgkill system
 * call made from assembly with every register loaded with a pattern.
 */
#include <signal.h>
#include <stdint.h>
#include "check.h"

static volatile int ran;

static void handler(int sig)
{
	uint32_t mx = 0x7f80;	/* round toward zero, all exceptions masked */
	uint16_t cw = 0x0c7f;

	(void)sig;
	ran++;
	__asm__ volatile("ldmxcsr %0\n\t"
			 "fldcw %1\n\t"
			 "pcmpeqd %%xmm0, %%xmm0\n\t"
			 "pcmpeqd %%xmm1, %%xmm1\n\t"
			 "pcmpeqd %%xmm2, %%xmm2\n\t"
			 "pcmpeqd %%xmm3, %%xmm3\n\t"
			 "pcmpeqd %%xmm4, %%xmm4\n\t"
			 "pcmpeqd %%xmm5, %%xmm5\n\t"
			 "pcmpeqd %%xmm6, %%xmm6\n\t"
			 "pcmpeqd %%xmm7, %%xmm7\n\t"
			 "pcmpeqd %%xmm8, %%xmm8\n\t"
			 "pcmpeqd %%xmm9, %%xmm9\n\t"
			 "pcmpeqd %%xmm10, %%xmm10\n\t"
			 "pcmpeqd %%xmm11, %%xmm11\n\t"
			 "pcmpeqd %%xmm12, %%xmm12\n\t"
			 "pcmpeqd %%xmm13, %%xmm13\n\t"
			 "pcmpeqd %%xmm14, %%xmm14\n\t"
			 "pcmpeqd %%xmm15, %%xmm15\n\t"
			 "mov $-1, %%rdi\n\t"
			 "mov $-1, %%rsi\n\t"
			 "mov $-1, %%rdx\n\t"
			 "mov $-1, %%r8\n\t"
			 "mov $-1, %%r9\n\t"
			 "mov $-1, %%r10\n\t"
			 "mov $-1, %%r11\n\t"
			 :
			 : "m"(mx), "m"(cw)
			 : "rdi", "rsi", "rdx", "r8", "r9", "r10", "r11", "xmm0", "xmm1", "xmm2",
			   "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
			   "xmm12", "xmm13", "xmm14", "xmm15", "memory");
}

/* out[0..15]: xmm0-15 low halves; out[16..]: rbx rbp rdi rsi rdx r8 r9 r10 r12..r15, mxcsr, fpcw */
static uint64_t out[32];

static void probe(long pid, long tid)
{
	static const uint64_t pat[16] = {
		0x1111111111111111, 0x2222222222222222, 0x3333333333333333, 0x4444444444444444,
		0x5555555555555555, 0x6666666666666666, 0x7777777777777777, 0x8888888888888888,
		0x9999999999999999, 0xaaaaaaaaaaaaaaaa, 0xbbbbbbbbbbbbbbbb, 0xcccccccccccccccc,
		0xdddddddddddddddd, 0xeeeeeeeeeeeeeeee, 0x0f0f0f0f0f0f0f0f, 0xf0f0f0f0f0f0f0f0,
	};
	/* static, not on the stack: the pushes below would hit the red zone */
	static uint64_t args[3];
	const uint64_t *pa = pat;
	uint64_t *po = out, *pg = args;

	args[0] = (uint64_t)pid;
	args[1] = (uint64_t)tid;
	args[2] = SIGUSR1;

	__asm__ volatile(
		"push %%rbx\n\t"
		"push %%rbp\n\t"
		"push %%r12\n\t"
		"push %%r13\n\t"
		"push %%r14\n\t"
		"push %%r15\n\t"
		"push %%rcx\n\t"	/* out */
		"movq 0(%%rax), %%xmm0\n\t"
		"movq 8(%%rax), %%xmm1\n\t"
		"movq 16(%%rax), %%xmm2\n\t"
		"movq 24(%%rax), %%xmm3\n\t"
		"movq 32(%%rax), %%xmm4\n\t"
		"movq 40(%%rax), %%xmm5\n\t"
		"movq 48(%%rax), %%xmm6\n\t"
		"movq 56(%%rax), %%xmm7\n\t"
		"movq 64(%%rax), %%xmm8\n\t"
		"movq 72(%%rax), %%xmm9\n\t"
		"movq 80(%%rax), %%xmm10\n\t"
		"movq 88(%%rax), %%xmm11\n\t"
		"movq 96(%%rax), %%xmm12\n\t"
		"movq 104(%%rax), %%xmm13\n\t"
		"movq 112(%%rax), %%xmm14\n\t"
		"movq 120(%%rax), %%xmm15\n\t"
		"mov $0x0101, %%ebx\n\t"
		"mov $0x0202, %%ebp\n\t"
		"mov $0x0505, %%r8d\n\t"
		"mov $0x0606, %%r9d\n\t"
		"mov $0x0707, %%r10d\n\t"
		"mov $0x0c0c, %%r12d\n\t"
		"mov $0x0d0d, %%r13d\n\t"
		"mov $0x0e0e, %%r14d\n\t"
		"mov $0x0f0f, %%r15d\n\t"
		"mov 0(%%rdx), %%rdi\n\t"
		"mov 8(%%rdx), %%rsi\n\t"
		"mov 16(%%rdx), %%rdx\n\t"
		"mov $234, %%eax\n\t"	/* tgkill(pid, tid, SIGUSR1) */
		"syscall\n\t"
		"pop %%rcx\n\t"
		"movq %%xmm0, 0(%%rcx)\n\t"
		"movq %%xmm1, 8(%%rcx)\n\t"
		"movq %%xmm2, 16(%%rcx)\n\t"
		"movq %%xmm3, 24(%%rcx)\n\t"
		"movq %%xmm4, 32(%%rcx)\n\t"
		"movq %%xmm5, 40(%%rcx)\n\t"
		"movq %%xmm6, 48(%%rcx)\n\t"
		"movq %%xmm7, 56(%%rcx)\n\t"
		"movq %%xmm8, 64(%%rcx)\n\t"
		"movq %%xmm9, 72(%%rcx)\n\t"
		"movq %%xmm10, 80(%%rcx)\n\t"
		"movq %%xmm11, 88(%%rcx)\n\t"
		"movq %%xmm12, 96(%%rcx)\n\t"
		"movq %%xmm13, 104(%%rcx)\n\t"
		"movq %%xmm14, 112(%%rcx)\n\t"
		"movq %%xmm15, 120(%%rcx)\n\t"
		"mov %%rbx, 128(%%rcx)\n\t"
		"mov %%rbp, 136(%%rcx)\n\t"
		"mov %%rdi, 144(%%rcx)\n\t"
		"mov %%rsi, 152(%%rcx)\n\t"
		"mov %%rdx, 160(%%rcx)\n\t"
		"mov %%r8, 168(%%rcx)\n\t"
		"mov %%r9, 176(%%rcx)\n\t"
		"mov %%r10, 184(%%rcx)\n\t"
		"mov %%r12, 192(%%rcx)\n\t"
		"mov %%r13, 200(%%rcx)\n\t"
		"mov %%r14, 208(%%rcx)\n\t"
		"mov %%r15, 216(%%rcx)\n\t"
		"stmxcsr 224(%%rcx)\n\t"
		"fnstcw 232(%%rcx)\n\t"
		"pop %%r15\n\t"
		"pop %%r14\n\t"
		"pop %%r13\n\t"
		"pop %%r12\n\t"
		"pop %%rbp\n\t"
		"pop %%rbx\n\t"
		: "+a"(pa), "+c"(po), "+d"(pg)
		:
		: "rdi", "rsi", "r8", "r9", "r10", "r11", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
		  "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
		  "xmm14", "xmm15", "memory");
}

int main(void)
{
	static const char *const gpr[] = { "rbx", "rbp", "rdi", "rsi", "rdx", "r8",
					   "r9",  "r10", "r12", "r13", "r14", "r15" };
	uint32_t mx;
	uint16_t cw;
	int bad = 0;

	signal(SIGUSR1, handler);
	__asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mx), "=m"(cw));
	probe(getpid(), syscall(SYS_gettid));
	say("handler ran %d time(s)", ran);
	for (int i = 0; i < 16; i++) {
		uint64_t want = 0x1111111111111111ULL * (uint64_t)(i + 1);

		if (i == 14)
			want = 0x0f0f0f0f0f0f0f0fULL;
		if (i == 15)
			want = 0xf0f0f0f0f0f0f0f0ULL;
		if (out[i] != want) {
			say("xmm%d changed", i);
			bad++;
		}
	}
	say("xmm0-15 checked");
	yes("rdi is still tgkill's pid", out[18] == (uint64_t)getpid());
	yes("rsi is still tgkill's tid", out[19] == (uint64_t)syscall(SYS_gettid));
	for (int i = 0; i < 12; i++) {
		if (i != 2 && i != 3)
			say("%s = %#llx", gpr[i], (unsigned long long)out[16 + i]);
	}
	yes("mxcsr unchanged", (uint32_t)out[28] == mx);
	yes("x87 control word unchanged", (uint16_t)out[29] == cw);
	say("xmm registers changed: %d", bad);
	return 0;
}

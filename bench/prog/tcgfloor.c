/*
 * bench/prog/tcgfloor.c: what the instructions of a system call's round
 * trip cost by themselves on this CPU (under QEMU TCG, the emulator's cost
 * of each), as the floor under Skiff's null syscall (docs/performance.md,
 * "The null syscall's floor"). Not part of `make bench`; an experiment:
 *
 *   gcc -O2 -static -mno-red-zone -o build/tcgfloor bench/prog/tcgfloor.c
 *   build/skiff run build/tcgfloor
 *
 * Skiff runs the program in ring 0, so it can execute what a user program
 * cannot: with interrupts off, it points LSTAR at a three-instruction stub
 * of its own (restore RFLAGS from R11, jump back through RCX: the least a
 * SYSCALL's return can do in ring 0, where SYSRET is not an option), times
 * SYSCALL into it, then puts Skiff's LSTAR back. Beside it: an empty
 * function's call and return, PUSHFQ+POPFQ, a same-ring IRETQ, RDTSC, and
 * getppid() through Skiff (glibc's syscall, Skiff's whole path). Natively
 * (ring 3) the privileged parts would fault: run it in Skiff only.
 * Prints "name ns" lines, each the best of 5 runs of N iterations.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define MSR_LSTAR 0xc0000082u
#define N 200000

void tf_stub(void);
void tf_empty(void);
asm(".text\n"
    ".globl tf_stub\n"
    "tf_stub:\n\tpushq %r11\n\tpopfq\n\tjmp *%rcx\n"
    ".globl tf_empty\n"
    "tf_empty:\n\tret\n");

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
		     "d"((uint32_t)(v >> 32)) : "memory");
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void loop_call(void)
{
	for (int i = 0; i < N; i++)
		asm volatile("call tf_empty" : : : "memory");
}

static void loop_pushf(void)
{
	for (int i = 0; i < N; i++)
		asm volatile("pushfq\n\tpopfq" : : : "memory");
}

static void loop_iret(void)
{
	for (int i = 0; i < N; i++)
		asm volatile("movq %%rsp, %%rdx\n\t"
			     "mov %%ss, %%eax\n\tpushq %%rax\n\t"
			     "pushq %%rdx\n\tpushfq\n\t"
			     "mov %%cs, %%eax\n\tpushq %%rax\n\t"
			     "leaq 1f(%%rip), %%rax\n\tpushq %%rax\n\t"
			     "iretq\n1:"
			     : : : "rax", "rdx", "memory");
}

static void loop_rdtsc(void)
{
	for (int i = 0; i < N; i++)
		asm volatile("rdtsc" : : : "rax", "rdx");
}

static void loop_syscall(void)
{
	uint64_t saved = rdmsr(MSR_LSTAR);

	asm volatile("cli");
	wrmsr(MSR_LSTAR, (uint64_t)tf_stub);
	for (int i = 0; i < N; i++)
		asm volatile("syscall" : : : "rcx", "r11", "memory");
	wrmsr(MSR_LSTAR, saved);
	asm volatile("sti");
}

static void loop_getppid(void)
{
	for (int i = 0; i < N; i++)
		getppid();
}

static void measure(const char *name, void (*fn)(void))
{
	double best = 0;

	fn(); /* warm-up: translation */
	for (int r = 0; r < 5; r++) {
		double t0 = now_ns();
		fn();
		double t = (now_ns() - t0) / N;
		if (!r || t < best)
			best = t;
	}
	printf("%-22s %.1f\n", name, best);
}

int main(void)
{
	measure("call_ret_ns", loop_call);
	measure("pushfq_popfq_ns", loop_pushf);
	measure("rdtsc_ns", loop_rdtsc);
	measure("iretq_same_ring_ns", loop_iret);
	measure("syscall_to_stub_ns", loop_syscall);
	measure("getppid_skiff_ns", loop_getppid);
	return 0;
}

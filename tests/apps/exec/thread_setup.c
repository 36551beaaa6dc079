/*
 * thread_setup: what a libc calls while it starts a program, through the
 * raw system calls: arch_prctl (the FS base is the thread pointer, TLS
 * works after a change and back), set_tid_address, set_robust_list,
 * get_robust_list and rseq, with the errors of each.
 */
#include <stdint.h>
#include "check.h"

#define SYS(...) syscall(__VA_ARGS__)
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

static __thread int tls_var = 1234;

/* struct rseq as rseq(2) documents it: 32 bytes, 32-byte aligned. */
struct krseq {
	uint32_t cpu_id_start, cpu_id;
	uint64_t rseq_cs;
	uint32_t flags;
	uint32_t pad[3];
} __attribute__((aligned(32)));
#define RSEQ_SIG 0x53053053

/* arch_prctl without libc: nothing may touch TLS while FS is switched */
static long raw_arch_prctl(long code, unsigned long arg)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "0"(SYS_arch_prctl), "D"(code), "S"(arg)
			 : "rcx", "r11", "memory");
	return r;
}

static void fs(void)
{
	unsigned long base = 0, self, other[64] = { 0 }, back = 0;

	SHOW(SYS(SYS_arch_prctl, ARCH_GET_FS, &base));
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	yes("  FS base is the TCB's self pointer", base == self && base != 0);
	say("  __thread variable: %d", tls_var);
	other[0] = (unsigned long)other;
	raw_arch_prctl(ARCH_SET_FS, (unsigned long)other);
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	raw_arch_prctl(ARCH_GET_FS, (unsigned long)&back);
	raw_arch_prctl(ARCH_SET_FS, base);
	yes("ARCH_SET_FS: %fs:0 reads the new block", self == (unsigned long)other);
	yes("ARCH_GET_FS returns the new base", back == (unsigned long)other);
	say("  __thread variable after restoring: %d", tls_var);
	SHOW(SYS(SYS_arch_prctl, 0x9999, &back));
	SHOW(SYS(SYS_arch_prctl, ARCH_GET_FS, NULL));
	SHOW(SYS(SYS_arch_prctl, ARCH_SET_FS, 0x800000000000UL));
}

static void tid(void)
{
	static int word, dummy;
	struct { void *next; long off; void *pending; } head = { &head, 0, NULL };
	void *got = NULL;
	size_t len = 0;

	yes("set_tid_address returns the tid",
	    SYS(SYS_set_tid_address, &word) == SYS(SYS_gettid));
	yes("set_tid_address(NULL) too", SYS(SYS_set_tid_address, NULL) == SYS(SYS_gettid));
	(void)dummy;
	SHOW(SYS(SYS_set_robust_list, &head, sizeof(head)));
	SHOW(SYS(SYS_set_robust_list, &head, sizeof(head) + 1));
	SHOW(SYS(SYS_set_robust_list, &head, 0));
	SHOW(SYS(SYS_get_robust_list, 0, &got, &len));
	yes("  get_robust_list returns what was set", got == &head && len == sizeof(head));
	SHOW(SYS(SYS_get_robust_list, 0, NULL, &len));
	SHOW(SYS(SYS_get_robust_list, 0x3fffffff, &got, &len));
}

static void rseq(void)
{
	static struct krseq rs = { .cpu_id = (uint32_t)-1 };
	long r;

	/* glibc registered its own area at startup, musl did not */
	r = SYS(SYS_rseq, &rs, sizeof(rs), 0, RSEQ_SIG);
	say("rseq register = %s", r == 0 ? "0" : errname(errno));
	if (r == 0) {
		yes("  cpu_id set by the kernel", rs.cpu_id != (uint32_t)-1);
		SHOW(SYS(SYS_rseq, &rs, sizeof(rs), 0, RSEQ_SIG));
		SHOW(SYS(SYS_rseq, &rs, sizeof(rs), 0, RSEQ_SIG + 1));
		SHOW(SYS(SYS_rseq, &rs, sizeof(rs), 1, RSEQ_SIG + 1));
		SHOW(SYS(SYS_rseq, &rs, sizeof(rs), 1, RSEQ_SIG));
		SHOW(SYS(SYS_rseq, &rs, sizeof(rs), 1, RSEQ_SIG));
	}
	SHOW(SYS(SYS_rseq, NULL, 0, 0, 0));
	SHOW(SYS(SYS_rseq, (char *)&rs + 8, sizeof(rs), 0, RSEQ_SIG));
	SHOW(SYS(SYS_rseq, &rs, sizeof(rs), 2, RSEQ_SIG));
}

int main(void)
{
	fs();
	tid();
	rseq();
	return 0;
}

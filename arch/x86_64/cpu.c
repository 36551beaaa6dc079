/*
 * arch/x86_64/cpu.c: the CPU's own tables and modes: GDT with a TSS whose
 * IST stacks take every trap, the IDT, per-CPU data behind GS, the SYSCALL
 * MSRs, and the FPU/SSE/XSAVE state the program expects.
 */
#include <skiff/arch.h>
#include <skiff/kernel.h>
#include <skiff/lib.h>
#include "cpu.h"
#include "percpu.h"

struct cpu_features cpu_feat;

struct __packed tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
};

struct __packed gate {
	u16 off_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 off_mid;
	u32 off_hi;
	u32 reserved;
};

struct __packed table_ptr {
	u16 limit;
	u64 base;
};

static u64 gdt[5] = {
	0,
	0x00af9a000000ffff, /* 0x08: kernel code, 64-bit */
	0x00cf92000000ffff, /* 0x10: kernel data */
	0, 0,               /* 0x18: TSS, filled in below */
};
static struct tss tss;
static struct gate idt[256];
static u8 ist1_stack[4096] __attribute__((aligned(16)));  /* trap entry only */
static u8 ist2_stack[16384] __attribute__((aligned(16))); /* NMI, #DF, #MC */
static struct percpu boot_cpu;
u8 fpu_initial_state[4096] __attribute__((aligned(64)));

extern const u64 isr_table[256];
extern u8 boot_stack_top[];
extern void syscall_entry(void);

static void load_gdt(void)
{
	u64 base = (u64)&tss;
	u64 limit = sizeof(tss) - 1;

	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		 (0x89ull << 40) | (((limit >> 16) & 0xf) << 48) |
		 (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;
	tss.ist[0] = (u64)ist1_stack + sizeof(ist1_stack);
	tss.ist[1] = (u64)ist2_stack + sizeof(ist2_stack);
	tss.iomap_base = sizeof(tss);

	struct table_ptr p = { sizeof(gdt) - 1, (u64)gdt };
	asm volatile("lgdt %0\n\t"
		     "pushq $0x08\n\t"
		     "leaq 1f(%%rip), %%rax\n\t"
		     "pushq %%rax\n\t"
		     "lretq\n"
		     "1:\n\t"
		     "movl $0x10, %%eax\n\t"
		     "movl %%eax, %%ds\n\t"
		     "movl %%eax, %%es\n\t"
		     "movl %%eax, %%ss\n\t"
		     "ltr %w1"
		     : : "m"(p), "r"(0x18) : "rax", "memory");
}

static void load_idt(void)
{
	for (int v = 0; v < 256; v++) {
		u64 a = isr_table[v];
		bool fatal = v == 2 || v == 8 || v == 18;
		idt[v] = (struct gate){
			.off_lo = a & 0xffff,
			.selector = 0x08,
			.ist = fatal ? 2 : 1,
			.type_attr = 0x8e, /* present, DPL 0, interrupt gate */
			.off_mid = (a >> 16) & 0xffff,
			.off_hi = a >> 32,
		};
	}
	struct table_ptr p = { sizeof(idt) - 1, (u64)idt };
	asm volatile("lidt %0" : : "m"(p));
}

static void detect_features(void)
{
	u32 r[4];

	cpuid(1, 0, r);
	cpu_feat.xsave = r[2] & (1u << 26);
	cpu_feat.rdrand = r[2] & (1u << 30);
	cpu_feat.tsc_deadline = r[2] & (1u << 24);
	cpu_feat.x2apic = r[2] & (1u << 21);
	cpu_feat.pcid = r[2] & (1u << 17);
	cpuid(7, 0, r);
	cpu_feat.fsgsbase = r[1] & 1;
	cpu_feat.rdseed = r[1] & (1u << 18);
	cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000007) {
		cpuid(0x80000007, 0, r);
		cpu_feat.invariant_tsc = r[3] & (1u << 8);
	}
}

/* SSE always; XSAVE with x87, SSE, AVX and AVX-512 state where present. */
static void enable_fpu(void)
{
	u64 cr0, cr4;

	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 = (cr0 & ~(1ull << 2)) | (1ull << 1) | (1ull << 5); /* -EM +MP +NE */
	asm volatile("mov %0, %%cr0" : : "r"(cr0));
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= (1ull << 9) | (1ull << 10); /* OSFXSR, OSXMMEXCPT */
	if (cpu_feat.xsave)
		cr4 |= 1ull << 18;
	if (cpu_feat.fsgsbase)
		cr4 |= 1ull << 16;
	if (cpu_feat.pcid) /* CR3 holds PCID 0 now, as setting it requires */
		cr4 |= 1ull << 17;
	asm volatile("mov %0, %%cr4" : : "r"(cr4));

	if (cpu_feat.xsave) {
		u32 r[4];
		cpuid(0xd, 0, r);
		cpu_feat.xcr0 = r[0] & 0xe7; /* x87 SSE AVX opmask ZMM */
		asm volatile("xsetbv" : : "c"(0), "a"((u32)cpu_feat.xcr0),
			     "d"((u32)(cpu_feat.xcr0 >> 32)));
		cpuid(0xd, 0, r);
		cpu_feat.xsave_size = r[1];
	} else {
		cpu_feat.xsave_size = 512;
	}
	if (cpu_feat.xsave_size > sizeof(fpu_initial_state))
		panic("XSAVE area of %u bytes is too large", cpu_feat.xsave_size);
	/* The state a new program thread starts with. */
	u32 mxcsr = 0x1f80;
	asm volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
	fpu_save(fpu_initial_state);
}

void fpu_save(void *area)
{
	if (cpu_feat.xsave)
		asm volatile("xsave64 (%0)" : : "r"(area), "a"(~0u), "d"(~0u)
			     : "memory");
	else
		asm volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

void fpu_restore(const void *area)
{
	if (cpu_feat.xsave)
		asm volatile("xrstor64 (%0)" : : "r"(area), "a"(~0u), "d"(~0u)
			     : "memory");
	else
		asm volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

bool cpu_on_ist_stack(u64 sp)
{
	return (sp > (u64)ist1_stack && sp <= (u64)ist1_stack + sizeof(ist1_stack)) ||
	       (sp > (u64)ist2_stack && sp <= (u64)ist2_stack + sizeof(ist2_stack));
}

void percpu_init(struct percpu *p)
{
	p->self = p;
	p->kstack_top = (u64)boot_stack_top;
	p->kstack_base = p->kstack_top - KSTACK_SIZE;
	wrmsr(MSR_GS_BASE, (u64)p);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

static void enable_syscall(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1); /* SCE */
	wrmsr(MSR_STAR, 0x08ull << 32);       /* SYSCALL: CS 0x08, SS 0x10 */
	wrmsr(MSR_LSTAR, (u64)syscall_entry);
	/* Clear DF, TF, AC on entry; IF stays (entry.S says why). */
	wrmsr(MSR_FMASK, (1u << 10) | (1u << 8) | (1u << 18));
}

void cpu_init(void)
{
	detect_features();
	load_gdt();
	load_idt();
	percpu_init(&boot_cpu);
	enable_fpu();
	enable_syscall();
}

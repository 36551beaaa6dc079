/*
 * arch/x86_64/cpu.c: the CPU's own tables and modes: GDT with a TSS whose
 * IST stacks take every trap, the IDT, per-CPU data behind GS, the SYSCALL
 * MSRs, and the FPU/SSE/XSAVE state the program expects.
 */
#include <skiff/arch.h>
#include <skiff/kernel.h>
#include <skiff/errno.h>
#include <skiff/lib.h>
#include <skiff/mm.h>
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

/* One CPU's GDT, TSS and IST stacks (the boot CPU's are static). */
struct cpu_tables {
	u64 gdt[5];
	struct tss tss;
	u8 *ist1;	/* IST1_SIZE bytes: trap entry only */
	u8 *ist2;	/* IST2_SIZE bytes: NMI, #DF, #MC */
};
#define IST1_SIZE 4096
#define IST2_SIZE 16384

static const u64 gdt_template[5] = {
	0,
	0x00af9a000000ffff, /* 0x08: kernel code, 64-bit */
	0x00cf92000000ffff, /* 0x10: kernel data */
	0, 0,               /* 0x18: TSS, filled in below */
};
static u8 ist1_stack[IST1_SIZE] __attribute__((aligned(16)));
static u8 ist2_stack[IST2_SIZE] __attribute__((aligned(16)));
static struct cpu_tables boot_tables = { .ist1 = ist1_stack, .ist2 = ist2_stack };
static struct cpu_tables *tables[CPU_MAX] = { &boot_tables };
static struct gate idt[256];
static struct percpu boot_cpu;
u8 fpu_initial_state[4096] __attribute__((aligned(64)));

extern const u64 isr_table[256];
extern u8 boot_stack_top[];
extern void syscall_entry(void);

static void load_gdt(struct cpu_tables *ct)
{
	u64 base = (u64)&ct->tss;
	u64 limit = sizeof(ct->tss) - 1;

	memcpy(ct->gdt, gdt_template, sizeof(ct->gdt));
	ct->gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		     (0x89ull << 40) | (((limit >> 16) & 0xf) << 48) |
		     (((base >> 24) & 0xff) << 56);
	ct->gdt[4] = base >> 32;
	ct->tss.ist[0] = (u64)ct->ist1 + IST1_SIZE;
	ct->tss.ist[1] = (u64)ct->ist2 + IST2_SIZE;
	ct->tss.iomap_base = sizeof(ct->tss);

	struct table_ptr p = { sizeof(ct->gdt) - 1, (u64)ct->gdt };
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

static void fill_idt(void)
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
}

static void load_idt(void)
{
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

/* CR0, CR4 (and XCR0 once known) as cpu_feat says: every CPU alike. */
static void set_modes(void)
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
	if (cpu_feat.xcr0)
		asm volatile("xsetbv" : : "c"(0), "a"((u32)cpu_feat.xcr0),
			     "d"((u32)(cpu_feat.xcr0 >> 32)));
}

/* SSE always; XSAVE with x87, SSE, AVX and AVX-512 state where present. */
static void enable_fpu(void)
{
	set_modes();
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
	const struct cpu_tables *ct = tables[this_cpu()->cpu_id];

	return (sp > (u64)ct->ist1 && sp <= (u64)ct->ist1 + IST1_SIZE) ||
	       (sp > (u64)ct->ist2 && sp <= (u64)ct->ist2 + IST2_SIZE);
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
	load_gdt(&boot_tables);
	fill_idt();
	load_idt();
	percpu_init(&boot_cpu);
	enable_fpu();
	enable_syscall();
}

int cpu_init_ap(struct percpu *p)
{
	struct cpu_tables *ct = kzalloc(sizeof(*ct));

	if (!ct)
		return -ENOMEM;
	ct->ist1 = page_alloc(IST1_SIZE / PAGE_SIZE);
	ct->ist2 = page_alloc(IST2_SIZE / PAGE_SIZE);
	if (!ct->ist1 || !ct->ist2)
		return -ENOMEM; /* a CPU not started: its pages stay */
	tables[p->cpu_id] = ct;
	return 0;
}

void cpu_start_ap(struct percpu *p)
{
	load_gdt(tables[p->cpu_id]);
	load_idt();
	wrmsr(MSR_GS_BASE, (u64)p);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	set_modes();
	enable_syscall();
}

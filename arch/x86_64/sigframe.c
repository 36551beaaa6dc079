/*
 * arch/x86_64/sigframe.c: the signal frame of Linux x86_64 and the
 * register conversions around it (interface: include/skiff/frame.h).
 *
 * A handler gets, below the interrupted stack pointer (past the 128-byte
 * red zone, or at the top of its alternate stack), an XSAVE area aligned
 * to 64 and under it struct rt_sigframe: the restorer's address where the
 * handler's RET finds it, the ucontext with the saved registers, and the
 * siginfo. glibc and musl read that ucontext (getcontext-style code,
 * uc_mcontext.gregs) and rt_sigreturn reads it back. Everything is built
 * in kernel memory and copied out with the uaccess routines, so another
 * thread unmapping the stack gives -EFAULT, never a kernel fault; on the
 * way back the FPU state is copied in and checked before XRSTOR sees it.
 * Layer: arch.
 */
#include <skiff/arch.h>
#include <skiff/errno.h>
#include <skiff/frame.h>
#include <skiff/lib.h>
#include <skiff/alloc.h>
#include <skiff/uaccess.h>
#include "cpu.h"

struct rt_sigframe {
	u64 pretcode; /* sa_restorer: the handler returns into it */
	struct sig_ucontext uc;
	u8 info[SIGINFO_SIZE];
};

#define RED_ZONE 128
#define EFLAGS_USER 0x40dd5ull /* CF PF AF ZF SF TF DF OF AC */
#define EFLAGS_FIXED 0x202ull  /* IF, and bit 1 */
#define EFLAGS_TF 0x100ull
#define EFLAGS_DF 0x400ull
#define KERNEL_CS 0x08
#define KERNEL_SS 0x10

void sigctx_from_syscall(const struct syscall_frame *f, struct sig_context *mc)
{
	*mc = (struct sig_context){
		.r8 = f->r8, .r9 = f->r9, .r10 = f->r10, .r11 = f->r11,
		.r12 = f->r12, .r13 = f->r13, .r14 = f->r14, .r15 = f->r15,
		.rdi = f->rdi, .rsi = f->rsi, .rbp = f->rbp, .rbx = f->rbx,
		.rdx = f->rdx, .rax = f->rax, .rcx = f->rcx, .rsp = f->rsp,
		.rip = f->rcx, .eflags = f->r11, .cs = KERNEL_CS, .ss = KERNEL_SS,
	};
}

void sigctx_from_trap(const struct trap_frame *f, u64 fault_addr,
		      struct sig_context *mc)
{
	*mc = (struct sig_context){
		.r8 = f->r8, .r9 = f->r9, .r10 = f->r10, .r11 = f->r11,
		.r12 = f->r12, .r13 = f->r13, .r14 = f->r14, .r15 = f->r15,
		.rdi = f->rdi, .rsi = f->rsi, .rbp = f->rbp, .rbx = f->rbx,
		.rdx = f->rdx, .rax = f->rax, .rcx = f->rcx, .rsp = f->rsp,
		.rip = f->rip, .eflags = f->rflags, .cs = KERNEL_CS,
		.ss = KERNEL_SS, .err = f->error, .trapno = f->vector,
		.cr2 = f->vector == 14 ? fault_addr : 0,
	};
}

static u64 program_eflags(u64 eflags)
{
	/* The program may change the arithmetic flags, DF, TF and AC. */
	return (eflags & EFLAGS_USER) | EFLAGS_FIXED;
}

void sigctx_to_trap(const struct sig_context *mc, struct trap_frame *f)
{
	f->r8 = mc->r8; f->r9 = mc->r9; f->r10 = mc->r10; f->r11 = mc->r11;
	f->r12 = mc->r12; f->r13 = mc->r13; f->r14 = mc->r14; f->r15 = mc->r15;
	f->rdi = mc->rdi; f->rsi = mc->rsi; f->rbp = mc->rbp; f->rbx = mc->rbx;
	f->rdx = mc->rdx; f->rax = mc->rax; f->rcx = mc->rcx; f->rsp = mc->rsp;
	f->rip = mc->rip;
	f->rflags = program_eflags(mc->eflags);
	f->cs = KERNEL_CS;
	f->ss = KERNEL_SS;
}

/* SYSCALL's exit takes RIP from RCX and RFLAGS from R11: those two
 * registers cannot come back as they were (Linux's SYSRET path alike). */
void sigctx_to_syscall(const struct sig_context *mc, struct syscall_frame *f)
{
	f->r8 = mc->r8; f->r9 = mc->r9; f->r10 = mc->r10;
	f->r12 = mc->r12; f->r13 = mc->r13; f->r14 = mc->r14; f->r15 = mc->r15;
	f->rdi = mc->rdi; f->rsi = mc->rsi; f->rbp = mc->rbp; f->rbx = mc->rbx;
	f->rdx = mc->rdx; f->rax = mc->rax; f->rsp = mc->rsp;
	f->rcx = mc->rip;
	f->r11 = program_eflags(mc->eflags);
}

void sigctx_restart_syscall(struct sig_context *mc, long nr)
{
	mc->rax = nr;
	mc->rip -= 2; /* the SYSCALL instruction */
	mc->rcx = mc->rip;
}

/* A kernel buffer for an XSAVE image: 64-byte aligned inside *raw. */
static void *fpu_buffer(void **raw)
{
	*raw = kmalloc(cpu_feat.xsave_size + 63);
	return *raw ? (void *)ALIGN_UP((u64)*raw, 64) : NULL;
}

/* Saves the FPU state into the program's frame at fpstate. */
static int push_fpu(u64 fpstate)
{
	void *raw, *buf = fpu_buffer(&raw);
	int r;

	if (!buf)
		return -ENOMEM;
	/* XSAVE leaves bytes 8-63 of the header alone: clear them, as
	 * Linux does, or stale bytes fail rt_sigreturn's check. */
	memset(buf, 0, cpu_feat.xsave_size);
	fpu_save(buf);
	r = copy_to_user((void *)fpstate, buf, cpu_feat.xsave_size);
	kfree(raw);
	return r;
}

int sigframe_push(struct sig_context *mc, const struct sigframe_setup *s)
{
	struct rt_sigframe fr;
	u64 top = s->altstack ? s->sp : s->sp - RED_ZONE;
	u64 fpstate = ALIGN_DOWN(top - cpu_feat.xsave_size, 64);
	u64 frame_at = ALIGN_DOWN(fpstate - sizeof(fr), 16) - 8;

	if (frame_at >= top || push_fpu(fpstate))
		return -EFAULT;
	memset(&fr, 0, sizeof(fr));
	fr.pretcode = s->restorer;
	memcpy(fr.info, s->info, SIGINFO_SIZE);
	fr.uc.stack = s->stack;
	fr.uc.mc = *mc;
	fr.uc.mc.fpstate = fpstate;
	fr.uc.sigmask = s->sigmask;
	if (copy_to_user((void *)frame_at, &fr, sizeof(fr)))
		return -EFAULT;

	/* The handler's registers: f(sig, &info, &uc), returning to pretcode. */
	struct rt_sigframe *ufr = (void *)frame_at;
	mc->rip = s->handler;
	mc->rsp = frame_at;
	mc->rdi = s->sig;
	mc->rsi = (u64)&ufr->info;
	mc->rdx = (u64)&ufr->uc;
	mc->rax = 0;
	mc->eflags &= ~(EFLAGS_DF | EFLAGS_TF);
	return 0;
}

/* An XSAVE image the program gave back must not make XRSTOR fault. */
static bool fpu_image_ok(const u8 *a)
{
	u32 mxcsr;
	u64 hdr[8];

	memcpy(&mxcsr, a + 24, 4);
	if (mxcsr & ~0xffffu)
		return false;
	if (!cpu_feat.xsave)
		return true;
	memcpy(hdr, a + 512, sizeof(hdr));
	if (hdr[0] & ~cpu_feat.xcr0 || hdr[1])
		return false;
	for (int i = 2; i < 8; i++)
		if (hdr[i])
			return false;
	return true;
}

static int pop_fpu(u64 fpstate)
{
	void *raw, *buf;
	int r = -EFAULT;

	if (fpstate & 63)
		return -EFAULT;
	buf = fpu_buffer(&raw);
	if (!buf)
		return -ENOMEM;
	if (!copy_from_user(buf, (const void *)fpstate, cpu_feat.xsave_size) &&
	    fpu_image_ok(buf)) {
		u64 flags = irq_save();
		fpu_restore(buf);
		irq_restore(flags);
		r = 0;
	}
	kfree(raw);
	return r;
}

int sigframe_pop(u64 rsp, struct sig_ucontext *uc)
{
	const struct rt_sigframe *fr = (const void *)(rsp - 8);

	if (copy_from_user(uc, &fr->uc, sizeof(*uc)))
		return -EFAULT;
	if (uc->mc.fpstate && pop_fpu(uc->mc.fpstate))
		return -EFAULT;
	return 0;
}

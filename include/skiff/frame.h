/*
 * The program's registers as the x86_64 entries save them, and the Linux
 * signal frame built from them. Layer: arch (arch/x86_64/entry.S,
 * trap.c, sigframe.c); the public side for the layers above.
 *
 * Interface:
 *  - struct trap_frame, struct syscall_frame: what entry.S pushes for a
 *    trap and for SYSCALL (layouts shared with assembly, asserted below).
 *  - struct sig_context / sig_ucontext / sig_stack: Linux x86_64's
 *    struct sigcontext, ucontext and stack_t (glibc's mcontext_t reads
 *    them): sigctx_* convert between them and the entry frames.
 *  - sigframe_push / sigframe_pop: the rt_sigframe on the program's stack.
 *  - Upward calls. arch calls the ABI layer only through:
 *      syscall_handler(), implemented by linux/syscall.c (entry.S calls it
 *      for every SYSCALL), syscall_invoke() (linux/table.c), and
 *      the struct trap_signal_ops that linux/ registers at boot with
 *      trap_set_signal_ops() (program exceptions, signal delivery after an
 *      interrupt, rseq restarts after preemption).
 */
#ifndef SKIFF_FRAME_H
#define SKIFF_FRAME_H

#include <skiff/types.h>

/* What entry.S saves for an interrupt or exception (PUSH_GPRS order). */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx,
		rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap_frame: entry.S");
_Static_assert(offsetof(struct trap_frame, rax) == 14 * 8, "PUSH_GPRS order");
_Static_assert(offsetof(struct trap_frame, rip) == 17 * 8, "iret frame");

/* What syscall_entry (entry.S) pushes on the thread's kernel stack. */
struct syscall_frame {
	u64 r15, r14, r13, r12, rbp, rbx;
	u64 r9, r8, r10, rdx, rsi, rdi;
	u64 rax; /* syscall number in, return value out */
	u64 rcx; /* the program's RIP after SYSCALL */
	u64 r11; /* the program's RFLAGS */
	u64 rsp; /* the program's stack pointer */
};
/* syscall_entry pushes rsp first and r15 last; clone_return pops it all. */
#define SYSCALL_FRAME_CHECK(field, slot)                                 \
	_Static_assert(offsetof(struct syscall_frame, field) == (slot) * 8, \
		       "syscall_frame." #field " must match entry.S")
SYSCALL_FRAME_CHECK(r15, 0);
SYSCALL_FRAME_CHECK(r14, 1);
SYSCALL_FRAME_CHECK(r13, 2);
SYSCALL_FRAME_CHECK(r12, 3);
SYSCALL_FRAME_CHECK(rbp, 4);
SYSCALL_FRAME_CHECK(rbx, 5);
SYSCALL_FRAME_CHECK(r9, 6);
SYSCALL_FRAME_CHECK(r8, 7);
SYSCALL_FRAME_CHECK(r10, 8);
SYSCALL_FRAME_CHECK(rdx, 9);
SYSCALL_FRAME_CHECK(rsi, 10);
SYSCALL_FRAME_CHECK(rdi, 11);
SYSCALL_FRAME_CHECK(rax, 12);
SYSCALL_FRAME_CHECK(rcx, 13);
SYSCALL_FRAME_CHECK(r11, 14);
SYSCALL_FRAME_CHECK(rsp, 15);
_Static_assert(sizeof(struct syscall_frame) == 16 * 8,
	       "syscall_exit pops a syscall_frame of 16 words");
#undef SYSCALL_FRAME_CHECK

/* stack_t */
struct sig_stack {
	u64 sp;
	s32 flags, pad;
	u64 size;
};

/* Linux x86_64's struct sigcontext (the uc_mcontext of a signal frame). */
struct sig_context {
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	u16 cs, gs, fs, ss;
	u64 err, trapno, oldmask, cr2;
	u64 fpstate; /* address of the XSAVE area */
	u64 reserved1[8];
};
_Static_assert(sizeof(struct sig_context) == 256, "struct sigcontext");

/* The kernel's struct ucontext. */
struct sig_ucontext {
	u64 flags;
	u64 link;
	struct sig_stack stack;
	struct sig_context mc;
	u64 sigmask;
};
_Static_assert(offsetof(struct sig_ucontext, mc) == 40, "uc_mcontext");
_Static_assert(offsetof(struct sig_ucontext, sigmask) == 296, "uc_sigmask");

#define SIGINFO_SIZE 128

/* Register conversions (arch/x86_64/sigframe.c). */
void sigctx_from_syscall(const struct syscall_frame *f, struct sig_context *mc);
/* fault_addr: the page-fault address, saved as cr2 for a #PF frame. */
void sigctx_from_trap(const struct trap_frame *f, u64 fault_addr,
		      struct sig_context *mc);
/* Back into a frame: only the flags a program may change are taken. */
void sigctx_to_syscall(const struct sig_context *mc, struct syscall_frame *f);
void sigctx_to_trap(const struct sig_context *mc, struct trap_frame *f);
/* Makes mc re-run the system call nr that it returned from. */
void sigctx_restart_syscall(struct sig_context *mc, long nr);

/* What a handler is started with. */
struct sigframe_setup {
	int sig;
	u64 handler, restorer;     /* sa_handler, sa_restorer */
	const void *info;          /* siginfo_t, SIGINFO_SIZE bytes */
	u64 sigmask;               /* the mask rt_sigreturn puts back */
	struct sig_stack stack;    /* uc_stack: the alternate stack */
	u64 sp;                    /* the interrupted stack pointer, or */
	bool altstack;             /* true: the top of the alternate stack */
};

/*
 * Saves mc, the FPU state, siginfo and ucontext in an rt_sigframe below
 * s->sp (past the red zone unless on the alternate stack; copied to program memory with the uaccess routines) and makes mc
 * the handler's registers: handler(sig, &info, &uc) returning to restorer.
 * 0, or -EFAULT when the stack cannot take the frame (mc untouched).
 * Process context with interrupts on; the FPU state is the current one.
 */
int sigframe_push(struct sig_context *mc, const struct sigframe_setup *s);

/*
 * rt_sigreturn's half: reads the frame a handler returned from (its RSP is
 * rsp, after the restorer's return address was popped) into *uc and loads
 * its FPU state (validated first: XRSTOR must not fault). 0, or -EFAULT
 * when the frame or its FPU state is unreadable or invalid.
 */
int sigframe_pop(u64 rsp, struct sig_ucontext *uc);

/* Jumps to the program at rip with stack rsp; never returns (entry.S). */
void enter_program(u64 rip, u64 rsp, u64 rflags) __noreturn;
/* Leaves for the program through f (entry.S). Interrupts off. */
void trap_return(struct trap_frame *f) __noreturn;
/* A new program thread's way out of its parent's syscall (entry.S). */
void clone_return(struct syscall_frame *f) __noreturn;

/* The ABI layer's system call entry: entry.S calls it for every SYSCALL. */
void syscall_handler(struct syscall_frame *f);
/*
 * Implemented by linux/table.c: runs Linux syscall nr with its first three
 * arguments, as the SYSCALL entry would (the vsyscall page's emulation in
 * trap.c). May sleep.
 */
long syscall_invoke(unsigned long nr, u64 a0, u64 a1, u64 a2);

/* What the ABI layer does for traps, registered at boot. */
struct trap_signal_ops {
	/* A program exception: run the handler of sig (si_code code,
	 * si_addr addr) now, or end the program. */
	void (*fault)(struct trap_frame *f, int sig, int code, u64 addr);
	/* On the way back to program code after an interrupt. */
	void (*deliver)(struct trap_frame *f);
	/* The thread was preempted in program code at *rip (rseq). */
	void (*preempted)(u64 *rip);
};
/* Registers ops (kept, not copied). Before it, program traps are fatal. */
void trap_set_signal_ops(const struct trap_signal_ops *ops);

#endif

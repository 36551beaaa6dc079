/*
 * arch/x86_64/uaccess.S: copies with program memory on one side that give
 * -EFAULT instead of a kernel fault when a page cannot be there (another
 * thread unmapped it after the syscall's check, or a file mapping lies past
 * the end of its file). A fault at an instruction in [uaccess_begin,
 * uaccess_end) resumes at uaccess_fixup (arch/x86_64/trap.c), which returns
 * -EFAULT from the function: they are leaves with nothing on the stack.
 *
 *   int uaccess_copy(void *dst, const void *src, size_t n);
 *   int uaccess_zero(void *dst, size_t n);
 *   s64 uaccess_load32(const u32 *p);
 *   s64 uaccess_cmpxchg32(u32 *p, u32 old, u32 new);
 * The last two return the 32-bit word read (zero-extended) or -EFAULT.
 */
	.text
	.globl uaccess_copy, uaccess_zero, uaccess_load32, uaccess_cmpxchg32
	.globl uaccess_begin, uaccess_end, uaccess_fixup
uaccess_begin:
uaccess_copy:
	movq %rdx, %rcx
	shrq $3, %rcx
	rep movsq		/* eight bytes at a time: TCG emulates each iteration */
	movq %rdx, %rcx
	andq $7, %rcx
	rep movsb
	xorl %eax, %eax
	ret

uaccess_zero:
	movq %rsi, %rdx
	movq %rsi, %rcx
	shrq $3, %rcx
	xorl %eax, %eax
	rep stosq
	movq %rdx, %rcx
	andq $7, %rcx
	rep stosb
	ret

uaccess_load32:
	movl (%rdi), %eax	/* zero-extends into %rax */
	ret

uaccess_cmpxchg32:
	movl %esi, %eax
	lock cmpxchgl %edx, (%rdi)	/* %eax: the word it found */
	ret
uaccess_end:

uaccess_fixup:
	movq $-14, %rax		/* -EFAULT, as int or s64 */
	ret

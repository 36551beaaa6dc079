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
 */
	.text
	.globl uaccess_copy, uaccess_zero, uaccess_begin, uaccess_end, uaccess_fixup
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
uaccess_end:

uaccess_fixup:
	movl $-14, %eax		/* -EFAULT */
	ret

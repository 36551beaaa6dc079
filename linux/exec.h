/*
 * The ELF loader (linux/exec.c), shared by the boot (exec_program) and by
 * execve/execveat (linux/execve.c). Layer: Linux ABI, private to linux/.
 *
 * Loading a program is two steps, so that execve can return an errno with
 * the old program intact for every bad input:
 *   exec_prepare  reads and checks the headers of the program and of its
 *                 interpreter (PT_INTERP), opening the interpreter; maps
 *                 nothing, changes nothing;
 *   exec_map      maps both into the current address space (empty: a new
 *                 one, or the boot's) and builds the initial stack: argv,
 *                 envp and the auxiliary vector (System V x86-64 ABI 3.4.1).
 * exec_release frees what exec_prepare holds (after exec_map, or instead).
 */
#ifndef LINUX_EXEC_H
#define LINUX_EXEC_H

#include <skiff/elf.h>
#include <skiff/types.h>

struct file;

/* One ELF file, checked. */
struct exec_elf {
	struct file *file;    /* a reference */
	struct elf_info info;
	u8 *phdrs;            /* kmalloc'd program header table */
	u64 bias;             /* added to every p_vaddr (set by exec_map) */
	u64 phdr;             /* address of the loaded program headers */
};

/* A program ready to map: its ELF and its interpreter's (interp.file NULL:
 * a static program). */
struct exec_prog {
	struct exec_elf main, interp;
	bool in_interp;       /* exec_prepare failed on the interpreter */
};

/* The strings a program starts with: NUL-terminated, back to back. */
struct exec_strings {
	char *args;
	size_t args_len;
	char *env;
	size_t env_len;
};

/*
 * Reads and checks f's ELF headers, then opens and checks its interpreter
 * (its PT_INTERP path, relative to the working directory when relative).
 * Takes over the reference to f (released by exec_release, even on
 * failure). exec_perm: the interpreter must be a regular file with an x
 * bit, as execve's open does (-EACCES); the boot does not ask it.
 * 0, -ENOEXEC (*why says why), or the interpreter's open error (-ENOENT,
 * -EACCES, ...), -ENOMEM, -EIO. With exec_perm a bad interpreter is
 * -ELIBBAD (-EIO when shorter than an ELF header), as execve's. Maps
 * nothing. May sleep.
 */
int exec_prepare(struct exec_prog *p, struct file *f, bool exec_perm,
		 const char **why);

/*
 * Maps p into the current address space, which must be empty, sets the
 * break after the program, and builds the stack with s's strings and
 * execfn (AT_EXECFN); hands auxv to /proc (proc_set_auxv). Returns the
 * first instruction (the interpreter's entry for a dynamic program) in
 * *entry and the initial stack pointer in *sp. 0, -ENOMEM, or an error
 * from mapping a segment. May sleep.
 */
int exec_map(struct exec_prog *p, const struct exec_strings *s,
	     const char *execfn, u64 *entry, u64 *sp);

/* Drops what exec_prepare took (files, tables). */
void exec_release(struct exec_prog *p);

/* Whether f is a regular file with an x bit (what execve runs): 0 or -EACCES. */
int exec_permission(struct file *f);

/* The count of strings in a buffer of NUL-terminated strings. */
size_t exec_count_strings(const char *buf, size_t len);

#endif

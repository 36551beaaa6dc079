/*
 * execve's arguments and `#!` scripts (linux/execargs.c), for
 * linux/execve.c. Layer: Linux ABI, private to linux/.
 */
#ifndef LINUX_EXECVE_H
#define LINUX_EXECVE_H

#include "exec.h"

/* What exec_args_copy brought in, and the room left for strings. */
struct exec_args {
	struct exec_strings s; /* argv's and envp's strings (kmalloc'd) */
	size_t limit;          /* bytes the strings may take in all */
	size_t used;           /* taken: the file name, envp, argv */
};

/*
 * Copies the program's argv and envp (either may be NULL: none) into
 * a->s, counting filename (AT_EXECFN) against the limits too. An empty
 * argv becomes { "" }, as Linux's. 0, -EFAULT, -E2BIG, -ENOMEM; on error
 * exec_args_free still frees what was copied.
 */
int exec_args_copy(struct exec_args *a, const char *filename,
		   char *const *uargv, char *const *uenvp);
void exec_args_free(struct exec_args *a);

/* The bytes of a file that its first line is read from (BINPRM_BUF_SIZE). */
#define EXEC_BUF_SIZE 256

/*
 * Parses a `#!` line in buf (EXEC_BUF_SIZE bytes, zeros after the file's
 * end), as Linux: the interpreter's name and at most one argument (the
 * rest of the line, inner spaces kept), both NUL-terminated inside buf.
 * -ENOEXEC when buf is not a script or names no interpreter (or a name
 * cut by the end of buf).
 */
int exec_script_parse(char *buf, char **name, char **arg);

/*
 * A script's arguments: argv[0] replaced by name, arg (may be NULL) and
 * script, the path the script was run by. 0, -E2BIG, -ENOMEM.
 */
int exec_args_script(struct exec_args *a, const char *name, const char *arg,
		     const char *script);

#endif

/* SOURCES: linux/execargs.c lib/printf.c lib/strconv.c */
/*
 * execve's argument copy and `#!` parsing (linux/execargs.c) on the host:
 * Linux's E2BIG limits (MAX_ARG_STRLEN, a quarter of RLIMIT_STACK with
 * its floor), an empty argv becoming { "" }, EFAULT for a bad pointer,
 * and the #! line split as binfmt_script does, buffer end cases included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>
#include <skiff/errno.h>
#include <skiff/mm.h>
#include "../../linux/execve.h"
#include "../../linux/lproc.h"

static struct linux_process lp;
static struct process proc = { .abi = &lp };
static char bad[64]; /* a "program address" that faults */

struct process *process_current(void) { return &proc; }

static bool is_bad(const void *p)
{
	return (const char *)p >= bad && (const char *)p < bad + sizeof(bad);
}

int copy_from_user(void *dst, const void *src, size_t n)
{
	if (is_bad(src))
		return -EFAULT;
	memcpy(dst, src, n);
	return 0;
}

/* Only strings are asked about: each is mapped up to its NUL. */
u64 vm_mapped_end(u64 addr, int prot)
{
	(void)prot;
	return is_bad((void *)addr) ? addr : addr + strlen((char *)addr) + 1;
}

static int setup(void **state)
{
	(void)state;
	lp.limits[RLIMIT_STACK].cur = 8 << 20;
	return 0;
}

static void test_copy(void **state)
{
	struct exec_args a;
	char *argv[] = { "prog", "one", NULL }, *envp[] = { "A=1", NULL };

	assert_int_equal(exec_args_copy(&a, "/bin/prog", argv, envp), 0);
	assert_int_equal(a.s.args_len, 9);
	assert_memory_equal(a.s.args, "prog\0one\0", 9);
	assert_int_equal(a.s.env_len, 4);
	assert_int_equal(a.used, 10 + 9 + 4);
	assert_int_equal(a.limit, (2 << 20) - 3 * 8);
	exec_args_free(&a);
	/* no argv: { "" }, as Linux since 5.18 */
	assert_int_equal(exec_args_copy(&a, "p", NULL, NULL), 0);
	assert_int_equal(a.s.args_len, 1);
	assert_int_equal(a.s.args[0], '\0');
	assert_int_equal(a.s.env_len, 0);
	exec_args_free(&a);
}

static void test_limits(void **state)
{
	struct exec_args a;
	size_t max = 32 * 4096;
	char *big = malloc(max + 1);
	char *argv[] = { "p", big, NULL };

	memset(big, 'x', max);
	big[max] = '\0'; /* max bytes and the NUL: one too many */
	assert_int_equal(exec_args_copy(&a, "p", argv, NULL), -E2BIG);
	exec_args_free(&a);
	big[max - 1] = '\0';
	assert_int_equal(exec_args_copy(&a, "p", argv, NULL), 0);
	exec_args_free(&a);
	/* RLIMIT_STACK 256 KiB: 64 KiB, but never below the 128 KiB floor */
	lp.limits[RLIMIT_STACK].cur = 256 << 10;
	assert_int_equal(exec_args_copy(&a, "p", argv, NULL), -E2BIG);
	exec_args_free(&a);
	big[(128 << 10) - 64] = '\0';
	assert_int_equal(exec_args_copy(&a, "p", argv, NULL), 0);
	assert_int_equal(a.limit, (128 << 10) - 2 * 8);
	exec_args_free(&a);
	lp.limits[RLIMIT_STACK].cur = 8 << 20;
	free(big);
}

static void test_efault(void **state)
{
	struct exec_args a;
	char *argv[] = { "p", bad, NULL };

	assert_int_equal(exec_args_copy(&a, "p", (char **)bad, NULL), -EFAULT);
	exec_args_free(&a);
	assert_int_equal(exec_args_copy(&a, "p", argv, NULL), -EFAULT);
	exec_args_free(&a);
	assert_int_equal(exec_args_copy(&a, "p", NULL, argv), -EFAULT);
	exec_args_free(&a);
}

/* Parses line (zeros after it, as a short file reads) into name and arg. */
static int parse(const char *line, size_t len, char **name, char **arg,
		 char *buf)
{
	memset(buf, 0, EXEC_BUF_SIZE);
	memcpy(buf, line, len);
	return exec_script_parse(buf, name, arg);
}

static void test_script_parse(void **state)
{
	char buf[EXEC_BUF_SIZE], *name, *arg;
	char full[EXEC_BUF_SIZE];

	assert_int_equal(parse("#!/bin/sh\nx", 11, &name, &arg, buf), 0);
	assert_string_equal(name, "/bin/sh");
	assert_null(arg);
	assert_int_equal(parse("#! \t/bin/sh  -e  x \t\n", 21, &name, &arg, buf), 0);
	assert_string_equal(name, "/bin/sh");
	assert_string_equal(arg, "-e  x");
	assert_int_equal(parse("#!\n", 3, &name, &arg, buf), -ENOEXEC);
	assert_int_equal(parse("#! \t \n", 6, &name, &arg, buf), -ENOEXEC);
	assert_int_equal(parse("#/bin/sh\n", 9, &name, &arg, buf), -ENOEXEC);
	/* no newline in a short file: the zeros end the line */
	assert_int_equal(parse("#!/bin/sh -x", 12, &name, &arg, buf), 0);
	assert_string_equal(arg, "-x");
	/* a whole buffer of name: cut, so not run */
	memset(full, 'n', sizeof(full));
	memcpy(full, "#!", 2);
	assert_int_equal(parse(full, sizeof(full), &name, &arg, buf), -ENOEXEC);
	/* a name, then an argument cut by the buffer's end: run */
	memcpy(full, "#!/i a", 6);
	assert_int_equal(parse(full, sizeof(full), &name, &arg, buf), 0);
	assert_string_equal(name, "/i");
	assert_int_equal(strlen(arg), EXEC_BUF_SIZE - 1 - 5);
}

static void test_script_args(void **state)
{
	struct exec_args a;
	char *argv[] = { "argv0", "b", NULL };

	assert_int_equal(exec_args_copy(&a, "s", argv, NULL), 0);
	size_t used = a.used;
	assert_int_equal(exec_args_script(&a, "/i", "x y", "s"), 0);
	assert_int_equal(a.s.args_len, 11);
	assert_memory_equal(a.s.args, "/i\0x y\0s\0b\0", 11);
	assert_int_equal(a.used, used - 6 + 3 + 4 + 2);
	assert_int_equal(exec_args_script(&a, "/j", NULL, "/i"), 0);
	assert_memory_equal(a.s.args, "/j\0/i\0x y\0s\0b\0", 14);
	exec_args_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_efault),
		cmocka_unit_test(test_script_parse),
		cmocka_unit_test(test_script_args),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

/*
 * linux/execargs.c: execve's arguments brought into the kernel, and the
 * rewrite of a `#!` script's. Layer: Linux ABI, used by linux/execve.c
 * (interface in linux/execve.h).
 *
 * Limits, as Linux's (fs/exec.c): each string at most MAX_ARG_STRLEN bytes
 * with its NUL; the strings (the file name, envp's, argv's) and the
 * pointers to them within a quarter of RLIMIT_STACK (at most 6 MiB, at
 * least 128 KiB); beyond either, -E2BIG. The strings are checked in
 * Linux's order (envp last to first, then argv) so that the first error
 * met is Linux's; a pointer that cannot be read is -EFAULT.
 */
#include <skiff/errno.h>
#include <skiff/mm.h>
#include "execve.h"
#include "lproc.h"

#define MAX_ARG_STRLEN (32ul * PAGE_SIZE)
#define MAX_ARG_STRINGS 0x7fffffffl
#define ARG_MAX_FLOOR (32ul * PAGE_SIZE)      /* Linux's ARG_MAX */
#define ARG_MAX_CEIL ((8ul << 20) / 4 * 3)   /* _STK_LIM / 4 * 3 */

/* The number of pointers before the NULL of a program's argv or envp
 * (NULL: none). -EFAULT, -E2BIG. */
static long count_ptrs(char *const *uv)
{
	long n = 0;
	u64 p;

	if (!uv)
		return 0;
	for (;; n++) {
		if (copy_from_user(&p, uv + n, sizeof(p)))
			return -EFAULT;
		if (!p)
			return n;
		if (n >= MAX_ARG_STRINGS - 1)
			return -E2BIG;
	}
}

/* The length with its NUL of the program's string at us, looked at
 * within max bytes; max + 1 when it is longer. -EFAULT. */
static long ustrlen(const char *us, size_t max)
{
	char chunk[128];
	u64 a = (u64)us;
	size_t off = 0;

	while (off <= max) {
		u64 end = vm_mapped_end(a + off, PROT_READ);
		if (end <= a + off)
			return -EFAULT;
		size_t n = MIN(sizeof(chunk), end - (a + off));
		if (uaccess_copy(chunk, us + off, n))
			return -EFAULT;
		const char *nul = memchr(chunk, 0, n);
		if (nul)
			return MIN(off + (size_t)(nul - chunk) + 1, max + 1);
		off += n;
	}
	return max + 1;
}

static int uptr(char *const *uv, long i, const char **out)
{
	return copy_from_user(out, uv + i, sizeof(*out));
}

/* Counts n strings of uv (last first) against the limit. */
static int measure(struct exec_args *a, char *const *uv, long n, size_t *bytes)
{
	*bytes = 0;
	for (long i = n - 1; i >= 0; i--) {
		const char *us;
		if (uptr(uv, i, &us))
			return -EFAULT;
		long len = ustrlen(us, MAX_ARG_STRLEN);
		if (len < 0)
			return len;
		if ((size_t)len > MAX_ARG_STRLEN)
			return -E2BIG;
		a->used += len;
		*bytes += len;
		if (a->used > a->limit)
			return -E2BIG;
	}
	return 0;
}

/* Copies n strings of uv (bytes in all, as measured) into *buf. */
static int copy_in(char *const *uv, long n, size_t bytes, char **buf)
{
	size_t off = 0;

	*buf = kmalloc(bytes ? bytes : 1);
	if (!*buf)
		return -ENOMEM;
	for (long i = 0; i < n; i++) {
		const char *us;
		if (uptr(uv, i, &us))
			return -EFAULT;
		long len = ustrlen(us, bytes - off);
		if (len < 0)
			return len;
		/* changed by another thread since measured */
		if ((size_t)len > bytes - off)
			return -E2BIG;
		if (uaccess_copy(*buf + off, us, len))
			return -EFAULT;
		(*buf)[off + len - 1] = '\0';
		off += len;
	}
	return 0;
}

/* Linux's bprm_stack_limits: the bytes the strings may take. */
static int set_limit(struct exec_args *a, long argc, long envc)
{
	u64 stack = lproc_current()->limits[RLIMIT_STACK].cur;
	u64 limit = MIN(ARG_MAX_CEIL, stack / 4);
	u64 ptrs = ((argc ? argc : 1) + envc) * 8ul;

	limit = MAX(limit, ARG_MAX_FLOOR);
	if (limit <= ptrs)
		return -E2BIG;
	a->limit = limit - ptrs;
	return 0;
}

int exec_args_copy(struct exec_args *a, const char *filename,
		   char *const *uargv, char *const *uenvp)
{
	size_t env_bytes, arg_bytes;
	long argc = count_ptrs(uargv), envc;

	memset(a, 0, sizeof(*a));
	if (argc < 0)
		return argc;
	envc = count_ptrs(uenvp);
	if (envc < 0)
		return envc;
	int r = set_limit(a, argc, envc);
	if (r)
		return r;
	a->used = strlen(filename) + 1;
	if (a->used > MAX_ARG_STRLEN || a->used > a->limit)
		return -E2BIG;
	r = measure(a, uenvp, envc, &env_bytes);
	if (!r)
		r = measure(a, uargv, argc, &arg_bytes);
	if (!r)
		r = copy_in(uenvp, envc, env_bytes, &a->s.env);
	if (!r)
		r = copy_in(uargv, argc, arg_bytes, &a->s.args);
	if (r)
		return r;
	a->s.env_len = env_bytes;
	a->s.args_len = arg_bytes;
	if (!argc) { /* as Linux since 5.18: argv[0] is "" */
		kfree(a->s.args);
		a->s.args = kzalloc(1);
		a->s.args_len = 1;
		a->used++;
		if (!a->s.args)
			return -ENOMEM;
	}
	return 0;
}

void exec_args_free(struct exec_args *a)
{
	kfree(a->s.args);
	kfree(a->s.env);
	a->s.args = a->s.env = NULL;
}

/* ---- #! ---- */

static bool spacetab(char c)
{
	return c == ' ' || c == '\t';
}

/* The first byte in [p, end) that is not a space or tab, or NULL. */
static char *skip_space(char *p, char *end)
{
	for (; p < end; p++)
		if (!spacetab(*p))
			return p;
	return NULL;
}

/* The first space, tab or NUL in [p, end), or NULL. */
static char *find_sep(char *p, char *end)
{
	for (; p < end; p++)
		if (spacetab(*p) || !*p)
			return p;
	return NULL;
}

int exec_script_parse(char *buf, char **name, char **arg)
{
	char *last = buf + EXEC_BUF_SIZE - 1;
	char *end = memchr(buf, '\n', EXEC_BUF_SIZE);

	if (buf[0] != '#' || buf[1] != '!')
		return -ENOEXEC;
	if (!end) {
		/* No newline: the interpreter's name must end in the buffer. */
		end = skip_space(buf + 2, last);
		if (!end || !find_sep(end, last))
			return -ENOEXEC;
		end = last;
	}
	while (spacetab(end[-1]))
		end--;
	*name = skip_space(buf + 2, end);
	if (!*name || *name == end)
		return -ENOEXEC;
	char *sep = find_sep(*name, end);
	*arg = sep && *sep ? skip_space(sep, end) : NULL;
	*end = '\0';
	if (sep)
		*sep = '\0';
	return 0;
}

int exec_args_script(struct exec_args *a, const char *name, const char *arg,
		     const char *script)
{
	size_t n0 = strnlen(a->s.args, a->s.args_len);
	size_t ln = strlen(name) + 1, la = arg ? strlen(arg) + 1 : 0;
	size_t ls = strlen(script) + 1;

	if (n0 < a->s.args_len) /* argv[0] goes: its bytes come back */
		n0++;
	if (ln > MAX_ARG_STRLEN || la > MAX_ARG_STRLEN || ls > MAX_ARG_STRLEN)
		return -E2BIG;
	size_t used = a->used - n0 + ln + la + ls;
	if (used > a->limit)
		return -E2BIG;
	size_t len = ln + la + ls + a->s.args_len - n0;
	char *buf = kmalloc(len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, name, ln);
	if (arg)
		memcpy(buf + ln, arg, la);
	memcpy(buf + ln + la, script, ls);
	memcpy(buf + ln + la + ls, a->s.args + n0, a->s.args_len - n0);
	kfree(a->s.args);
	a->s.args = buf;
	a->s.args_len = len;
	a->used = used;
	return 0;
}

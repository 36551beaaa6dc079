/*
 * Differential script runner for the unit tests that check Skiff's sys_*
 * functions against the host's Linux (tests/unit/difftest.c). Each script
 * line is one call, run on the host with raw syscall(2) in a scratch
 * directory under /tmp and on Skiff's sys_* functions in a directory of the
 * ramfs; what the two sides print must be the same.
 *
 * A test names a struct dt_suite (its command handlers and the symbolic
 * values its arguments may use), calls dt_setup() from its cmocka group
 * setup, dt_run_script() from each case and passes dt_teardown() as the
 * group teardown.
 *
 * Script syntax: "CMD ARG..." split at spaces. An argument is a number
 * (strtol base 0), names joined by '|' (O_RDWR|O_CREAT), a path, $N for fd
 * slot N, or ">N" (last) to store a new fd in slot N. dt_common_cmd runs
 * "pipe FLAGS >N", "poll FD EVENTS", "close FD" and "write FD STRING".
 */
#ifndef SKIFF_TEST_DIFFTEST_H
#define SKIFF_TEST_DIFFTEST_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "../../linux/sys.h"

#define DT_SLOTS 10

/* One side of the comparison. */
struct dt_side {
	bool host;		/* raw host syscalls, else Skiff's sys_* */
	long fds[DT_SLOTS];	/* the fd slots $0..$9, -1 when empty */
	char root[256];		/* getcwd prefix of the scratch directory */
};

/* A name an argument may use, and its value. */
struct dt_name {
	const char *name;
	long val;
};

/*
 * A command handler runs cmd with arguments a[0..ac-1] on side s and prints
 * its result into out (n bytes); it returns false if cmd is not its own.
 */
struct dt_suite {
	const char *tmp_template;	/* mkdtemp template of the host dir */
	const char *trace_env;		/* if set: print each line's result */
	const struct dt_name *names;	/* what dt_num() accepts as names */
	size_t nr_names;
	bool (*const *cmds)(struct dt_side *s, const char *cmd, char **a,
			    int ac, char *out, size_t n); /* NULL-terminated */
};

static inline long dt_host_ret(long r)
{
	return r < 0 ? -errno : r;
}

/* Calls syscall name on side s: the value or a negative errno. */
#define DT_CALL(s, name, ...) \
	((s)->host ? dt_host_ret(syscall(SYS_##name, __VA_ARGS__)) \
		   : (long)sys_##name(__VA_ARGS__))

/* An argument's value: a number, names of the suite, or $N (an fd slot). */
long dt_num(struct dt_side *s, const char *a);

/* Stores an fd result in slot ">N" (the last argument); hides its value. */
void dt_keep_fd(struct dt_side *s, long r, char **av, int ac, char *out,
		size_t n);

/* The commands every suite has (see the top); a command handler. */
bool dt_common_cmd(struct dt_side *s, const char *cmd, char **a, int ac,
		   char *out, size_t n);

/*
 * Makes the host scratch directory and Skiff's ramfs (with /work), and
 * ignores SIGPIPE on the host. A cmocka group setup calls it: 0 or fails.
 */
int dt_setup(const struct dt_suite *suite);

/*
 * Runs a script (NULL-terminated lines) on both sides, each in a fresh
 * directory called name, then closes the slots' fds; the case fails if any
 * line printed differently.
 */
void dt_run_script(const char *name, const char *const *lines);

/* Removes the host scratch directory: a cmocka group teardown. */
int dt_teardown(void **state);

#endif
